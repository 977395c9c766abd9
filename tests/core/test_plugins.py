"""The plugin host: discovery, order, dependencies and clashes."""

from __future__ import annotations

import logging
import types
import uuid
from dataclasses import replace
from enum import StrEnum
from typing import Any

import pytest

from rapport.core import (
    CustomerMerged,
    ErrorCodes,
    Event,
    EventHandler,
    GraphQLPart,
    Job,
    Permission,
    PluginInfo,
    hookimpl,
)
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


def test_two_plugins_registering_one_permission_are_refused_at_startup() -> None:
    def register_permissions(register: Any) -> None:
        register(Permission("customers:read", "again"))

    with pytest.raises(PluginError, match="'core' and 'copycat' both register the permission"):
        Runtime.create(
            NO_PLUGINS, [make_plugin("copycat", register_permissions=register_permissions)]
        )


def test_two_plugins_adding_one_query_field_are_refused() -> None:
    from rapport.schema.build import build_schema
    from rapport.schema.types.identity import IdentityQueries

    def register_graphql(register: Any) -> None:
        register(GraphQLPart(query=IdentityQueries))

    runtime = Runtime.create(NO_PLUGINS, [make_plugin("dup", register_graphql=register_graphql)])
    with pytest.raises(PluginError, match=r"both add Query\.viewer"):
        build_schema(runtime)


def test_unknown_role_in_permission_is_refused_with_the_plugin_name() -> None:
    def register_permissions(register: Any) -> None:
        register(Permission("x:read", "x", roles=("ghost",)))

    with pytest.raises(PluginError, match="plugin 'x': permission 'x:read' names an unknown role"):
        Runtime.create(NO_PLUGINS, [make_plugin("x", register_permissions=register_permissions)])


def test_a_misspelt_field_fails_at_startup_naming_the_plugin() -> None:
    from rapport.schema.types.identity import IdentityQueries

    def register_graphql(register: Any) -> None:
        register(GraphQLPart(mutations=IdentityQueries))  # type: ignore[call-arg]

    # The GraphQL layer's hook runs when the app is built, the others when the host starts.
    def register_jobs(register: Any) -> None:
        register(Job("typo", 60, run=None, every=5))  # type: ignore[call-arg, arg-type]

    with pytest.raises(PluginError, match=r"plugin 'typo' failed in register_jobs: .*'every'"):
        PluginHost(NO_PLUGINS, [make_plugin("typo", register_jobs=register_jobs)])
    host = PluginHost(NO_PLUGINS, [make_plugin("typo", register_graphql=register_graphql)])
    with pytest.raises(PluginError, match=r"plugin 'typo' failed in register_graphql.*mutations"):
        host.collect("register_graphql")


def test_positional_and_keyword_registrations_are_refused() -> None:
    def register_permissions(register: Any) -> None:
        register("old:read", "the untyped way", roles=("viewer",))

    with pytest.raises(
        PluginError, match=r"plugin 'old' called register\(str, str, roles=...\) in register_perm"
    ):
        PluginHost(NO_PLUGINS, [make_plugin("old", register_permissions=register_permissions)])


def test_an_object_of_the_wrong_kind_is_refused() -> None:
    def register_roles(register: Any) -> None:
        register(Permission("x:read", "a permission, not a role"))

    with pytest.raises(
        PluginError, match="plugin 'wrong' registered a Permission in register_roles"
    ):
        PluginHost(NO_PLUGINS, [make_plugin("wrong", register_roles=register_roles)])


def test_a_misspelt_hook_name_is_refused() -> None:
    def register_permission(register: Any) -> None:
        raise AssertionError("never called")

    with pytest.raises(PluginError, match="plugin 'hooky' implements an unknown hook"):
        PluginHost(NO_PLUGINS, [make_plugin("hooky", register_permission=register_permission)])


class Unregistered(Event, name="nobody.registers_this", entity_type="Nothing"):
    id: uuid.UUID


def test_a_handler_of_an_unknown_event_fails_at_startup() -> None:
    def register_event_handlers(register: Any) -> None:
        register(EventHandler(Unregistered, lambda event, op: None))

    with pytest.raises(PluginError, match=r"plugin 'listener' handles the event .*Unregistered"):
        PluginHost(
            NO_PLUGINS, [make_plugin("listener", register_event_handlers=register_event_handlers)]
        )


def test_a_handler_of_a_registered_event_starts() -> None:
    def register_event_handlers(register: Any) -> None:
        register(EventHandler(CustomerMerged, lambda event, op: None, phase="after_commit"))

    host = PluginHost(
        NO_PLUGINS, [make_plugin("listener", register_event_handlers=register_event_handlers)]
    )
    assert [h.plugin for h in host.event_handlers] == ["listener"]


def test_error_codes_that_are_not_a_domain_code_enum_are_refused() -> None:
    from rapport.schema.build import build_schema

    class Plain(StrEnum):
        OOPS = "oops"

    def register_error_codes(register: Any) -> None:
        register(ErrorCodes("plain", Plain))

    runtime = Runtime.create(
        NO_PLUGINS, [make_plugin("plain", register_error_codes=register_error_codes)]
    )
    with pytest.raises(PluginError, match="plugin 'plain' registered error codes Plain"):
        build_schema(runtime)


def test_hook_calls_are_traced_when_the_setting_is_on(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="rapport.plugins"):
        PluginHost(replace(NO_PLUGINS, trace_plugins=True))
    traced = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("hook register_permissions: core (") for m in traced)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rapport.plugins"):
        PluginHost(NO_PLUGINS)
    assert not caplog.records


def test_plugins_enabled_by_configuration() -> None:
    host = PluginHost(Settings(plugins=("none",)))
    assert host.order == ["core", "graphql"]


def test_entry_point_plugins_are_discovered(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapport.core import plugins

    module = make_plugin("thirdparty")
    monkeypatch.setitem(__import__("sys").modules, "thirdparty_pkg", module)
    monkeypatch.setattr(plugins, "available_plugins", lambda: {"thirdparty": "thirdparty_pkg"})
    host = PluginHost(Settings(plugins=("thirdparty",)))
    assert "thirdparty" in host.order
    assert host.version_of("thirdparty") == "1.0"


def test_hosts_are_independent() -> None:
    one = PluginHost(NO_PLUGINS, [make_plugin("only_here")])
    two = PluginHost(NO_PLUGINS)
    assert "only_here" in one.order
    assert "only_here" not in two.order


def test_built_in_plugins_are_found_through_the_entry_point_group() -> None:
    from rapport.core.plugins import builtin_plugins

    found = builtin_plugins()
    assert found["sales"] == "rapport.plugins.sales"
    assert found["banking"] == "rapport.plugins.banking"
    host = PluginHost(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    assert set(found) <= set(host.order)


def test_two_domains_may_share_a_code_value() -> None:
    from rapport.core import CoreErrorCode, DomainCode, ErrorCode
    from rapport.schema.build import build_schema

    class TwinErrorCode(DomainCode):
        SELF_MERGE = "self_merge", ErrorCode.INVALID  # the same value as core's

    def register_error_codes(register: Any) -> None:
        register(ErrorCodes("twin", TwinErrorCode))

    runtime = Runtime.create(
        NO_PLUGINS, [make_plugin("twin", register_error_codes=register_error_codes)]
    )
    sdl = build_schema(runtime).as_str()
    assert "CORE_SELF_MERGE" in sdl
    assert "TWIN_SELF_MERGE" in sdl
    assert CoreErrorCode.SELF_MERGE == TwinErrorCode.SELF_MERGE  # equal as strings, hence the key
