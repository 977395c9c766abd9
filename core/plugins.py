"""The plugin host: discovery, ordering, and the contributions of the enabled plugins.

One :class:`PluginHost` per app instance (never a module global), so tests can build apps with
different plugin sets side by side. Built-in modules are registered exactly like third-party
ones; the only difference is where they are found.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any, Generic, TypeVar

import click
import pluggy
from starlette.routing import BaseRoute

from rapport.core import contributions as c
from rapport.core import hookspecs
from rapport.core.config import Settings

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "Registered",
    "available_plugins",
    "await_maybe",
    "enabled_names",
]

ENTRY_POINT_GROUP = "rapport.plugins"
# The distribution whose plugins are enabled when the settings name none.
BUILTIN_DISTRIBUTION = "rapport-crm"

# Always on: the core domain and the GraphQL layer are plugins too.
FOUNDATION_PLUGINS = {
    "core": "rapport.core.builtin",
    "graphql": "rapport.schema.plugin",
}

log = logging.getLogger("rapport.plugins")

T = TypeVar("T")


class PluginError(RuntimeError):
    """A plugin configuration that cannot run: unknown, missing dependency, or a clash."""


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin module declares about itself as ``plugin_info``."""

    name: str
    version: str
    description: str = ""
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registered(Generic[T]):
    """One registered object and the plugin that registered it."""

    plugin: str
    item: T


async def await_maybe(value: Any) -> Any:
    """Hook implementations may be sync or async."""
    if inspect.isawaitable(value):
        return await value
    return value


def _entry_points() -> list[Any]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def available_plugins() -> dict[str, str]:
    """Every installed plugin, built-in or not: name -> module path."""
    return {ep.name: ep.value for ep in _entry_points()}


def builtin_plugins() -> dict[str, str]:
    """The plugins that ship with Rapport itself, found like any other."""
    return {
        ep.name: ep.value
        for ep in _entry_points()
        if ep.dist is not None and ep.dist.name == BUILTIN_DISTRIBUTION
    }


def _load_info(name: str, module_path: str) -> tuple[ModuleType, PluginInfo]:
    module = importlib.import_module(module_path)
    info = getattr(module, "plugin_info", None)
    if not isinstance(info, PluginInfo):
        raise PluginError(f"plugin {name!r} ({module_path}) declares no `plugin_info`")
    if info.name != name:
        raise PluginError(f"plugin {module_path} is named {info.name!r}, not {name!r}")
    return module, info


def _order(infos: dict[str, PluginInfo]) -> list[str]:
    """Dependencies first, then by name: the same order on every machine."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise PluginError(f"plugins depend on each other in a cycle: {' -> '.join(chain)}")
        visiting.add(name)
        for dependency in sorted(infos[name].requires):
            if dependency not in infos:
                raise PluginError(
                    f"plugin {name!r} requires plugin {dependency!r}, which is not enabled; "
                    f"add it to RAPPORT_PLUGINS"
                )
            visit(dependency, (*chain, dependency))
        visiting.discard(name)
        ordered.append(name)

    for name in sorted(infos, key=lambda n: (n not in FOUNDATION_PLUGINS, n)):
        visit(name, (name,))
    return ordered


def enabled_names(settings: Settings) -> list[str]:
    requested = settings.plugins
    if requested == ("none",):
        return []
    if not requested:
        return sorted(builtin_plugins())
    return list(dict.fromkeys(requested))


# What each contribution hook registers. The host refuses anything else.
CONTRIBUTION_TYPES: dict[str, tuple[type, ...]] = {
    "register_routes": (BaseRoute,),
    "register_commands": (click.Command,),
    "register_migrations": (c.MigrationBranch,),
    "register_permissions": (c.Permission,),
    "register_roles": (c.Role,),
    "register_relationship_types": (c.RelationshipType,),
    "register_interaction_kinds": (c.InteractionKind,),
    "register_event_types": (c.EventType,),
    "register_event_handlers": (c.EventHandler,),
    "register_error_codes": (c.ErrorCodes,),
    "register_customer_links": (c.CustomerLink,),
    "register_access_policies": (c.AccessPolicy,),
    "register_graphql": (c.GraphQLPart,),
    "register_dataloaders": (c.DataLoaderFactory,),
    "register_jobs": (c.Job,),
    "register_demo_data": (c.DemoData,),
    "register_value_sources": (c.ValueSource,),
    "register_churn_signals": (c.ChurnSignal,),
    "register_potential_value_sources": (c.PotentialValueSource,),
}
# Contributions that two plugins may not both register under one name.
NAMED_CONTRIBUTIONS = {
    "register_migrations": "migration branch",
    "register_permissions": "permission",
    "register_roles": "role",
    "register_relationship_types": "relationship type",
    "register_interaction_kinds": "interaction kind",
    "register_event_types": "event type",
    "register_error_codes": "error code domain",
    "register_dataloaders": "dataloader",
    "register_jobs": "job",
    "register_demo_data": "demo data set",
    "register_value_sources": "value source",
    "register_churn_signals": "churn signal",
    "register_potential_value_sources": "potential value source",
}
# Called when the app is built, not when the host starts: the GraphQL layer and the CLI are
# only needed by the processes that use them, and routes need the running app. Event
# handlers are checked at startup too, against the event types (``event_handlers``).
CHECKED_LATER = frozenset(
    {"register_graphql", "register_routes", "register_commands", "register_event_handlers"}
)


class PluginHost:
    """The enabled plugins of one app and what they contribute."""

    def __init__(self, settings: Settings, extra_plugins: Iterable[ModuleType] = ()) -> None:
        self.settings = settings
        self._collected: dict[str, list[Registered[Any]]] = {}
        self.pm = pluggy.PluginManager("rapport")
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        modules: dict[str, ModuleType] = {}
        known = {**FOUNDATION_PLUGINS, **available_plugins()}
        for name in [*FOUNDATION_PLUGINS, *enabled_names(settings)]:
            if name not in known:
                raise PluginError(f"unknown plugin {name!r}; available: {', '.join(sorted(known))}")
            modules[name], self.infos[name] = _load_info(name, known[name])
        for module in extra_plugins:
            info = getattr(module, "plugin_info", None)
            if not isinstance(info, PluginInfo):
                raise PluginError(f"{module.__name__} declares no `plugin_info`")
            if info.name in self.infos:
                raise PluginError(f"two plugins are named {info.name!r}")
            modules[info.name], self.infos[info.name] = module, info
        self.order = _order(self.infos)
        for name in self.order:
            self._check_hook_names(name, modules[name])
            self.pm.register(modules[name], name=name)
        self.pm.check_pending()
        if settings.trace_plugins:
            self.pm.add_hookcall_monitoring(_trace_before, _trace_after)
        for hook_name in [name for name in CONTRIBUTION_TYPES if name not in CHECKED_LATER]:
            what = NAMED_CONTRIBUTIONS.get(hook_name)
            if what is None:
                self.collect(hook_name)
            else:
                self.collect_named(hook_name, what)
        self.event_handlers  # noqa: B018 - checks every handler names a registered event

    def _check_hook_names(self, plugin: str, module: ModuleType) -> None:
        """A hook implementation with a misspelt name would never be called: refuse it."""
        for name, attribute in vars(module).items():
            # pluggy finds implementations by attribute name and by this marker's attribute.
            is_impl = inspect.isfunction(attribute) and hasattr(attribute, "rapport_impl")
            if is_impl and not hasattr(hookspecs, name):
                raise PluginError(f"plugin {plugin!r} implements an unknown hook {name!r}")

    # -- generic collection -------------------------------------------------------------

    def _impls(self, hook_name: str) -> Iterator[tuple[str, Callable[..., Any], list[str]]]:
        hook = getattr(self.pm.hook, hook_name)
        by_plugin = {impl.plugin_name: impl for impl in hook.get_hookimpls()}
        for name in self.order:
            impl = by_plugin.get(name)
            if impl is not None:
                yield name, impl.function, list(impl.argnames)

    def collect(self, hook_name: str, **hook_args: Any) -> list[Registered[Any]]:
        """Call one contribution hook on every plugin, in plugin order, checking each object.

        Collections are kept: a hook is called once per host, except one that takes arguments
        besides ``register`` (``register_routes``), which is called each time.
        """
        if hook_name in self._collected:
            return self._collected[hook_name]
        expected = CONTRIBUTION_TYPES[hook_name]
        found: list[Registered[Any]] = []
        for plugin, function, argnames in self._impls(hook_name):

            def register(*args: Any, _plugin: str = plugin, **kwargs: Any) -> None:
                found.append(
                    Registered(_plugin, _checked(_plugin, hook_name, expected, args, kwargs))
                )

            available = {"register": register, **hook_args}
            started = time.perf_counter()
            try:
                function(**{arg: available[arg] for arg in argnames})
            except PluginError:
                raise
            except Exception as failure:
                raise PluginError(
                    f"plugin {plugin!r} failed in {hook_name}: {failure}"
                ) from failure
            finally:
                if self.settings.trace_plugins:
                    _trace(plugin, hook_name, started)
        if not hook_args:
            self._collected[hook_name] = found
        return found

    def collect_named(self, hook_name: str, what: str) -> dict[str, Registered[Any]]:
        """Contributions keyed by their name; two plugins may not share a name."""
        named: dict[str, Registered[Any]] = {}
        for registered in self.collect(hook_name):
            key = registered.item.name
            if not isinstance(key, str) or not key:
                raise PluginError(f"plugin {registered.plugin!r} registered a {what} with no name")
            if key in named:
                raise PluginError(
                    f"plugins {named[key].plugin!r} and {registered.plugin!r} both register "
                    f"the {what} {key!r}"
                )
            named[key] = registered
        return named

    # -- contributions used across the app ----------------------------------------------

    @cached_property
    def migration_locations(self) -> dict[str, Any]:
        found = self.collect_named("register_migrations", "migration branch")
        return {name: registered.item.path for name, registered in found.items()}

    @cached_property
    def dataloader_factories(self) -> dict[str, Callable[[Any], Any]]:
        found = self.collect_named("register_dataloaders", "dataloader")
        return {name: registered.item.factory for name, registered in found.items()}

    @cached_property
    def jobs(self) -> dict[str, c.Job]:
        return {name: r.item for name, r in self.collect_named("register_jobs", "job").items()}

    @cached_property
    def demo_loaders(self) -> dict[str, c.DemoData]:
        found = self.collect_named("register_demo_data", "demo data set")
        return {name: registered.item for name, registered in found.items()}

    @cached_property
    def event_types(self) -> dict[str, Registered[c.EventType]]:
        return self.collect_named("register_event_types", "event type")

    @cached_property
    def event_handlers(self) -> list[Registered[c.EventHandler]]:
        handlers: list[Registered[c.EventHandler]] = self.collect("register_event_handlers")
        for registered in handlers:
            event = registered.item.event
            known = self.event_types.get(getattr(event, "name", ""))
            if known is None or known.item.event is not event:
                raise PluginError(
                    f"plugin {registered.plugin!r} handles the event {event!r}, which no "
                    f"enabled plugin registers"
                )
        return handlers

    @cached_property
    def value_sources(self) -> list[c.ValueSource]:
        found = self.collect_named("register_value_sources", "value source")
        return [registered.item for registered in found.values()]

    @cached_property
    def churn_signals(self) -> list[c.ChurnSignal]:
        found = self.collect_named("register_churn_signals", "churn signal")
        return [registered.item for registered in found.values()]

    @cached_property
    def potential_value_sources(self) -> list[c.PotentialValueSource]:
        found = self.collect_named("register_potential_value_sources", "potential value source")
        return [registered.item for registered in found.values()]

    @cached_property
    def customer_links(self) -> list[Registered[c.CustomerLink]]:
        return self.collect("register_customer_links")

    def version_of(self, name: str) -> str:
        return self.infos[name].version

    # -- events ---------------------------------------------------------------------------

    def _handlers(self, name: str, phase: str) -> list[c.EventHandler]:
        return [
            registered.item
            for registered in self.event_handlers
            if registered.item.event.name == name and registered.item.phase == phase
        ]

    async def before_commit(self, event: Any, session: Any, operation: Any) -> None:
        for handler in self._handlers(event.name, "before_commit"):
            await await_maybe(handler.run(event, operation))
        await _await_all(
            self.pm.hook.before_commit(event=event, session=session, operation=operation)
        )

    async def after_commit(self, event: Any) -> None:
        for handler in self._handlers(event.name, "after_commit"):
            try:
                await await_maybe(handler.run(event, None))
            except Exception:  # committed already: one failing listener must not stop others
                log.exception("after-commit handler for %s failed", event.name)
        await _await_all(self.pm.hook.after_commit(event=event))


def _checked(
    plugin: str,
    hook_name: str,
    expected: tuple[type, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """The one object a ``register`` call passes, once it is the kind the hook takes."""
    what = " or ".join(kind.__name__ for kind in expected)
    if kwargs or len(args) != 1:
        given = ", ".join([*(type(a).__name__ for a in args), *(f"{k}=..." for k in kwargs)])
        raise PluginError(
            f"plugin {plugin!r} called register({given}) in {hook_name}; it takes one {what}"
        )
    item = args[0]
    if not isinstance(item, expected):
        raise PluginError(
            f"plugin {plugin!r} registered a {type(item).__name__} in {hook_name}; "
            f"it takes a {what}"
        )
    return item


def _trace(plugin: str, hook_name: str, started: float) -> None:
    log.info("hook %s: %s (%.2f ms)", hook_name, plugin, (time.perf_counter() - started) * 1000)


def _trace_before(hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    log.info("hook %s: %s", hook_name, ", ".join(impl.plugin_name for impl in impls))


def _trace_after(
    outcome: Any, hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]
) -> None:
    if outcome.exception is not None:
        log.info("hook %s raised %r", hook_name, outcome.exception)


async def _await_all(results: list[Any]) -> None:
    """Await hook results in order; once one raises, close the others' coroutines unrun."""
    for index, result in enumerate(results):
        try:
            await await_maybe(result)
        except BaseException:
            for pending in results[index + 1 :]:
                if inspect.iscoroutine(pending):
                    pending.close()
            raise
