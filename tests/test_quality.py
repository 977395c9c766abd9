"""The code stays clean: ruff, ruff format and mypy over the installed package names."""

from __future__ import annotations

import shutil
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


def test_mypy(project_root: Path, tmp_path: Path) -> None:
    # The folders install as rapport.core, rapport.schema and rapport.plugins; mypy checks
    # them under those names through a tree of links, as an installed package would be.
    package = tmp_path / "rapport"
    package.mkdir()
    for folder in ("core", "schema", "plugins"):
        (package / folder).symlink_to(project_root / folder, target_is_directory=True)
    cache = project_root / ".mypy_cache"
    _run(
        str(BIN / "mypy"),
        "--config-file",
        str(project_root / "pyproject.toml"),
        "--cache-dir",
        str(cache),
        "-p",
        "rapport.core",
        "-p",
        "rapport.schema",
        "-p",
        "rapport.plugins",
        cwd=tmp_path,
    )
    assert shutil.which("mypy") or (BIN / "mypy").exists()
