"""Plugins use only the public contract: ``rapport.core``, ``rapport.schema`` and themselves.

A plugin that reaches into ``rapport.core.models`` or ``rapport.core.services`` breaks when they
move; everything a plugin needs is exported by the two packages (``__all__``) instead. A plugin
may also use the plugins it declares in ``plugin_info.requires``.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PUBLIC = ("rapport.core", "rapport.schema")


def _plugin_folders(project_root: Path) -> dict[str, tuple[Path, str]]:
    """Every plugin in the repository: name -> (folder, package)."""
    found = {
        folder.name: (folder, f"rapport.plugins.{folder.name}")
        for folder in sorted((project_root / "plugins").iterdir())
        if (folder / "__init__.py").exists()
    }
    found["loyalty"] = (project_root / "examples/plugin-loyalty/rapport_loyalty", "rapport_loyalty")
    found["sample"] = (project_root / "tests/core/sample_plugin", "tests.core.sample_plugin")
    return found


def _rapport_imports(folder: Path) -> list[tuple[Path, int, str]]:
    imports = []
    for path in sorted(folder.rglob("*.py")):
        if "migrations" in path.relative_to(folder).parts:
            continue  # revisions use Alembic's own API only
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            imports.extend((path, node.lineno, m) for m in modules if m.startswith("rapport"))
    return imports


def _allowed(module: str, own: str, required: tuple[str, ...]) -> bool:
    if module in PUBLIC:
        return True
    packages = (own, *(f"rapport.plugins.{name}" for name in required))
    return any(module == package or module.startswith(f"{package}.") for package in packages)


@pytest.fixture(autouse=True)
def _example_importable(project_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(project_root / "examples" / "plugin-loyalty"))


@pytest.mark.parametrize("plugin", ["sales", "banking", "loyalty", "sample"])
def test_a_plugin_imports_only_the_public_names(project_root: Path, plugin: str) -> None:
    folders = _plugin_folders(project_root)
    assert plugin in folders
    _check(project_root, *folders[plugin])


def test_every_plugin_in_the_repository_is_checked(project_root: Path) -> None:
    for folder, package in _plugin_folders(project_root).values():
        _check(project_root, folder, package)


def _check(project_root: Path, folder: Path, package: str) -> None:
    info = importlib.import_module(package).plugin_info
    wrong = [
        f"{path.relative_to(project_root)}:{line}: {module}"
        for path, line, module in _rapport_imports(folder)
        if not _allowed(module, package, info.requires)
    ]
    assert wrong == [], "import these through rapport.core or rapport.schema:\n" + "\n".join(wrong)


def test_the_check_catches_an_internal_import(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("from rapport.core.models import Customer\n")
    found = [module for _, _, module in _rapport_imports(tmp_path)]
    assert found == ["rapport.core.models"]
    assert not _allowed("rapport.core.models", "rapport.plugins.bad", ())
    assert _allowed("rapport.core", "rapport.plugins.bad", ())
    assert _allowed("rapport.plugins.sales.models", "rapport.plugins.bad", ("sales",))
    assert not _allowed("rapport.plugins.banking", "rapport.plugins.bad", ("sales",))


def test_every_exported_name_exists() -> None:
    for package in PUBLIC:
        module = importlib.import_module(package)
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert missing == [], package
