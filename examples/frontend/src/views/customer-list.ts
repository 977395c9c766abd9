// The first screen: every customer a page at a time, or the hits of a search, with cursors.
import { execute } from "../api";
import { h, humanize, show } from "../dom";
import { graphql } from "../gql";
import type { LifecycleStatus } from "../gql/graphql";
import type { View } from "./view";

const PAGE_SIZE = 10;
const LIFECYCLE_STATUSES: LifecycleStatus[] = [
  "LEAD",
  "PROSPECT",
  "ACTIVE",
  "DORMANT",
  "CHURNED",
  "WON_BACK",
];

const CustomersPage = graphql(`
  query CustomersPage($first: Int!, $after: String, $filter: CustomerFilter) {
    customers(first: $first, after: $after, filter: $filter, orderBy: [{ field: DISPLAY_NAME }]) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        displayName
        kind
        lifecycleStatus
        primaryEmail
        region
      }
    }
  }
`);

const SearchPage = graphql(`
  query SearchPage($query: String!, $first: Int!, $after: String) {
    search(query: $query, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          kind
          snippet
          nodeId
          customer {
            id
            displayName
            lifecycleStatus
          }
        }
      }
    }
  }
`);

interface Row {
  customerId: string;
  title: string;
  detail: string;
  badge: string;
}

interface Page {
  rows: Row[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

/**
 * What the list shows, kept while a customer is open so that "back" returns to the same page.
 * `cursors` holds the `after` of every page before this one: "previous" pops it.
 */
const state = {
  query: "",
  status: "" as LifecycleStatus | "",
  cursors: [] as (string | null)[],
  after: null as string | null,
};

async function fetchPage(): Promise<Page> {
  if (state.query.trim()) {
    const { search } = await execute(SearchPage, {
      query: state.query.trim(),
      first: PAGE_SIZE,
      after: state.after,
    });
    return {
      rows: search.edges.map(({ node }) => ({
        customerId: node.customer.id,
        title: node.customer.displayName,
        detail: node.snippet,
        badge: humanize(node.kind),
      })),
      totalCount: search.totalCount,
      endCursor: search.pageInfo.endCursor ?? null,
      hasNextPage: search.pageInfo.hasNextPage,
    };
  }
  const { customers } = await execute(CustomersPage, {
    first: PAGE_SIZE,
    after: state.after,
    filter: state.status ? { lifecycleStatus: [state.status] } : null,
  });
  return {
    rows: customers.nodes.map((customer) => ({
      customerId: customer.id,
      title: customer.displayName,
      detail: [customer.primaryEmail, customer.region].filter(Boolean).join(" · "),
      badge: humanize(customer.lifecycleStatus),
    })),
    totalCount: customers.totalCount,
    endCursor: customers.pageInfo.endCursor ?? null,
    hasNextPage: customers.pageInfo.hasNextPage,
  };
}

function renderRows(rows: Row[]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, "No customer matches.");
  return h(
    "ul",
    { class: "results", "data-testid": "results" },
    ...rows.map((row) =>
      h(
        "li",
        {},
        h("a", { href: `#/customers/${encodeURIComponent(row.customerId)}` }, row.title),
        h("span", { class: "badge" }, row.badge),
        h("span", { class: "detail" }, row.detail),
      ),
    ),
  );
}

export function customerList(root: HTMLElement): View {
  const results = h("div", { class: "list" });
  const searchBox = h("input", {
    type: "search",
    name: "query",
    placeholder: "Search names, emails, phones, notes…",
    value: state.query,
    "aria-label": "Search customers",
  });
  const statusSelect = h(
    "select",
    { name: "status", "aria-label": "Lifecycle status" },
    h("option", { value: "" }, "any status"),
    ...LIFECYCLE_STATUSES.map((status) =>
      h("option", { value: status, selected: status === state.status }, humanize(status)),
    ),
  );

  async function load(): Promise<void> {
    results.setAttribute("aria-busy", "true");
    // Search ranks across every customer: the status filter applies to the plain list.
    statusSelect.disabled = state.query.trim() !== "";
    try {
      const page = await fetchPage();
      const pageNumber = state.cursors.length + 1;
      show(
        results,
        h("p", { class: "count" }, `${page.totalCount} found · page ${pageNumber}`),
        renderRows(page.rows),
        h(
          "nav",
          { class: "pager" },
          h("button", { type: "button", disabled: state.cursors.length === 0, onclick: previous }, "← Previous"),
          h(
            "button",
            { type: "button", disabled: !page.hasNextPage, onclick: () => next(page.endCursor) },
            "Next →",
          ),
        ),
      );
    } catch (error) {
      show(results, h("p", { class: "error", role: "alert" }, String((error as Error).message)));
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  function restart(): void {
    state.cursors = [];
    state.after = null;
    void load();
  }

  function next(cursor: string | null): void {
    state.cursors.push(state.after);
    state.after = cursor;
    void load();
  }

  function previous(): void {
    state.after = state.cursors.pop() ?? null;
    void load();
  }

  const form = h(
    "form",
    {
      class: "search",
      role: "search",
      onsubmit: (event: Event) => {
        event.preventDefault();
        state.query = searchBox.value;
        restart();
      },
    },
    searchBox,
    statusSelect,
    h("button", { type: "submit" }, "Search"),
  );
  statusSelect.addEventListener("change", () => {
    state.status = statusSelect.value as LifecycleStatus | "";
    restart();
  });

  show(root, h("h1", {}, "Customers"), form, results);
  void load();
  return { dispose: () => undefined };
}
