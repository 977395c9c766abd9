"""The knowledge base in GraphQL: articles, versions, search, suggestions, feedback."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.service.models import Article as ArticleRow
from rapport.plugins.service.models import ArticleVersion as VersionRow
from rapport.plugins.service.models import Case as CaseRow
from rapport.plugins.service.schema.common import READ, WRITE, DeclaredRow
from rapport.plugins.service.services import articles as service
from rapport.schema import (
    Connection,
    Custom,
    Filterable,
    Info,
    ModelNode,
    OrderDirection,
    StringFilter,
    ToMany,
    UserError,
    argument_row_id,
    columns,
    connection,
    context_of,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    optional_row_id_of,
    order_input,
    read_many,
    reads,
    row_id_of,
    to_service_fields,
)

__all__ = ["Article", "ArticleMutations", "ArticleQueries"]

MAX_RESULTS = 50


@strawberry.enum
class ArticleStatus(Enum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


@strawberry.type(description="A saved version of an article's title and body.")
class ArticleVersion(DeclaredRow):
    __model__ = VersionRow
    __permission__ = READ
    __columns__ = columns("version", "title", "body", "saved_at")

    version: int
    title: str
    body: str
    saved_at: datetime
    row: strawberry.Private[VersionRow]


ARTICLE_VERSIONS = ToMany(
    target=lambda: ArticleVersion,
    link=lambda scope: scope.row.article_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, None, [("version", OrderDirection.DESC)]),
)


@strawberry.type(description="A knowledge-base article: a solution anyone can give.")
class Article(ModelNode):
    __model__ = ArticleRow
    __permission__ = READ
    __columns__ = columns(
        "title",
        "body",
        "category",
        "locale",
        "status",
        "version",
        "published_at",
        "helpful_count",
        "unhelpful_count",
    )

    id: relay.NodeID[str]
    title: str
    body: str
    category: str | None
    locale: str
    status: ArticleStatus
    version: int
    published_at: datetime | None
    helpful_count: int
    unhelpful_count: int
    row: strawberry.Private[ArticleRow]

    @strawberry.field(metadata=reads(ARTICLE_VERSIONS), description="Newest first.")
    async def versions(self, info: Info) -> list[ArticleVersion]:
        return await read_many(info, ARTICLE_VERSIONS, self)


ARTICLE_FILTERS = {
    "title": Filterable(StringFilter, ArticleRow.title),
    "category": Filterable(StringFilter, ArticleRow.category),
    "locale": Filterable(StringFilter, ArticleRow.locale),
    "status": Filterable(
        list[ArticleStatus], Custom(lambda v: ArticleRow.status.in_([s.value for s in v]))
    ),
}


@filter_input(ARTICLE_FILTERS, description="Conditions on articles.")
class ArticleFilter: ...


@order_input({"TITLE": "title", "PUBLISHED_AT": "published_at"})
class ArticleOrder: ...


ARTICLES = filtered_listing(lambda: Article, ARTICLE_FILTERS, [("title", OrderDirection.ASC)])


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `title`, `body` and `locale`)."
)
class UpdateArticleInput:
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET

    def to_fields(self) -> service.ArticleFields:
        return to_service_fields(self, service.ArticleFields)


@strawberry.input(description="A new article: its title and body.")
class CreateArticleInput(UpdateArticleInput):
    title: str
    body: str


@strawberry.type
class ArticlePayload:
    article: Article | None
    errors: list[UserError]


def _payload(result: tuple[Any, list[UserError]]) -> ArticlePayload:
    row, errors = result
    return ArticlePayload(article=Article.from_model(row) if row else None, errors=errors)


@strawberry.type
class ArticleQueries:
    articles: Connection[Article] = connection(
        ARTICLES, filter=ArticleFilter, order=ArticleOrder, description="The knowledge base."
    )

    @strawberry.field(description="Published articles matching every word (as prefixes).")
    async def search_articles(
        self, info: Info, text: str, locale: str | None = None, limit: int = 10
    ) -> list[Article]:
        context = context_of(info)
        actor = context.require(READ)
        async with context.db() as session:
            rows = await service.search_articles(
                session,
                actor.workspace_id,
                text,
                locale=locale,
                limit=min(max(limit, 1), MAX_RESULTS),
            )
        return [Article.from_model(row) for row in rows]

    @strawberry.field(description="Published articles that may solve the case, from its text.")
    async def suggested_articles(
        self, info: Info, case_id: relay.GlobalID, limit: int = 5
    ) -> list[Article]:
        context = context_of(info)
        actor = context.require(READ)
        row_id = argument_row_id(case_id, "Case", "caseId")
        async with context.db() as session:
            case = await session.get(CaseRow, (actor.workspace_id, row_id))
            if case is None:
                return []
            rows = await service.suggest_for_case(session, case, min(max(limit, 1), MAX_RESULTS))
        return [Article.from_model(row) for row in rows]


@strawberry.type
class ArticleMutations:
    @strawberry.mutation(description="A draft article (version 1).")
    async def create_article(self, info: Info, input: CreateArticleInput) -> ArticlePayload:
        async def work(op: Any) -> ArticleRow:
            return await service.create_article(op, input.to_fields())

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Edit; a new title or body saves a new version.")
    async def update_article(
        self, info: Info, id: relay.GlobalID, input: UpdateArticleInput
    ) -> ArticlePayload:
        async def work(op: Any) -> ArticleRow:
            return await service.update_article(
                op, row_id_of(id, "Article", "id"), input.to_fields()
            )

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Publish a draft (or an archived article again).")
    async def publish_article(self, info: Info, id: relay.GlobalID) -> ArticlePayload:
        async def work(op: Any) -> ArticleRow:
            return await service.move_article(op, row_id_of(id, "Article", "id"), "PUBLISHED")

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Retire a published article.")
    async def archive_article(self, info: Info, id: relay.GlobalID) -> ArticlePayload:
        async def work(op: Any) -> ArticleRow:
            return await service.move_article(op, row_id_of(id, "Article", "id"), "ARCHIVED")

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Was the article useful (for this case)?")
    async def rate_article(
        self,
        info: Info,
        article_id: relay.GlobalID,
        helpful: bool,
        comment: str | None = None,
        case_id: relay.GlobalID | None = None,
    ) -> ArticlePayload:
        async def work(op: Any) -> ArticleRow:
            return await service.give_feedback(
                op,
                row_id_of(article_id, "Article", "articleId"),
                helpful,
                comment,
                optional_row_id_of(case_id, "Case", "caseId"),
            )

        return _payload(await mutate(info, WRITE, work))
