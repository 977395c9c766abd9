// Panels of the plugins a server has switched on. The schema this app is built against has
// every plugin's fields; a given server may not, so the app asks the server (introspection)
// which fields `Customer` has, and each panel runs its own query: a panel that fails says so
// and leaves the rest of the page alone.
import { execute } from "../api";
import { formatAmount, h, humanize, show } from "../dom";
import { graphql } from "../gql";

const CustomerFields = graphql(`
  query CustomerFields {
    __type(name: "Customer") {
      fields {
        name
      }
    }
  }
`);

const SalesPanel = graphql(`
  query SalesPanel($id: ID!) {
    customer(id: $id) {
      lifetimeRevenue {
        amount
        currency
      }
      opportunities(first: 5, orderBy: [{ field: AMOUNT, direction: DESC }]) {
        totalCount
        nodes {
          id
          name
          amount
          currency
          probability
          expectedCloseDate
          stage {
            name
            category
          }
        }
      }
    }
  }
`);

const BankingPanel = graphql(`
  query BankingPanel($id: ID!) {
    customer(id: $id) {
      relationshipManager {
        displayName
      }
      household {
        name
      }
      totalAssets
      keyClientTier {
        tier
      }
      riskRatings {
        kind
        rating
        nextReviewOn
        isOverdue
      }
      financialAccounts {
        id
        number
        balance
        currency
        status
        product {
          name
        }
      }
    }
  }
`);

let available: Promise<Set<string>> | null = null;

/** The fields of `Customer` on this server, asked once per page load. */
function customerFields(): Promise<Set<string>> {
  available ??= execute(CustomerFields, {})
    .then((data) => new Set(data.__type?.fields?.map((field) => field.name) ?? []))
    .catch(() => new Set<string>());
  return available;
}

function panel(title: string, testId: string): { element: HTMLElement; body: HTMLElement } {
  const body = h("div", { class: "panel-body" }, "Loading…");
  return { element: h("section", { class: "panel", "data-testid": testId }, h("h2", {}, title), body), body };
}

function failed(body: HTMLElement, error: unknown): void {
  show(body, h("p", { class: "error" }, `Not available: ${(error as Error).message}`));
}

function salesPanel(customerId: string): HTMLElement {
  const { element, body } = panel("Sales", "sales-panel");
  execute(SalesPanel, { id: customerId })
    .then(({ customer }) => {
      if (!customer) return show(body, "—");
      const revenue = customer.lifetimeRevenue.map((sum) => formatAmount(sum.amount, sum.currency)).join(", ");
      const deals = customer.opportunities;
      show(
        body,
        h("p", {}, `Lifetime revenue: ${revenue || "none yet"}`),
        h("p", {}, `${deals.totalCount} opportunities`),
        h(
          "ul",
          {},
          ...deals.nodes.map((deal) =>
            h(
              "li",
              {},
              h("strong", {}, deal.name),
              ` ${formatAmount(deal.amount, deal.currency)} · ${deal.stage.name} (${humanize(deal.stage.category)}, ${deal.probability}%)`,
              deal.expectedCloseDate && ` · closes ${deal.expectedCloseDate}`,
            ),
          ),
        ),
      );
    })
    .catch((error: unknown) => failed(body, error));
  return element;
}

function bankingPanel(customerId: string): HTMLElement {
  const { element, body } = panel("Banking", "banking-panel");
  execute(BankingPanel, { id: customerId })
    .then(({ customer }) => {
      if (!customer) return show(body, "—");
      show(
        body,
        h(
          "dl",
          {},
          h("dt", {}, "Relationship manager"),
          h("dd", {}, customer.relationshipManager?.displayName ?? "none"),
          h("dt", {}, "Household"),
          h("dd", {}, customer.household?.name ?? "none"),
          h("dt", {}, "Assets under management"),
          h("dd", {}, formatAmount(customer.totalAssets)),
          h("dt", {}, "Key-client tier"),
          h("dd", {}, customer.keyClientTier?.tier ?? "none"),
          h("dt", {}, "Risk ratings"),
          h(
            "dd",
            {},
            customer.riskRatings
              .map((risk) => `${humanize(risk.kind)} ${risk.rating}${risk.isOverdue ? " (review overdue)" : ""}`)
              .join(", ") || "none",
          ),
        ),
        h(
          "ul",
          {},
          ...customer.financialAccounts.map((account) =>
            h(
              "li",
              {},
              `${account.product?.name ?? "Account"} ${account.number}: ${formatAmount(account.balance, account.currency)} (${humanize(account.status)})`,
            ),
          ),
        ),
      );
    })
    .catch((error: unknown) => failed(body, error));
  return element;
}

/** The panels this server offers for the customer, each loading on its own. */
export async function pluginPanels(customerId: string): Promise<HTMLElement[]> {
  const fields = await customerFields();
  const panels: HTMLElement[] = [];
  if (fields.has("opportunities")) panels.push(salesPanel(customerId));
  if (fields.has("financialAccounts")) panels.push(bankingPanel(customerId));
  return panels;
}
