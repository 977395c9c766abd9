"""The plugin contract: every hook Rapport calls, one signature and one docstring each.

Contribution hooks receive a ``register`` callback rather than returning lists, so the host can
validate each contribution, refuse duplicates with a clear message and keep a deterministic
order. Event hooks receive the event itself.
"""

from __future__ import annotations

from typing import Any

import pluggy

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("rapport")
hookimpl = pluggy.HookimplMarker("rapport")


@hookspec
def register_migrations(register: Any) -> None:
    """Register the folder of this plugin's Alembic revisions: ``register(branch, path)``."""


@hookspec
def register_permissions(register: Any) -> None:
    """Register permission names: ``register(name, description, roles=("admin", ...))``."""


@hookspec
def register_roles(register: Any) -> None:
    """Register roles: ``register(name, description, permissions=(...), inherits=(...))``."""


@hookspec
def register_relationship_types(register: Any) -> None:
    """Register relationship types: ``register(key, label, inverse_label, symmetric=False)``."""


@hookspec
def register_interaction_kinds(register: Any) -> None:
    """Register interaction kinds for the timeline: ``register(key, label)``."""


@hookspec
def register_event_types(register: Any) -> None:
    """Register domain event names this plugin emits: ``register(name, description)``."""


@hookspec
def register_customer_links(register: Any) -> None:
    """Declare tables whose rows belong to a customer: ``register(model, *columns)``.

    A row belongs to every customer named in its ``columns`` (``customer_id`` by default).
    An access policy on the customer scope (see ``register_access_policies``) then limits
    these rows too: a row is visible when any of its customers is, or when it names none.
    """


@hookspec
def register_access_policies(register: Any) -> None:
    """Limit the rows an actor may see and change: ``register(model, policy)``.

    ``policy(actor)`` returns None (no limit for this actor) or ``lambda cls: condition``, a
    SQL condition on ``model`` that every statement of the actor's operations then carries,
    the same way tenancy does: lists, ``node(id:)``, search, aggregates and writes alike.
    Build any subquery inside the lambda and close over plain values only (ids, names), so
    statements stay cacheable. Subqueries should select from ``Model.__table__`` (tables are
    not ORM entities, so policies do not apply to them again, recursively) and must carry
    their own ``workspace_id`` condition for the same reason.

    ``register(CUSTOMER_SCOPE, policy)`` limits customers and every customer-linked table at
    once (core's and every plugin's): there ``policy(actor)`` returns None or a function that
    builds the select of the customer ids the actor may see.
    """


@hookspec
def register_graphql(register: Any) -> None:
    """Contribute to the GraphQL schema: ``register(query=, mutation=, types=, extend=)``.

    ``query`` and ``mutation`` are strawberry types whose fields join the root types; ``types``
    are extra types (such as new ``Node`` implementations); ``extend`` maps the name of an
    existing type to a strawberry type whose fields are added onto it.
    """


@hookspec
def register_dataloaders(register: Any) -> None:
    """Register per-request DataLoader factories: ``register(name, factory)``.

    ``factory(context)`` is called once per request and returns the loader.
    """


@hookspec
def register_routes(register: Any, runtime: Any) -> None:
    """Add HTTP routes to the app: ``register(route)`` with a Starlette ``Route`` or ``Mount``.

    ``runtime`` is the app's :class:`~rapport.core.runtime.Runtime`.
    """


@hookspec
def register_jobs(register: Any) -> None:
    """Add background jobs run by ``rapport worker``: ``register(name, every_seconds, run)``.

    ``run(context)`` is an async callable that receives a :class:`JobContext`; writes go through
    ``async for op in context.each_workspace()``, one system operation per workspace.
    """


@hookspec
def register_commands(register: Any) -> None:
    """Add subcommands to the ``rapport`` CLI: ``register(click_command)``."""


@hookspec
def register_demo_data(register: Any) -> None:
    """Add sample data to ``serve --demo``: ``register(name, loader)``.

    ``loader(session, workspace, rng)`` is awaited inside the demo workspace's session.
    """


@hookspec
def before_commit(event: Any, session: Any, operation: Any) -> Any:
    """Called for each domain event inside its transaction; raise to veto the change.

    ``operation`` is the emitting :class:`~rapport.core.Operation`: write through its session
    and record audit entries with ``operation.audit(...)``, as a service would.
    """


@hookspec
def after_commit(event: Any) -> Any:
    """Called for each domain event once its transaction has committed."""
