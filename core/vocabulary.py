"""Relationship types and interaction kinds: data contributed by plugins, core's included."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapport.core.plugins import PluginHost

__all__ = ["InteractionKind", "RelationshipType", "Vocabulary", "build_vocabulary"]


@dataclass(frozen=True)
class RelationshipType:
    """A registered or workspace-defined type, with where it came from."""

    key: str
    label: str
    inverse_label: str
    symmetric: bool = False
    plugin: str = "core"
    from_kinds: tuple[str, ...] = ()  # empty: any kind
    to_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class InteractionKind:
    key: str
    label: str
    plugin: str = "core"


@dataclass(frozen=True)
class Vocabulary:
    relationship_types: dict[str, RelationshipType]
    interaction_kinds: dict[str, InteractionKind]
    event_types: dict[str, str]


@lru_cache(maxsize=32)  # one per plugin host; hosts live as long as their app
def build_vocabulary(host: PluginHost) -> Vocabulary:
    relationship_types = {
        key: RelationshipType(
            key,
            found.item.label,
            found.item.inverse,
            found.item.symmetric,
            found.plugin,
            found.item.from_kinds,
            found.item.to_kinds,
        )
        for key, found in host.collect_named(
            "register_relationship_types", "relationship type"
        ).items()
    }
    interaction_kinds = {
        key: InteractionKind(key, found.item.label, found.plugin)
        for key, found in host.collect_named(
            "register_interaction_kinds", "interaction kind"
        ).items()
    }
    event_types = {key: found.item.description for key, found in host.event_types.items()}
    return Vocabulary(relationship_types, interaction_kinds, event_types)
