"""Roles and the permission names they grant.

Permissions are registered by plugins (core's included); a role is a named set of them. A
permission may name the roles that get it by default, so a plugin can grant its own
permissions to the standard roles without the core knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapport.core.plugins import PluginError, PluginHost

__all__ = ["ADMIN_ROLE", "PermissionDenied", "Role", "RoleBook", "build_role_book"]

ADMIN_ROLE = "admin"


class PermissionDenied(Exception):
    """The actor's role lacks a permission the operation needs."""

    def __init__(self, permission: str) -> None:
        super().__init__(f"this operation needs the permission {permission!r}")
        self.permission = permission


@dataclass
class Role:
    name: str
    description: str
    permissions: set[str] = field(default_factory=set)


@dataclass
class RoleBook:
    permissions: dict[str, str]
    roles: dict[str, Role]

    def grants(self, role: str, permission: str) -> bool:
        found = self.roles.get(role)
        return found is not None and permission in found.permissions

    def permissions_of(self, role: str) -> frozenset[str]:
        found = self.roles.get(role)
        return frozenset(found.permissions) if found else frozenset()


def build_role_book(host: PluginHost) -> RoleBook:
    roles: dict[str, Role] = {}
    inherits: dict[str, tuple[str, ...]] = {}
    owners: dict[str, str] = {}
    for name, found in host.collect_named("register_roles", "role").items():
        roles[name] = Role(name, found.item.description, set(found.item.permissions))
        inherits[name] = found.item.inherits
        owners[name] = found.plugin
    permissions: dict[str, str] = {}
    for name, found in host.collect_named("register_permissions", "permission").items():
        permissions[name] = found.item.description
        for role in found.item.roles:
            if role not in roles:
                raise PluginError(
                    f"plugin {found.plugin!r}: permission {name!r} names an unknown role {role!r}"
                )
            roles[role].permissions.add(name)
    for role in roles.values():
        unknown = role.permissions - permissions.keys()
        if unknown:
            raise PluginError(
                f"plugin {owners[role.name]!r}: role {role.name!r} names unknown permissions "
                f"{sorted(unknown)}"
            )

    def resolve(name: str, seen: tuple[str, ...]) -> set[str]:
        if name in seen:
            raise PluginError(f"roles inherit in a cycle: {' -> '.join((*seen, name))}")
        granted = set(roles[name].permissions)
        for parent in inherits[name]:
            if parent not in roles:
                raise PluginError(
                    f"plugin {owners[name]!r}: role {name!r} inherits an unknown role {parent!r}"
                )
            granted |= resolve(parent, (*seen, name))
        return granted

    resolved = {name: resolve(name, ()) for name in roles}
    for name, granted in resolved.items():
        roles[name].permissions = granted
    if ADMIN_ROLE in roles:
        roles[ADMIN_ROLE].permissions = set(permissions)
    return RoleBook(permissions, roles)
