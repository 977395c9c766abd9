"""The plugin host: discovery, order, dependencies and clashes."""

from __future__ import annotations

import types
from typing import Any

import pytest

from rapport.core import PluginInfo, hookimpl
from rapport.core.config import Settings
from rapport.core.plugins import PluginError, PluginHost
from rapport.core.runtime import Runtime

NO_PLUGINS = Settings(database_url="sqlite+aiosqlite:///:memory:", plugins=("none",))


def make_plugin(name: str, requires: tuple[str, ...] = (), **hooks: Any) -> types.ModuleType:
    module = types.ModuleType(f"plugin_{name}")
    module.plugin_info = PluginInfo(name=name, version="1.0", requires=requires)  # type: ignore[attr-defined]
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    return module


def test_foundation_plugins_come_first_then_dependencies_then_names() -> None:
    plugins = [make_plugin("zeta"), make_plugin("alpha", requires=("zeta",)), make_plugin("beta")]
    host = PluginHost(NO_PLUGINS, plugins)
    # Each plugin right after what it needs; otherwise by name.
    assert host.order == ["core", "graphql", "zeta", "alpha", "beta"]


def test_missing_dependency_is_refused_clearly() -> None:
    with pytest.raises(PluginError, match="'roi' requires plugin 'ledger', which is not enabled"):
        PluginHost(NO_PLUGINS, [make_plugin("roi", requires=("ledger",))])


def test_dependency_cycle_is_refused() -> None:
    plugins = [make_plugin("a", requires=("b",)), make_plugin("b", requires=("a",))]
    with pytest.raises(PluginError, match="cycle"):
        PluginHost(NO_PLUGINS, plugins)


def test_unknown_plugin_name_is_refused() -> None:
    with pytest.raises(PluginError, match="unknown plugin 'nope'"):
        PluginHost(Settings(plugins=("nope",)))


def test_two_plugins_with_one_name_are_refused() -> None:
    with pytest.raises(PluginError, match="two plugins are named 'twin'"):
        PluginHost(NO_PLUGINS, [make_plugin("twin"), make_plugin("twin")])


def test_two_plugins_registering_one_permission_are_refused() -> None:
    def register_permissions(register: Any) -> None:
        register("customers:read", "again")

    runtime = Runtime.create(
        NO_PLUGINS, [make_plugin("copycat", register_permissions=register_permissions)]
    )
    with pytest.raises(PluginError, match="'core' and 'copycat' both register the permission"):
        _ = runtime.roles


def test_two_plugins_adding_one_query_field_are_refused() -> None:
    from rapport.schema.build import build_schema
    from rapport.schema.types.identity import IdentityQueries

    def register_graphql(register: Any) -> None:
        register(query=IdentityQueries)

    runtime = Runtime.create(NO_PLUGINS, [make_plugin("dup", register_graphql=register_graphql)])
    with pytest.raises(PluginError, match=r"both add Query\.viewer"):
        build_schema(runtime)


def test_unknown_role_in_permission_is_refused() -> None:
    def register_permissions(register: Any) -> None:
        register("x:read", "x", roles=("ghost",))

    runtime = Runtime.create(
        NO_PLUGINS, [make_plugin("x", register_permissions=register_permissions)]
    )
    with pytest.raises(PluginError, match="unknown role 'ghost'"):
        _ = runtime.roles


def test_plugins_enabled_by_configuration() -> None:
    host = PluginHost(Settings(plugins=("none",)))
    assert host.order == ["core", "graphql"]


def test_entry_point_plugins_are_discovered(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapport.core import plugins

    module = make_plugin("thirdparty")
    monkeypatch.setitem(__import__("sys").modules, "thirdparty_pkg", module)
    monkeypatch.setattr(plugins, "_entry_point_modules", lambda: {"thirdparty": "thirdparty_pkg"})
    host = PluginHost(Settings(plugins=("thirdparty",)))
    assert "thirdparty" in host.order
    assert host.version_of("thirdparty") == "1.0"


def test_hosts_are_independent() -> None:
    one = PluginHost(NO_PLUGINS, [make_plugin("only_here")])
    two = PluginHost(NO_PLUGINS)
    assert "only_here" in one.order
    assert "only_here" not in two.order
