"""The search service: ranking, kinds, hostile input, tenancy, and an index that stays current."""

from __future__ import annotations

from sqlalchemy import delete, text

from rapport.core.models import ContactPoint, Workspace
from rapport.core.runtime import Runtime
from rapport.core.search import SearchKind, search
from rapport.core.services.customers import CustomerFields, delete_customer, update_customer
from rapport.core.services.interactions import delete_interaction
from rapport.core.tenancy import tenant_session
from tests.support import contact, interaction, new_workspace, operation, person

HOSTILE = [
    "'",
    '"',
    "*",
    ":",
    "ada:*",
    '"ada',
    "ada'",
    "NEAR(ada lovelace)",
    "AND OR NOT",
    "'); DROP TABLE customers; --",
    "\\",
    "%",
    "_",
    "ada & | ! ( )",
    "workspace_id : x",
    "{display_name}: ada",
    "\x00ada",
    "Ада 🙂 😀",
    "a" * 5000,
    "   ",
    "",
]


async def names(runtime: Runtime, workspace: Workspace, query: str, **options: object) -> list:
    async with tenant_session(runtime.sessions, workspace.id) as session:
        hits = await search(session, workspace.id, query, **options)
    return [(hit.kind, hit.customer.display_name) for hit in hits]


async def test_name_matches_rank_above_mentions(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        await person(op, "Grace", "Hopper", notes="Introduced by Ada at the conference")
        await person(op, "Ada", "Lovelace", industry="Mathematics")
        await person(op, "Charles", "Babbage")
    found = await names(runtime, workspace, "ada", kinds=[SearchKind.CUSTOMER])
    assert found == [
        (SearchKind.CUSTOMER, "Ada Lovelace"),
        (SearchKind.CUSTOMER, "Grace Hopper"),
    ]


async def test_prefixes_tags_and_every_kind(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        ada = await person(op, "Ada", "Lovelace", tags=["analytical"], region="London")
        await contact(op, ada, "email", "countess@engines.example")
        await interaction(op, ada, "Quarterly review", "Discussed the difference engine")
        await person(op, "Alan", "Turing")
    assert await names(runtime, workspace, "lovel") == [(SearchKind.CUSTOMER, "Ada Lovelace")]
    assert await names(runtime, workspace, "analyt london") == [
        (SearchKind.CUSTOMER, "Ada Lovelace")
    ]
    assert await names(runtime, workspace, "countess") == [
        (SearchKind.CONTACT_POINT, "Ada Lovelace")
    ]
    assert await names(runtime, workspace, "difference engine") == [
        (SearchKind.INTERACTION, "Ada Lovelace")
    ]
    only = await names(runtime, workspace, "engine", kinds=[SearchKind.INTERACTION])
    assert only == [(SearchKind.INTERACTION, "Ada Lovelace")]
    async with tenant_session(runtime.sessions, workspace.id) as session:
        hits = await search(session, workspace.id, "difference")
    assert "difference engine" in hits[0].snippet


async def test_hostile_input_is_only_text(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        ada = await person(op, "Ada", "Lovelace", notes='50% off; O\'Brien said "hi"')
        await contact(op, ada, "email", "ada_l@example.com")
    for query in HOSTILE:
        found = await names(runtime, workspace, query)
        assert all(name == "Ada Lovelace" for _, name in found), query
    assert (SearchKind.CUSTOMER, "Ada Lovelace") in await names(runtime, workspace, "ada'")
    assert (SearchKind.CUSTOMER, "Ada Lovelace") in await names(runtime, workspace, "o'brien")
    assert await names(runtime, workspace, "'); DROP TABLE customers; --") == []
    assert await names(runtime, workspace, "ada", limit=0) == []


async def test_never_returns_another_workspaces_rows(runtime: Runtime) -> None:
    mine, theirs = await new_workspace(runtime), await new_workspace(runtime)
    async with operation(runtime, theirs) as op:
        other = await person(op, "Ada", "Byron")
        await contact(op, other, "email", "ada@byron.example")
        await interaction(op, other, "Ada's poetry")
    async with operation(runtime, mine) as op:
        await person(op, "Ada", "Lovelace")
    assert await names(runtime, mine, "ada") == [(SearchKind.CUSTOMER, "Ada Lovelace")]
    assert await names(runtime, mine, "byron") == []
    assert await names(runtime, mine, "poetry") == []


async def test_index_follows_updates_and_deletes(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        ada = await person(op, "Ada", "Byron")
        point = await contact(op, ada, "phone", "+44 20 7946 0000")
        call = await interaction(op, ada, "Pricing call")
        gone = await person(op, "Charles", "Babbage")
    async with operation(runtime, workspace) as op:
        await update_customer(op, ada, CustomerFields(last_name="Lovelace"))
        await delete_customer(op, gone)
        await delete_interaction(op, call)
        await op.session.execute(delete(ContactPoint).where(ContactPoint.id == point))
    assert await names(runtime, workspace, "byron") == []
    assert await names(runtime, workspace, "lovelace") == [(SearchKind.CUSTOMER, "Ada Lovelace")]
    assert await names(runtime, workspace, "babbage") == []
    assert await names(runtime, workspace, "pricing") == []
    assert await names(runtime, workspace, "7946") == []


async def test_fuzzy_names_on_postgresql(runtime: Runtime, backend: str) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        ada = await person(op, "Ada", "Lovelace")
        await contact(op, ada, "email", "countess@engines.example")
    misspelt = await names(runtime, workspace, "Ada Lovelase", kinds=[SearchKind.CUSTOMER])
    substring = await names(runtime, workspace, "engines.exa", kinds=[SearchKind.CONTACT_POINT])
    if backend == "postgresql":
        assert misspelt == [(SearchKind.CUSTOMER, "Ada Lovelace")]
        assert substring == [(SearchKind.CONTACT_POINT, "Ada Lovelace")]
    else:
        # FTS5 matches words by prefix only.
        assert misspelt == []


async def test_postgresql_documents_match_the_indexes(runtime: Runtime, backend: str) -> None:
    """The query-side expressions are the indexed ones, or the planner could not use them."""
    if backend != "postgresql":
        return
    from rapport.core.search import postgres

    probes = {
        "ix_customers_search": "SELECT 1 FROM customers"
        " WHERE search_vector @@ to_tsquery('simple', 'ada:*')",
        "ix_contact_points_search": "SELECT 1 FROM contact_points"
        f" WHERE {postgres.CONTACT_DOCUMENT} @@ to_tsquery('simple', 'ada:*')",
        "ix_interactions_search": "SELECT 1 FROM interactions"
        " WHERE search_vector @@ to_tsquery('simple', 'ada:*')",
    }
    async with runtime.engine.connect() as connection:
        await connection.execute(text("SET enable_seqscan = off"))
        for index, probe in probes.items():
            plan = await connection.execute(text("EXPLAIN " + probe))
            described = "\n".join(row[0] for row in plan)
            assert index in described, described
