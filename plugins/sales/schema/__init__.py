"""The sales plugin's GraphQL: queries, mutations, node types and fields on ``Customer``."""

from __future__ import annotations

from typing import Any

__all__ = ["contributions"]


def contributions() -> list[dict[str, Any]]:
    """What ``register_graphql`` registers, one area per entry."""
    from rapport.plugins.sales.schema.leads import Lead, LeadMutations, LeadQueries
    from rapport.plugins.sales.schema.opportunities import (
        Opportunity,
        OpportunityMutations,
        OpportunityQueries,
    )
    from rapport.plugins.sales.schema.pipelines import (
        Pipeline,
        PipelineMutations,
        PipelineQueries,
        Stage,
    )

    return [
        {"query": PipelineQueries, "mutation": PipelineMutations, "types": [Pipeline, Stage]},
        {"query": OpportunityQueries, "mutation": OpportunityMutations, "types": [Opportunity]},
        {"query": LeadQueries, "mutation": LeadMutations, "types": [Lead]},
    ]
