"""The built wheel holds every subpackage and asset, and imports in a clean environment."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _run(*command: str, cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(project_root))
    (found,) = out.glob("rapport_crm-*.whl")
    return found


def _source_packages(project_root: Path) -> set[str]:
    packages = set()
    for name, folder in (
        ("rapport.core", "core"),
        ("rapport.schema", "schema"),
        ("rapport.plugins", "plugins"),
    ):
        for init in (project_root / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(project_root / folder)
            packages.add(".".join([name, *relative.parts]))
    return packages


def test_wheel_contains_every_package_and_asset(wheel: Path, project_root: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged = {
        n.removesuffix("/__init__.py").replace("/", ".")
        for n in names
        if n.endswith("/__init__.py")
    }
    assert _source_packages(project_root) <= packaged
    for required in (
        "rapport/schema/schema.graphql",
        "rapport/schema/static/graphiql.html",
        "rapport/schema/static/vendor/graphiql.min.js",
        "rapport/core/migrations/env.py",
        "rapport/core/migrations/script.py.mako",
    ):
        assert required in names, required
    assert any(n.startswith("rapport/core/migrations/versions/core_0001") for n in names)
    assert not any(n.startswith(("core/", "schema/", "plugins/", "tests/")) for n in names)


def test_wheel_installs_and_imports_in_a_clean_venv(
    wheel: Path, project_root: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "--quiet", str(wheel))
    modules = sorted(_source_packages(project_root))
    script = "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\nprint('ok')"
    # Run outside the project so only the installed wheel can be imported.
    assert _run(str(python), "-c", script, *modules, cwd=tmp_path).strip() == "ok"
    assert "serve" in _run(str(env_dir / "bin" / "rapport"), "--help", cwd=tmp_path)
