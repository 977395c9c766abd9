"""What a create or an update was given: values to set, and fields to clear.

A service's field dataclass holds ``None`` for every field it was not given, so validation can
keep asking ``is not None``. The fields given as an explicit null are named in ``cleared``:
an update clears those that may be empty and refuses those the record cannot do without; a
create ignores them (a null there is the same as leaving the field out).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import FieldError, ValidationFailed

__all__ = ["FieldValues", "camel_case"]


def camel_case(name: str) -> str:
    """A Python field name as the API spells it: ``birth_date`` -> ``birthDate``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass
class FieldValues:
    """The base of the services' field dataclasses.

    ``api_names`` spells the fields whose API name is not their own in camelCase, for errors.
    """

    api_names: ClassVar[dict[str, str]] = {}
    cleared: frozenset[str] = field(default=frozenset(), kw_only=True)

    @classmethod
    def names(cls) -> list[str]:
        """The record's fields this dataclass carries."""
        return [item.name for item in dataclasses.fields(cls) if item.name != "cleared"]

    def given(self) -> dict[str, Any]:
        """The fields given a value (not None), as ``{name: value}``."""
        values = {name: getattr(self, name) for name in self.names()}
        return {name: value for name, value in values.items() if value is not None}

    def patch(self, model: type, prefix: str = "input.") -> dict[str, Any]:
        """The given values and, as ``None``, the cleared fields; ValidationFailed naming each
        cleared field that ``model`` requires (a column that is not nullable, or no column)."""
        columns = model.__table__.columns  # type: ignore[attr-defined]
        errors = [
            FieldError(
                f"{prefix}{self.api_names.get(name, camel_case(name))}",
                CoreErrorCode.CANNOT_CLEAR,
                "is required and cannot be cleared",
            )
            for name in sorted(self.cleared)
            if name not in columns or not columns[name].nullable
        ]
        if errors:
            raise ValidationFailed(errors)
        return self.given() | dict.fromkeys(self.cleared)
