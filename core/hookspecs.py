"""The plugin contract: every hook Rapport calls, one signature and one docstring each.

Contribution hooks receive a ``register`` callback rather than returning lists, so the host can
check each object, name the plugin in every error, refuse duplicates and keep a deterministic
order. ``register`` takes exactly one of the typed objects of :mod:`rapport.core.contributions`.
Event hooks receive the event itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
import pluggy
from starlette.routing import BaseRoute

from rapport.core import contributions as c
from rapport.core.contributions import Register

if TYPE_CHECKING:
    from rapport.core.events import DomainEvent
    from rapport.core.runtime import Runtime

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("rapport")
hookimpl = pluggy.HookimplMarker("rapport")


@hookspec
def register_migrations(register: Register[c.MigrationBranch]) -> None:
    """Register the folder of this plugin's Alembic revisions, on a branch of its own."""


@hookspec
def register_permissions(register: Register[c.Permission]) -> None:
    """Register permissions, and the standard roles that get each by default."""


@hookspec
def register_roles(register: Register[c.Role]) -> None:
    """Register roles: named sets of permissions, possibly inheriting other roles'."""


@hookspec
def register_relationship_types(register: Register[c.RelationshipType]) -> None:
    """Register kinds of relationship between customers."""


@hookspec
def register_interaction_kinds(register: Register[c.InteractionKind]) -> None:
    """Register interaction kinds for the timeline."""


@hookspec
def register_event_types(register: Register[c.EventType]) -> None:
    """Register the domain events this plugin emits, each an :class:`Event` subclass."""


@hookspec
def register_event_handlers(register: Register[c.EventHandler]) -> None:
    """Run code on one event type, before or after its transaction commits.

    The event type must be registered by an enabled plugin (this one or one it requires);
    a handler of an unknown event is an error at startup.
    """


@hookspec
def register_error_codes(register: Register[c.ErrorCodes]) -> None:
    """Register this plugin's error codes (an enum of ``DomainCode``), for payload errors."""


@hookspec
def register_customer_links(register: Register[c.CustomerLink]) -> None:
    """Declare tables whose rows belong to a customer.

    A row belongs to every customer named in its ``columns`` (``customer_id`` by default).
    An access policy on the customer scope (see ``register_access_policies``) then limits
    these rows too: a row is visible when any of its customers is, or when it names none.
    When customers merge, core re-points these columns at the survivor.
    """


@hookspec
def register_access_policies(register: Register[c.AccessPolicy]) -> None:
    """Limit the rows an actor may see and change: ``AccessPolicy(model, policy)``.

    ``policy(actor)`` returns None (no limit for this actor) or ``lambda cls: condition``, a
    SQL condition on ``model`` that every statement of the actor's operations then carries,
    the same way tenancy does: lists, ``node(id:)``, search, aggregates and writes alike.
    Build any subquery inside the lambda and close over plain values only (ids, names), so
    statements stay cacheable. Subqueries should select from ``Model.__table__`` (tables are
    not ORM entities, so policies do not apply to them again, recursively) and must carry
    their own ``workspace_id`` condition for the same reason.

    ``AccessPolicy(CUSTOMER_SCOPE, policy)`` limits customers and every customer-linked table
    at once (core's and every plugin's): there ``policy(actor)`` returns None or a function
    that builds the select of the customer ids the actor may see.
    """


@hookspec
def register_graphql(register: Register[c.GraphQLPart]) -> None:
    """Contribute to the GraphQL schema: ``GraphQLPart(query=, mutation=, types=, extend=)``.

    ``query`` and ``mutation`` are strawberry types whose fields join the root types; ``types``
    are extra types (such as new ``Node`` implementations); ``extend`` maps the name of an
    existing type to a strawberry type whose fields are added onto it.
    """


@hookspec
def register_dataloaders(register: Register[c.DataLoaderFactory]) -> None:
    """Register per-request DataLoader factories, called once per request on first use."""


@hookspec
def register_routes(register: Register[BaseRoute], runtime: Runtime) -> None:
    """Add HTTP routes to the app: a Starlette ``Route`` or ``Mount``."""


@hookspec
def register_jobs(register: Register[c.Job]) -> None:
    """Add background jobs run by ``rapport worker``.

    ``run(context)`` is an async callable that receives a :class:`JobContext`; writes go through
    ``async for op in context.each_workspace()``, one system operation per workspace.
    """


@hookspec
def register_value_sources(register: Register[c.ValueSource]) -> None:
    """Register where money received (revenue) or engagement comes from, as SQL selects.

    Customer insights (RFM, lifetime value, churn) read customers' history only through these,
    so a plugin's revenue counts as soon as it registers its source.
    """


@hookspec
def register_churn_signals(register: Register[c.ChurnSignal]) -> None:
    """Register signs that customers are leaving (open complaints, bad surveys, closed accounts)."""


@hookspec
def register_potential_value_sources(register: Register[c.PotentialValueSource]) -> None:
    """Register value customers may still bring (open weighted pipeline, cross-sell)."""


@hookspec
def register_commands(register: Register[click.Command]) -> None:
    """Add subcommands to the ``rapport`` CLI."""


@hookspec
def register_demo_data(register: Register[c.DemoData]) -> None:
    """Add sample data to ``serve --demo``; loaders are awaited in the demo workspace's session."""


@hookspec
def before_commit(event: DomainEvent, session: Any, operation: Any) -> Any:
    """Called for each domain event inside its transaction; raise to veto the change.

    ``operation`` is the emitting :class:`~rapport.core.Operation`: write through its session
    and record audit entries with ``operation.audit(...)``, as a service would. To act on one
    event type only, register an :class:`EventHandler` instead.
    """


@hookspec
def after_commit(event: DomainEvent) -> Any:
    """Called for each domain event once its transaction has committed."""
