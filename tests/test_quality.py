"""The code stays clean: ruff, ruff format and mypy over the installed package names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def _run(*command: str, cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"


def test_ruff_lint(project_root: Path) -> None:
    _run(str(BIN / "ruff"), "check", ".", cwd=project_root)


def test_ruff_format(project_root: Path) -> None:
    _run(str(BIN / "ruff"), "format", "--check", ".", cwd=project_root)


def test_mypy(project_root: Path) -> None:
    # The command docs/CONTRIBUTING.md gives: the configuration names what to check.
    _run(str(BIN / "mypy"), cwd=project_root)


def test_mypy_checks_first_party_imports_for_real(project_root: Path, tmp_path: Path) -> None:
    # Were `rapport.*` imports `Any` to mypy, this misuse would pass unnoticed.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from rapport.core import ValidationFailed, new_id\n"
        "count: int = ValidationFailed.one('input.name', 'too long')\n"
        "same: str = new_id()\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [str(BIN / "mypy"), "--config-file", str(project_root / "pyproject.toml"), str(probe)],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout
    assert 'Incompatible types in assignment (expression has type "ValidationFailed"' in (
        done.stdout
    )
    assert 'expression has type "UUID", variable has type "str"' in done.stdout
