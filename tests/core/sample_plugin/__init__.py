"""A plugin that uses every hook, so the tests can check each one end to end."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import click
import strawberry
from sqlalchemy import String, func, literal, null, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Route
from strawberry.dataloader import DataLoader

from rapport.core import (
    CUSTOMER_SCOPE,
    AccessPolicy,
    AnySelect,
    ChurnSignal,
    Customer,
    CustomerCreated,
    CustomerLink,
    CustomerMerged,
    DataLoaderFactory,
    DemoData,
    DomainCode,
    DomainEvent,
    ErrorCode,
    ErrorCodes,
    Event,
    EventHandler,
    EventType,
    GraphQLPart,
    Interaction,
    InteractionKind,
    Job,
    JobContext,
    MigrationBranch,
    Operation,
    Permission,
    PluginInfo,
    PotentialValueSource,
    Register,
    RelationshipType,
    Role,
    TenantMixin,
    ValidationFailed,
    ValueKind,
    ValueSource,
    hookimpl,
)
from rapport.schema import Info, context_of

plugin_info = PluginInfo(name="sample", version="9.9.9", description="exercises every hook")

# What the hooks observed, for the tests to read.
seen: dict[str, list[Any]] = {
    "after_commit": [],
    "before_commit": [],
    "jobs": [],
    "demo": [],
    "merged": [],
}


class SampleBase(DeclarativeBase):
    """Its own metadata, so the sample table never joins the real schema's."""


class SampleNote(TenantMixin, SampleBase):
    __tablename__ = "sample_notes"
    text: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[uuid.UUID | None]


class SamplePinged(Event, name="sample.pinged", entity_type="Sample"):
    id: uuid.UUID


class SampleErrorCode(DomainCode):
    VETOED = "vetoed", ErrorCode.INVALID


@hookimpl
def register_migrations(register: Register[MigrationBranch]) -> None:
    register(MigrationBranch("sample", Path(__file__).parent / "migrations" / "versions"))


@hookimpl
def register_roles(register: Register[Role]) -> None:
    register(Role("auditor", "reads samples", permissions=("sample:read",)))
    register(Role("restricted", "sees only public customers", inherits=("viewer",)))
    register(Role("scoped", "sees public customers and what belongs to them", inherits=("viewer",)))


@hookimpl
def register_permissions(register: Register[Permission]) -> None:
    register(Permission("sample:read", "read samples", roles=("viewer",)))


@hookimpl
def register_relationship_types(register: Register[RelationshipType]) -> None:
    register(RelationshipType("mentor_of", "mentor of", "mentee of"))


@hookimpl
def register_interaction_kinds(register: Register[InteractionKind]) -> None:
    register(InteractionKind("webinar", "Webinar"))


@hookimpl
def register_event_types(register: Register[EventType]) -> None:
    register(EventType(SamplePinged, "the sample route was called"))


@hookimpl
def register_error_codes(register: Register[ErrorCodes]) -> None:
    register(ErrorCodes("sample", SampleErrorCode))


async def _count_merge(event: DomainEvent, operation: Operation | None) -> None:
    assert isinstance(event.payload, CustomerMerged)
    seen["merged"].append((event.payload.survivor_id, event.payload.merged_ids))


@hookimpl
def register_event_handlers(register: Register[EventHandler]) -> None:
    register(EventHandler(CustomerMerged, _count_merge))


@hookimpl
def register_access_policies(register: Register[AccessPolicy]) -> None:
    def public_only(actor: Any) -> Any:
        if actor.role != "restricted":
            return None
        return lambda cls: cls.region == "public"

    register(AccessPolicy(Customer, public_only))

    def public_scope(actor: Any) -> Any:
        if actor.role != "scoped":
            return None
        customers = Customer.__table__
        return lambda: select(customers.c.id).where(
            customers.c.workspace_id == actor.workspace_id, customers.c.region == "public"
        )

    register(AccessPolicy(CUSTOMER_SCOPE, public_scope))


@hookimpl
def register_customer_links(register: Register[CustomerLink]) -> None:
    register(CustomerLink(SampleNote))


def _name_lengths(context: Any) -> DataLoader[uuid.UUID, int]:
    async def load(ids: list[uuid.UUID]) -> list[int]:
        async with context.db() as session:
            rows = await session.execute(
                select(Customer.id, func.length(Customer.display_name)).where(Customer.id.in_(ids))
            )
        lengths = {row[0]: row[1] for row in rows}
        return [lengths.get(i, 0) for i in ids]

    return DataLoader(load_fn=load)


@hookimpl
def register_dataloaders(register: Register[DataLoaderFactory]) -> None:
    register(DataLoaderFactory("sample.name_length", _name_lengths))


@strawberry.type
class SampleQueries:
    @strawberry.field
    def sample_echo(self, text: str) -> str:
        return text


@strawberry.type
class CustomerSampleFields:
    @strawberry.field(description="The display name, louder.")
    def shout(self) -> str:
        return self.display_name.upper()  # type: ignore[attr-defined]

    @strawberry.field
    async def name_length(self, info: Info) -> int:
        return await context_of(info).loader("sample.name_length").load(self.pk)  # type: ignore[attr-defined]


@hookimpl
def register_graphql(register: Register[GraphQLPart]) -> None:
    register(GraphQLPart(SampleQueries, extend={"Customer": CustomerSampleFields}))


@hookimpl
def register_routes(register: Register[BaseRoute], runtime: Any) -> None:
    async def ping(_request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"pong from {len(runtime.host.order)} plugins")

    register(Route("/sample/ping", ping))


@hookimpl
def register_jobs(register: Register[Job]) -> None:
    async def tick(context: JobContext) -> None:
        seen["jobs"].append(context.runtime)

    register(Job("sample.tick", 3600, tick))


@click.command("sample-hello")
def hello() -> None:
    """Say hello."""
    click.echo("hello from the sample plugin")


@hookimpl
def register_commands(register: Register[click.Command]) -> None:
    register(hello)


@hookimpl
def register_demo_data(register: Register[DemoData]) -> None:
    async def load(session: Any, workspace: Any, rng: Any) -> None:
        session.add(SampleNote(workspace_id=workspace.id, text=f"note {rng.randint(1, 9)}"))
        seen["demo"].append(workspace.name)

    register(DemoData("sample.notes", load))


@hookimpl
def before_commit(event: DomainEvent, session: Any, operation: Any) -> None:
    seen["before_commit"].append((event.name, operation.actor.role, event.actor_role))
    payload = event.payload
    if isinstance(payload, CustomerCreated) and payload.display_name == "Veto Me":
        raise ValidationFailed.one(
            "input.lastName", "the sample plugin vetoes this name", SampleErrorCode.VETOED
        )


@hookimpl
def after_commit(event: DomainEvent) -> None:
    seen["after_commit"].append(event.name)


def _paid_webinars(workspace_id: uuid.UUID) -> AnySelect:
    """Webinars are billed by the second, in the reporting currency."""
    return select(
        Interaction.customer_id,
        Interaction.occurred_at,
        Interaction.duration_seconds.label("amount"),
        null().label("currency"),
    ).where(Interaction.workspace_id == workspace_id, Interaction.kind == "webinar")


def _noted(workspace_id: uuid.UUID, now: Any) -> AnySelect:
    return select(SampleNote.customer_id, literal(0.5).label("weight")).where(
        SampleNote.workspace_id == workspace_id, SampleNote.customer_id.is_not(None)
    )


def _note_potential(workspace_id: uuid.UUID) -> AnySelect:
    return select(
        SampleNote.customer_id, literal(100).label("amount"), null().label("currency")
    ).where(SampleNote.workspace_id == workspace_id, SampleNote.customer_id.is_not(None))


@hookimpl
def register_value_sources(register: Register[ValueSource]) -> None:
    register(ValueSource("sample.webinars", ValueKind.REVENUE, _paid_webinars))


@hookimpl
def register_churn_signals(register: Register[ChurnSignal]) -> None:
    register(ChurnSignal("noted", "someone wrote a note about the customer", _noted))


@hookimpl
def register_potential_value_sources(register: Register[PotentialValueSource]) -> None:
    register(PotentialValueSource("sample.notes", _note_potential))
