"""Creating many customers in one call, each item reported on its own.

Every item runs in its own savepoint, so one bad item never poisons the session for the
rest and every item's errors are reported. All-or-nothing mode then undoes the whole batch
when any item failed; per-item mode keeps the good ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapport.core.errors import DomainError, ErrorCode, FieldError, ValidationFailed
from rapport.core.models import Customer
from rapport.core.services.customers import CustomerFields, create_customer
from rapport.core.services.operation import Operation

__all__ = ["MAX_BULK_ITEMS", "BulkResult", "ItemResult", "create_customers"]

MAX_BULK_ITEMS = 100


@dataclass(frozen=True)
class ItemResult:
    index: int
    customer: Customer | None
    errors: list[FieldError] = field(default_factory=list)


@dataclass(frozen=True)
class BulkResult:
    items: list[ItemResult]
    kept: bool

    @property
    def created(self) -> int:
        return sum(1 for item in self.items if item.customer is not None)

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items if item.errors)


async def create_customers(
    op: Operation,
    items: Sequence[CustomerFields | DomainError],
    *,
    all_or_nothing: bool = True,
    prefix: str = "inputs",
) -> BulkResult:
    """Create each item; an item given as a DomainError failed before it got here (parsing).

    Field paths of item ``i`` start with ``{prefix}.{i}.``.
    """
    if len(items) > MAX_BULK_ITEMS:
        raise ValidationFailed.one(
            prefix, f"at most {MAX_BULK_ITEMS} items per call", ErrorCode.LIMIT_EXCEEDED
        )
    results: list[ItemResult] = []
    async with op.savepoint() as batch:
        for index, item in enumerate(items):
            if isinstance(item, DomainError):
                results.append(ItemResult(index, None, item.errors))
                continue
            try:
                async with op.savepoint():
                    customer = await create_customer(op, item, f"{prefix}.{index}.")
            except DomainError as error:
                results.append(ItemResult(index, None, error.errors))
                continue
            results.append(ItemResult(index, customer))
        if all_or_nothing and any(result.errors for result in results):
            batch.keep = False
            results = [ItemResult(result.index, None, result.errors) for result in results]
    return BulkResult(results, kept=batch.keep)
