"""Rapport's GraphQL layer. Plugins build their types with these names."""

from rapport.schema.context import RequestContext, context_of
from rapport.schema.errors import Forbidden, UserError
from rapport.schema.filters import (
    BooleanFilter,
    Custom,
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    FloatFilter,
    IDFilter,
    IntFilter,
    StringFilter,
    compile_filter,
)
from rapport.schema.loaders import by_id_loader, grouped_loader, run_select
from rapport.schema.mutations import mutate
from rapport.schema.relay import (
    Connection,
    Edge,
    ModelNode,
    OrderDirection,
    PageInfo,
    SortKey,
    decode_node_id,
    paginate,
)
from rapport.schema.scalars import JSON

__all__ = [
    "JSON",
    "BooleanFilter",
    "Connection",
    "Custom",
    "DateFilter",
    "DateTimeFilter",
    "DecimalFilter",
    "Edge",
    "FloatFilter",
    "Forbidden",
    "IDFilter",
    "IntFilter",
    "ModelNode",
    "OrderDirection",
    "PageInfo",
    "RequestContext",
    "SortKey",
    "StringFilter",
    "UserError",
    "by_id_loader",
    "compile_filter",
    "context_of",
    "decode_node_id",
    "grouped_loader",
    "mutate",
    "paginate",
    "run_select",
]
