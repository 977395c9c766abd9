"""The command line says in one line when the database cannot be reached, and exits non-zero."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from rapport.core.cli import main


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the probe is


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "0"]])
def test_an_unreachable_database_is_named_without_a_traceback(command: list[str]) -> None:
    url = f"postgresql+asyncpg://postgres:secret@127.0.0.1:{_closed_port()}/nowhere"
    result = CliRunner().invoke(main, command, env={"RAPPORT_DATABASE_URL": url})
    assert result.exit_code == 1
    assert (
        "cannot reach the database at postgresql+asyncpg://postgres:***@127.0.0.1" in result.output
    )
    assert "secret" not in result.output
    assert "Traceback" not in result.output


def test_the_demo_is_not_served_beyond_loopback_unless_asked() -> None:
    result = CliRunner().invoke(
        main, ["serve", "--demo", "--host", "0.0.0.0"], env={"RAPPORT_PLUGINS": "none"}
    )
    assert result.exit_code == 2
    assert "--expose-demo" in result.output
