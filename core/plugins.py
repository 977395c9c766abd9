"""The plugin host: discovery, ordering, and the contributions of the enabled plugins.

One :class:`PluginHost` per app instance (never a module global), so tests can build apps with
different plugin sets side by side. Built-in modules are registered exactly like third-party
ones; the only difference is where they are found.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from rapport.core import hookspecs
from rapport.core.config import Settings

__all__ = [
    "ENTRY_POINT_GROUP",
    "Contribution",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "await_maybe",
]

ENTRY_POINT_GROUP = "rapport.plugins"

# Always on: the core domain and the GraphQL layer are plugins too.
FOUNDATION_PLUGINS = {
    "core": "rapport.core.builtin",
    "graphql": "rapport.schema.plugin",
}
# Switched on and off by configuration.
BUILTIN_PLUGINS = {
    "sales": "rapport.plugins.sales",
    "marketing": "rapport.plugins.marketing",
    "service": "rapport.plugins.service",
    "banking": "rapport.plugins.banking",
}


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
class Contribution:
    plugin: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


async def await_maybe(value: Any) -> Any:
    """Hook implementations may be sync or async."""
    if inspect.isawaitable(value):
        return await value
    return value


def _builtin_modules() -> dict[str, str]:
    return {
        name: module
        for name, module in BUILTIN_PLUGINS.items()
        if importlib.util.find_spec(module) is not None
    }


def _entry_point_modules() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_plugins() -> dict[str, str]:
    """Every plugin that could be enabled: name -> module path."""
    return {**_builtin_modules(), **_entry_point_modules()}


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
        return sorted(_builtin_modules())
    return list(dict.fromkeys(requested))


class PluginHost:
    """The enabled plugins of one app and what they contribute."""

    def __init__(self, settings: Settings, extra_plugins: Iterable[ModuleType] = ()) -> None:
        self.settings = settings
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
            self.pm.register(modules[name], name=name)
        self.pm.check_pending()

    # -- generic collection -------------------------------------------------------------

    def _impls(self, hook_name: str) -> Iterator[tuple[str, Callable[..., Any], list[str]]]:
        hook = getattr(self.pm.hook, hook_name)
        by_plugin = {impl.plugin_name: impl for impl in hook.get_hookimpls()}
        for name in self.order:
            impl = by_plugin.get(name)
            if impl is not None:
                yield name, impl.function, list(impl.argnames)

    def collect(self, hook_name: str, **hook_args: Any) -> list[Contribution]:
        """Call one contribution hook on every plugin, in plugin order."""
        contributions: list[Contribution] = []
        for plugin, function, argnames in self._impls(hook_name):

            def register(*args: Any, _plugin: str = plugin, **kwargs: Any) -> None:
                contributions.append(Contribution(_plugin, args, kwargs))

            available = {"register": register, **hook_args}
            function(**{arg: available[arg] for arg in argnames})
        return contributions

    def collect_named(self, hook_name: str, what: str, **hook_args: Any) -> dict[str, Contribution]:
        """Contributions keyed by their first argument; two plugins may not share a name."""
        named: dict[str, Contribution] = {}
        for item in self.collect(hook_name, **hook_args):
            key = item.args[0] if item.args else item.kwargs.get("name")
            if not isinstance(key, str) or not key:
                raise PluginError(f"plugin {item.plugin!r} registered a {what} with no name")
            if key in named:
                raise PluginError(
                    f"plugins {named[key].plugin!r} and {item.plugin!r} both register "
                    f"the {what} {key!r}"
                )
            named[key] = item
        return named

    # -- contributions used across the app ----------------------------------------------

    @cached_property
    def migration_locations(self) -> dict[str, Path]:
        found = self.collect_named("register_migrations", "migration branch")
        return {name: Path(item.args[1]) for name, item in found.items()}

    @cached_property
    def dataloader_factories(self) -> dict[str, Callable[[Any], Any]]:
        found = self.collect_named("register_dataloaders", "dataloader")
        return {name: item.args[1] for name, item in found.items()}

    @cached_property
    def jobs(self) -> dict[str, Contribution]:
        return self.collect_named("register_jobs", "job")

    @cached_property
    def demo_loaders(self) -> dict[str, Contribution]:
        return self.collect_named("register_demo_data", "demo data set")

    def version_of(self, name: str) -> str:
        return self.infos[name].version

    # -- events ---------------------------------------------------------------------------

    async def before_commit(self, event: Any, session: Any, operation: Any) -> None:
        await _await_all(
            self.pm.hook.before_commit(event=event, session=session, operation=operation)
        )

    async def after_commit(self, event: Any) -> None:
        await _await_all(self.pm.hook.after_commit(event=event))


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
