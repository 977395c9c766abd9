"""``UserError.reason``: the precise error code, as one enum of every enabled domain's codes.

Strawberry types are fixed when their module is imported, but which domains exist is known
only once the enabled plugins are: the enum and the field that returns it are built with each
schema and joined onto ``UserError`` the way plugins' fields join other types. Its values are
``<DOMAIN>_<CODE>`` (``SALES_OVERPAYMENT``), so they never clash across plugins.
"""

# No `from __future__ import annotations`: the resolver's return type is a class made at run
# time, which strawberry must see as an object, not as a name to look up in this module.

import enum
from typing import Any, cast

import strawberry
from strawberry.types.field import StrawberryField

from rapport.core.errors import DomainCode
from rapport.core.plugins import PluginError, PluginHost

__all__ = ["reason_fields"]


def _reason_name(domain: str, code: DomainCode) -> str:
    return f"{domain.upper()}_{code.name}"


def reason_fields(host: PluginHost) -> list[StrawberryField]:
    """The ``reason`` field for ``UserError``, over the codes the enabled plugins register."""
    # Keyed by enum and member: codes are strings, and two domains' codes may share a value.
    names: dict[tuple[type, str], str] = {}
    for registered in host.collect_named("register_error_codes", "error code domain").values():
        codes = registered.item.codes
        if not issubclass(codes, DomainCode):
            raise PluginError(
                f"plugin {registered.plugin!r} registered error codes {codes.__name__} that are "
                f"not a DomainCode enum"
            )
        for code in codes:
            names[type(code), code.name] = _reason_name(registered.item.domain, code)
    members = {name: name for name in sorted(names.values())} or {"NONE": "NONE"}
    reasons: Any = strawberry.enum(
        cast(Any, enum.Enum("ErrorReason", members)),
        description="Exactly what was wrong, when a domain says more than `code` does: "
        "`<DOMAIN>_<CODE>`, stable, for programs to branch on.",
    )

    @strawberry.type
    class UserErrorReason:
        @strawberry.field(description="The precise code, when there is one.")
        def reason(self) -> reasons | None:
            code = getattr(self, "reason_code", None)
            return None if code is None else reasons[names[type(code), code.name]]

    definition: Any = UserErrorReason.__strawberry_definition__  # type: ignore[attr-defined]
    fields: list[StrawberryField] = definition.fields
    return fields
