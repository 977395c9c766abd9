"""CI runs the README's test command, word for word."""

from __future__ import annotations

import re
from pathlib import Path


def _commands(readme: str) -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv[^\n]+)\n```", readme)


def test_ci_runs_the_readme_test_command(project_root: Path) -> None:
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    install_and_serve, install_and_test = _commands(readme)[:2]
    assert "serve --demo" in install_and_serve
    assert install_and_test.endswith("pytest")
    ci = (project_root / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()
