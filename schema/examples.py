"""Example operations GraphiQL opens as tabs: each shown only when its root field exists."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXAMPLES", "Example"]


@dataclass(frozen=True)
class Example:
    needs: str  # a Query or Mutation field the operation starts from
    query: str


EXAMPLES = (
    Example(
        "customers",
        """# Welcome to Rapport. Run with the play button (Ctrl-Enter); more in the other tabs.
query FirstCustomers {
  viewer { workspaceName role }
  customers(first: 5, filter: {lifecycleStatus: [ACTIVE]}, orderBy: [{field: DISPLAY_NAME}]) {
    totalCount
    edges { cursor node { id displayName kind industry region ageBand } }
    pageInfo { hasNextPage endCursor }
  }
}
""",
    ),
    Example(
        "customers",
        """# A customer 360: contact points, relationships, open tasks, timeline.
query Customer360 {
  customers(first: 1, filter: {hasOpenTask: true}) {
    nodes {
      displayName lifecycleStatus tags lastInteractionAt
      contactPoints { kind value isPrimary }
      relationships { label role other { displayName } }
      openTasks { title dueAt priority }
      timeline(first: 10) {
        edges { node { __typename ... on Interaction { kind subject occurredAt } } }
      }
    }
  }
}
""",
    ),
    Example(
        "customerStats",
        """# Segments for analysts: customers per industry and age band.
query Segments {
  customerStats(groupBy: [INDUSTRY, AGE_BAND]) { total groups { keys count } }
}
""",
    ),
    Example(
        "search",
        """# Search across customers, contact points and interactions, ranked.
query Search {
  search(query: "schmidt", first: 10) {
    totalCount
    edges { cursor node { score kind snippet customer { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}
""",
    ),
    Example(
        "tasks",
        """# My open tasks, soonest first.
query MyOpenTasks {
  tasks(filter: {mine: true, status: [OPEN, IN_PROGRESS]}, orderBy: [{field: DUE_AT}], first: 20) {
    nodes { title dueAt priority customer { displayName } }
  }
}
""",
    ),
    Example(
        "forecast",
        """# Sales: the weighted forecast of this year against quota.
query Forecast {
  forecast(period: {start: "2026-01-01", end: "2026-12-31"}) {
    total { closed weighted committed bestCase quota attainment }
  }
}
""",
    ),
    Example(
        "myBook",
        """# Banking: a relationship manager's book (run it with a manager's key).
query MyBook {
  myBook(first: 20) {
    nodes { displayName totalAssets keyClientTier { tier } financialAccounts { number balance } }
  }
}
""",
    ),
)
