"""``createCustomers``: many customers in one call, with a result per item."""

from __future__ import annotations

from typing import Any

import strawberry

from rapport.core.errors import DomainError, ErrorCode, FieldError
from rapport.core.services import bulk as service
from rapport.schema.context import Info
from rapport.schema.errors import UserError
from rapport.schema.mutations import mutate
from rapport.schema.types.customer import CreateCustomerInput, Customer

__all__ = ["BulkMutations"]


@strawberry.type(description="What became of one item of a bulk call.")
class CustomerItemResult:
    index: int = strawberry.field(description="Position of the item in `inputs`.")
    customer: Customer | None = strawberry.field(description="The customer, when created.")
    errors: list[UserError]


@strawberry.type
class CreateCustomersPayload:
    results: list[CustomerItemResult]
    created_count: int
    errors: list[UserError] = strawberry.field(description="Failures of the call as a whole.")


def _user_errors(errors: list[FieldError]) -> list[UserError]:
    return [
        UserError(field=e.field, code=e.kind, message=e.message, reason_code=e.reason)
        for e in errors
    ]


def _payload(result: service.BulkResult) -> CreateCustomersPayload:
    errors: list[UserError] = []
    if not result.kept:
        errors.append(
            UserError(
                field="inputs",
                code=ErrorCode.INVALID,
                message=f"{result.failed} of {len(result.items)} items are invalid; "
                "nothing was created",
            )
        )
    return CreateCustomersPayload(
        results=[
            CustomerItemResult(
                index=item.index,
                customer=Customer.from_model(item.customer) if item.customer else None,
                errors=_user_errors(item.errors),
            )
            for item in result.items
        ],
        created_count=result.created,
        errors=errors,
    )


def _fields(inputs: list[CreateCustomerInput]) -> list[Any]:
    parsed: list[Any] = []
    for index, item in enumerate(inputs):
        try:
            parsed.append(item.to_fields(prefix=f"inputs.{index}."))
        except DomainError as error:
            parsed.append(error)
    return parsed


@strawberry.type
class BulkMutations:
    @strawberry.mutation(
        description=f"Create up to {service.MAX_BULK_ITEMS} customers. With `allOrNothing` "
        "(the default) any invalid item means none is created; otherwise the valid ones are."
    )
    async def create_customers(
        self, info: Info, inputs: list[CreateCustomerInput], all_or_nothing: bool = True
    ) -> CreateCustomersPayload:
        async def work(op: Any) -> service.BulkResult:
            return await service.create_customers(
                op, _fields(inputs), all_or_nothing=all_or_nothing
            )

        result, errors = await mutate(info, "customers:write", work)
        if result is None:
            return CreateCustomersPayload(results=[], created_count=0, errors=errors)
        return _payload(result)
