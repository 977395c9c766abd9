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
    for name, item in host.collect_named("register_roles", "role").items():
        description = item.args[1] if len(item.args) > 1 else item.kwargs.get("description", "")
        roles[name] = Role(name, description, set(item.kwargs.get("permissions", ())))
        inherits[name] = tuple(item.kwargs.get("inherits", ()))
    permissions: dict[str, str] = {}
    for name, item in host.collect_named("register_permissions", "permission").items():
        permissions[name] = item.args[1] if len(item.args) > 1 else ""
        for role in item.kwargs.get("roles", ()):
            if role not in roles:
                raise PluginError(f"permission {name!r} names an unknown role {role!r}")
            roles[role].permissions.add(name)
    for role in roles.values():
        unknown = role.permissions - permissions.keys()
        if unknown:
            raise PluginError(f"role {role.name!r} names unknown permissions {sorted(unknown)}")

    def resolve(name: str, seen: tuple[str, ...]) -> set[str]:
        if name in seen:
            raise PluginError(f"roles inherit in a cycle: {' -> '.join((*seen, name))}")
        granted = set(roles[name].permissions)
        for parent in inherits[name]:
            if parent not in roles:
                raise PluginError(f"role {name!r} inherits an unknown role {parent!r}")
            granted |= resolve(parent, (*seen, name))
        return granted

    resolved = {name: resolve(name, ()) for name in roles}
    for name, granted in resolved.items():
        roles[name].permissions = granted
    if ADMIN_ROLE in roles:
        roles[ADMIN_ROLE].permissions = set(permissions)
    return RoleBook(permissions, roles)
