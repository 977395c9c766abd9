"""Duplicate detection (``customerDuplicates``) and merging (``mergeCustomers``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from rapport.core.errors import NotFound, ValidationFailed
from rapport.core.services import duplicates, merge
from rapport.schema.context import Info, context_of
from rapport.schema.errors import BadRequest, UserError
from rapport.schema.mutations import mutate
from rapport.schema.relay import decode_node_id
from rapport.schema.types.customer import Customer

__all__ = ["MergeMutations", "MergeQueries"]

DuplicateReasonKind = strawberry.enum(
    duplicates.ReasonKind, description="Why two customers look like one."
)
MAX_DUPLICATES = 50


@strawberry.type
class DuplicateReason:
    kind: DuplicateReasonKind  # type: ignore[valid-type]
    detail: str = strawberry.field(description="The shared value, or the name similarity.")


@strawberry.type(description="A customer that is probably the same as the one asked about.")
class DuplicateCandidate:
    customer: Customer
    score: float = strawberry.field(description="0..1; above 0.5 is a strong match.")
    reasons: list[DuplicateReason]


@strawberry.type
class MergeQueries:
    @strawberry.field(description="Likely duplicates of a customer in the workspace.")
    async def customer_duplicates(
        self, info: Info, id: relay.GlobalID, first: int = 10
    ) -> list[DuplicateCandidate]:
        context = context_of(info)
        actor = context.require("customers:read")
        if not 0 <= first <= MAX_DUPLICATES:
            raise BadRequest(f"`first` must be between 0 and {MAX_DUPLICATES}")
        try:
            customer_id = decode_node_id(id, Customer, "id")
        except ValidationFailed:
            return []
        async with context.db() as session:
            try:
                found = await duplicates.find_duplicates(
                    session, actor.workspace_id, customer_id, first
                )
            except NotFound:
                return []
        return [
            DuplicateCandidate(
                customer=Customer.from_model(c.customer),
                score=c.score,
                reasons=[DuplicateReason(kind=r.kind, detail=r.detail) for r in c.reasons],
            )
            for c in found
        ]


@strawberry.type(description="What a merge moves to the survivor.")
class MergeCounts:
    contact_points: int
    contact_points_dropped: int = strawberry.field(description="Exact duplicates, removed.")
    relationships: int
    relationships_dropped: int = strawberry.field(
        description="Edges that would join the survivor to itself or repeat one."
    )
    interactions: int
    participants: int
    tasks: int


@strawberry.type
class MergeCustomersPayload:
    survivor: Customer | None = strawberry.field(
        description="The survivor after the merge, with everything it took over (as it would "
        "be, on a dry run)."
    )
    merged: list[Customer] = strawberry.field(
        description="The merged customers, deleted (as they would be, on a dry run)."
    )
    counts: MergeCounts | None
    dry_run: bool
    errors: list[UserError]


def _ids(value: list[relay.GlobalID]) -> list[Any]:
    return [decode_node_id(item, Customer, f"mergedIds.{i}") for i, item in enumerate(value)]


@strawberry.type
class MergeMutations:
    @strawberry.mutation(
        description="Merge customers into a survivor; `dryRun` reports without changing anything."
    )
    async def merge_customers(
        self,
        info: Info,
        survivor_id: relay.GlobalID,
        merged_ids: list[relay.GlobalID],
        dry_run: bool = False,
    ) -> MergeCustomersPayload:
        async def work(op: Any) -> merge.MergeResult:
            survivor = decode_node_id(survivor_id, Customer, "survivorId")
            # A dry run merges for real in a transaction that is never committed, so the
            # payload (the survivor's contact points and relationships too) reads as after.
            return await merge.merge_customers(op, survivor, _ids(merged_ids))

        result, errors = await mutate(info, "customers:merge", work, dry_run=dry_run)
        if result is None:
            return MergeCustomersPayload(
                survivor=None, merged=[], counts=None, dry_run=dry_run, errors=errors
            )
        return MergeCustomersPayload(
            survivor=Customer.from_model(result.survivor),
            merged=[Customer.from_model(row) for row in result.merged],
            counts=MergeCounts(**vars(result.counts)),
            dry_run=dry_run,
            errors=[],
        )
