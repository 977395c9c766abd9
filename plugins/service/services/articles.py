"""The knowledge base: articles (draft -> published -> archived) with versions, feedback,
full-text search on both engines, and suggestions for a case from its own text.

Search reads the database's own indexes (revision ``service_0002``): a ``simple`` full-text
expression index on PostgreSQL, FTS5 on SQLite. What a user typed is reduced to words by the
core search's query parser, so no input can change the shape of the query.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import (
    Conflict,
    FieldValues,
    Operation,
    QueryTerms,
    ValidationFailed,
    apply_changes,
    parse_query,
    utcnow,
)
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.events import ArticlePublished
from rapport.plugins.service.models import Article, ArticleFeedback, ArticleVersion, Case
from rapport.plugins.service.services.common import Problems, get_row

__all__ = [
    "ArticleFields",
    "create_article",
    "give_feedback",
    "move_article",
    "search_articles",
    "suggest_for_case",
    "update_article",
]

# Letters and digits of any script, as the core search's query parser splits words.
WORD = re.compile(r"[^\W_]+")
SUGGESTION_TERMS = 8
ARTICLE_MOVES = {"PUBLISHED": ("DRAFT", "ARCHIVED"), "ARCHIVED": ("PUBLISHED",), "DRAFT": ()}

POSTGRES_SQL = """
SELECT a.id AS id,
       ts_rank(to_tsvector('simple', coalesce(a.title, '') || ' ' || coalesce(a.body, '')),
               to_tsquery('simple', :query)) AS score
FROM service_articles AS a
WHERE a.workspace_id = :workspace_id
  AND to_tsvector('simple', coalesce(a.title, '') || ' ' || coalesce(a.body, ''))
      @@ to_tsquery('simple', :query)
ORDER BY score DESC, a.id LIMIT :limit
"""
SQLITE_SQL = """
SELECT a.id AS id, -bm25(fts_service_articles, 0, 5, 1) AS score
FROM fts_service_articles JOIN service_articles AS a ON a.rowid = fts_service_articles.rowid
WHERE fts_service_articles MATCH :query AND a.workspace_id = :workspace_id
ORDER BY score DESC, a.id LIMIT :limit
"""


@dataclass
class ArticleFields(FieldValues):
    title: str | None = None
    body: str | None = None
    category: str | None = None
    locale: str | None = None


def _check(problems: Problems, data: ArticleFields, creating: bool) -> None:
    if creating or data.title is not None:
        problems.required("title", data.title)
    if creating or data.body is not None:
        problems.required("body", data.body)
    problems.length("title", data.title, 300)
    problems.length("category", data.category, 100)
    if data.locale is not None and not (2 <= len(data.locale) <= 10):
        problems.add("locale", "a language tag such as en or fr-BE")


def _version(op: Operation, article: Article) -> None:
    op.session.add(
        ArticleVersion(
            workspace_id=op.workspace_id,
            article_id=article.id,
            version=article.version,
            title=article.title,
            body=article.body,
            saved_at=utcnow(),
        )
    )


async def create_article(op: Operation, data: ArticleFields) -> Article:
    problems = Problems()
    _check(problems, data, creating=True)
    problems.raise_if_any()
    article = Article(
        workspace_id=op.workspace_id,
        title=(data.title or "").strip(),
        body=data.body or "",
        category=data.category,
        locale=data.locale or "en",
        status="DRAFT",
        version=1,
    )
    op.session.add(article)
    await op.session.flush()
    _version(op, article)
    op.audit("Article", article.id, "create", {"title": [None, article.title]})
    return article


async def update_article(op: Operation, article_id: uuid.UUID, data: ArticleFields) -> Article:
    article = await get_row(op, Article, article_id, "id", "article")
    problems = Problems()
    _check(problems, data, creating=False)
    problems.raise_if_any()
    if article.status == "ARCHIVED":
        raise Conflict("id", "an archived article is not edited; publish it again first")
    changes = apply_changes(article, data.patch(Article))
    if "title" in changes or "body" in changes:
        article.version += 1
        _version(op, article)
    await op.session.flush()
    op.audit("Article", article.id, "update", changes)
    return article


async def move_article(op: Operation, article_id: uuid.UUID, status: str) -> Article:
    article = await get_row(op, Article, article_id, "id", "article")
    if article.status not in ARTICLE_MOVES.get(status, ()):
        raise ValidationFailed.one(
            "status",
            f"a {article.status} article cannot become {status}",
            ServiceErrorCode.ILLEGAL_TRANSITION,
        )
    before = article.status
    article.status = status
    if status == "PUBLISHED":
        article.published_at = utcnow()
    await op.session.flush()
    op.audit("Article", article.id, "move", {"status": [before, status]})
    if status == "PUBLISHED":
        await op.emit(ArticlePublished(id=article.id, version=article.version))
    return article


async def give_feedback(
    op: Operation,
    article_id: uuid.UUID,
    helpful: bool,
    comment: str | None,
    case_id: uuid.UUID | None,
) -> Article:
    article = await get_row(op, Article, article_id, "articleId", "article")
    problems = Problems("")
    await problems.exists(op, "caseId", Case, case_id, "case")
    problems.length("comment", comment, 4000)
    if article.status != "PUBLISHED":
        problems.add(
            "articleId", "only a published article is rated", ServiceErrorCode.ARTICLE_NOT_PUBLISHED
        )
    problems.raise_if_any()
    op.session.add(
        ArticleFeedback(
            workspace_id=op.workspace_id,
            article_id=article.id,
            case_id=case_id,
            helpful=helpful,
            comment=comment,
            given_at=utcnow(),
        )
    )
    if helpful:
        article.helpful_count += 1
    else:
        article.unhelpful_count += 1
    await op.session.flush()
    return article


async def _ranked(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    terms: QueryTerms,
    every_term: bool,
    limit: int,
) -> list[uuid.UUID]:
    if not terms:
        return []
    if session.get_bind().dialect.name == "postgresql":
        joiner = " & " if every_term else " | "
        query, sql = joiner.join(f"'{term}':*" for term in terms.terms), POSTGRES_SQL
    else:
        joiner = " AND " if every_term else " OR "
        words = joiner.join(f'"{term}"*' for term in terms.terms)
        query, sql = f'workspace_id : "{workspace_id.hex}" AND ({words})', SQLITE_SQL
    statement = text(sql).bindparams(bindparam("workspace_id", type_=Uuid())).columns(id=Uuid())
    found = await session.execute(
        statement, {"workspace_id": workspace_id, "query": query, "limit": limit * 4}
    )
    return [row.id for row in found]


async def search_articles(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    text_query: str,
    *,
    locale: str | None = None,
    published_only: bool = True,
    every_term: bool = True,
    limit: int = 10,
) -> list[Article]:
    """Articles matching the words (as prefixes), best first; published ones by default."""
    ids = await _ranked(session, workspace_id, parse_query(text_query), every_term, limit)
    if not ids:
        return []
    statement = select(Article).where(Article.id.in_(ids))
    if published_only:
        statement = statement.where(Article.status == "PUBLISHED")
    if locale is not None:
        statement = statement.where(Article.locale == locale)
    rows = {row.id: row for row in (await session.execute(statement)).scalars()}
    return [rows[i] for i in ids if i in rows][:limit]


async def suggest_for_case(session: AsyncSession, case: Case, limit: int = 5) -> list[Article]:
    """Published articles sharing words with the case's subject and description.

    The longest words are the telling ones ("router", "invoice"), not "my" or "is": the
    query keeps the eight longest of at least four letters (any words when there are none).
    """
    words = list(dict.fromkeys(WORD.findall(f"{case.subject} {case.description or ''}".lower())))
    telling = [word for word in words if len(word) >= 4] or words
    chosen = sorted(telling, key=len, reverse=True)[:SUGGESTION_TERMS]
    return await search_articles(
        session, case.workspace_id, " ".join(chosen), every_term=False, limit=limit
    )
