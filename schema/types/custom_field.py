"""Custom field definitions in GraphQL: list them, define new ones."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from rapport.core.models import CustomFieldDefinition as DefinitionRow
from rapport.core.services import custom_fields as service
from rapport.schema.context import Info, context_of
from rapport.schema.errors import UserError
from rapport.schema.inputs import explicit_nulls, given
from rapport.schema.loaders import run_select
from rapport.schema.mutations import mutate
from rapport.schema.relay import ModelNode

__all__ = ["CustomFieldDefinition", "CustomFieldMutations", "CustomFieldQueries"]


@strawberry.enum
class CustomFieldType(Enum):
    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    SELECT = "select"
    MULTISELECT = "multiselect"


@strawberry.type(description="A workspace's own field on customers, set in `attributes`.")
class CustomFieldDefinition(ModelNode):
    __model__ = DefinitionRow
    __permission__ = "customers:read"
    __hide_deleted__ = False

    id: relay.NodeID[str]
    entity: str
    key: str
    label: str
    field_type: CustomFieldType
    options: list[str]
    required: bool
    description: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, row: DefinitionRow) -> CustomFieldDefinition:
        return cls(
            id=str(row.id),
            entity=row.entity,
            key=row.key,
            label=row.label,
            field_type=CustomFieldType(row.field_type),
            options=list(row.options or []),
            required=row.required,
            description=row.description,
            created_at=row.created_at,
        )


@strawberry.type
class CustomFieldQueries:
    @strawberry.field(description="The custom fields customers have in this workspace.")
    async def custom_fields(self, info: Info) -> list[CustomFieldDefinition]:
        context = context_of(info)
        context.require("customers:read")
        rows = await run_select(context, select(DefinitionRow).order_by(DefinitionRow.key))
        return [CustomFieldDefinition.from_model(row) for row in rows]


@strawberry.input
class CustomFieldInput:
    key: str
    label: str
    field_type: CustomFieldType
    options: list[str] | None = None
    required: bool = False
    description: str | None = None


@strawberry.input(description="What to change; a field left out stays, null clears it.")
class CustomFieldChanges:
    label: str | None = strawberry.UNSET
    options: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The full list of choices; existing ones must stay."
    )
    required: bool | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.type
class CustomFieldPayload:
    custom_field: CustomFieldDefinition | None
    errors: list[UserError]


@strawberry.type
class CustomFieldMutations:
    @strawberry.mutation(description="Add a custom field to customers.")
    async def define_custom_field(self, info: Info, input: CustomFieldInput) -> CustomFieldPayload:
        async def work(op: Any) -> DefinitionRow:
            return await service.define_custom_field(
                op,
                key=input.key,
                label=input.label,
                field_type=input.field_type.value,
                options=input.options,
                required=input.required,
                description=input.description,
            )

        return _payload(*await mutate(info, "settings:write", work))

    @strawberry.mutation(description="Relabel a custom field, require it, or add choices.")
    async def update_custom_field(
        self, info: Info, key: str, input: CustomFieldChanges
    ) -> CustomFieldPayload:
        async def work(op: Any) -> DefinitionRow:
            return await service.update_custom_field(
                op,
                key,
                label=given(input.label),
                options=given(input.options),
                required=given(input.required),
                description=given(input.description),
                cleared=explicit_nulls(input),
            )

        return _payload(*await mutate(info, "settings:write", work))

    @strawberry.mutation(description="Remove a custom field that no customer holds a value for.")
    async def delete_custom_field(self, info: Info, key: str) -> CustomFieldPayload:
        async def work(op: Any) -> DefinitionRow:
            return await service.delete_custom_field(op, key)

        return _payload(*await mutate(info, "settings:write", work))


def _payload(row: DefinitionRow | None, errors: list[UserError]) -> CustomFieldPayload:
    return CustomFieldPayload(
        custom_field=CustomFieldDefinition.from_model(row) if row else None, errors=errors
    )
