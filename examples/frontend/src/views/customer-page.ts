// One customer, all in one place: who they are, how to reach them, who they are related to,
// what is open, what happened (live), and the panels of the plugins the server runs.
import { execute, onReconnect, onSocketStatus, subscribe, type SocketStatus } from "../api";
import { formatMoment, h, humanize, show } from "../dom";
import { graphql } from "../gql";
import type { CustomerPageQuery } from "../gql/graphql";
import { logInteractionForm } from "./log-interaction";
import { pluginPanels } from "./plugin-panels";
import { occurredAtOf, Timeline } from "./timeline";
import type { View } from "./view";

const TIMELINE_PAGE = 20;

const CustomerPage = graphql(`
  query CustomerPage($id: ID!, $timelinePage: Int!) {
    customer(id: $id) {
      id
      displayName
      kind
      lifecycleStatus
      tags
      industry
      region
      valueGrade
      owner {
        displayName
      }
      contactPoints {
        id
        kind
        label
        value
        isPrimary
        doNotContact
      }
      relationships {
        label
        role
        other {
          id
          displayName
        }
      }
      openTasks {
        ...OpenTaskParts
      }
      timeline(first: $timelinePage) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          occurredAt
          node {
            ...TimelineRecordParts
          }
        }
      }
    }
    interactionKinds {
      key
      label
    }
  }
`);

const TimelinePage = graphql(`
  query TimelinePage($id: ID!, $first: Int!, $after: String) {
    customer(id: $id) {
      timeline(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          occurredAt
          node {
            ...TimelineRecordParts
          }
        }
      }
    }
  }
`);

graphql(`
  fragment OpenTaskParts on Task {
    id
    title
    priority
    dueAt
    assignee {
      displayName
    }
  }
`);

const OpenTasks = graphql(`
  query OpenTasks($id: ID!) {
    customer(id: $id) {
      openTasks {
        ...OpenTaskParts
      }
    }
  }
`);

const TimelineAdded = graphql(`
  subscription TimelineAdded($customerId: ID!) {
    timelineAdded(customerId: $customerId) {
      kind
      event {
        occurredAt
      }
      node {
        ...TimelineRecordParts
      }
    }
  }
`);

type Customer = NonNullable<CustomerPageQuery["customer"]>;
type OpenTask = Customer["openTasks"][number];

function section(title: string, testId: string, ...content: (Node | string)[]): HTMLElement {
  return h("section", { class: "panel", "data-testid": testId }, h("h2", {}, title), ...content);
}

function header(customer: Customer): HTMLElement {
  const facts = [
    humanize(customer.kind),
    humanize(customer.lifecycleStatus),
    customer.industry,
    customer.region,
    customer.valueGrade && `value ${customer.valueGrade}`,
    customer.owner && `owner ${customer.owner.displayName}`,
  ].filter(Boolean);
  return h(
    "header",
    { class: "customer-header" },
    h("a", { href: "#/" }, "← Customers"),
    h("h1", {}, customer.displayName),
    h("p", { class: "facts" }, facts.join(" · ")),
    customer.tags.length > 0 && h("p", { class: "tags" }, ...customer.tags.map((tag) => h("span", { class: "tag" }, tag))),
  );
}

function contactPoints(customer: Customer): HTMLElement {
  return section(
    "Contact points",
    "contact-points",
    customer.contactPoints.length === 0
      ? "None."
      : h(
          "ul",
          {},
          ...customer.contactPoints.map((point) =>
            h(
              "li",
              {},
              h("span", { class: "label" }, point.label ?? humanize(point.kind)),
              ` ${point.value}`,
              point.isPrimary && h("span", { class: "badge" }, "primary"),
              point.doNotContact && h("span", { class: "badge warn" }, "do not contact"),
            ),
          ),
        ),
  );
}

function relationships(customer: Customer): HTMLElement {
  return section(
    "Relationships",
    "relationships",
    customer.relationships.length === 0
      ? "None."
      : h(
          "ul",
          {},
          ...customer.relationships.map((link) =>
            h(
              "li",
              {},
              `${link.label} `,
              link.other
                ? h("a", { href: `#/customers/${encodeURIComponent(link.other.id)}` }, link.other.displayName)
                : "(not visible to you)",
              link.role && ` (${link.role})`,
            ),
          ),
        ),
  );
}

function taskList(tasks: OpenTask[]): Node | string {
  if (tasks.length === 0) return "Nothing open.";
  return h(
    "ul",
    {},
    ...tasks.map((task) =>
      h(
        "li",
        { "data-id": task.id },
        h("strong", {}, task.title),
        ` · ${humanize(task.priority)}`,
        task.dueAt && ` · due ${formatMoment(task.dueAt)}`,
        task.assignee && ` · ${task.assignee.displayName}`,
      ),
    ),
  );
}

function liveBadge(): { element: HTMLElement; stop: () => void } {
  const element = h("span", { class: "live-status", "data-testid": "live-status" });
  const labels: Record<SocketStatus, string> = { live: "● live", connecting: "○ connecting…", offline: "○ offline" };
  const stop = onSocketStatus((status) => {
    element.dataset.status = status;
    element.textContent = labels[status];
  });
  return { element, stop };
}

export function customerPage(root: HTMLElement, customerId: string): View {
  const cleanups: (() => void)[] = [];
  let disposed = false;
  show(root, h("p", {}, "Loading…"));

  async function load(): Promise<void> {
    const data = await execute(CustomerPage, { id: customerId, timelinePage: TIMELINE_PAGE });
    const customer = data.customer;
    if (disposed) return;
    if (!customer) {
      show(root, h("a", { href: "#/" }, "← Customers"), h("p", { class: "error" }, "No such customer, or not one you may see."));
      return;
    }

    const timeline = new Timeline();
    let cursor: string | null = null;
    const more = h("button", { type: "button", class: "more" }, "Load more");
    const fillTimeline = (page: Customer["timeline"]["edges"], pageInfo: Customer["timeline"]["pageInfo"]) => {
      for (const edge of page) timeline.add(edge.node, edge.occurredAt);
      cursor = pageInfo.endCursor ?? null;
      more.hidden = !pageInfo.hasNextPage;
    };
    fillTimeline(customer.timeline.edges, customer.timeline.pageInfo);
    more.addEventListener("click", () => {
      execute(TimelinePage, { id: customerId, first: TIMELINE_PAGE, after: cursor })
        .then((next) => next.customer && fillTimeline(next.customer.timeline.edges, next.customer.timeline.pageInfo))
        .catch((error: unknown) => alert((error as Error).message));
    });

    const tasks = h("div", {}, taskList(customer.openTasks));
    const refreshTasks = () =>
      execute(OpenTasks, { id: customerId }).then((next) => next.customer && show(tasks, taskList(next.customer.openTasks)));

    const badge = liveBadge();
    cleanups.push(badge.stop);
    const streamError = h("p", { class: "error", role: "alert", hidden: true });
    cleanups.push(
      subscribe(
        TimelineAdded,
        { customerId },
        ({ timelineAdded }) => {
          const record = timelineAdded.node;
          if (record) timeline.add(record, occurredAtOf(record, timelineAdded.event.occurredAt), true);
          if (timelineAdded.kind === "TASK") void refreshTasks();
        },
        (error) => {
          streamError.hidden = false;
          streamError.textContent = `Live updates stopped: ${error.message}`;
        },
      ),
    );
    // Events sent while the socket was down are not replayed: read the newest page again.
    cleanups.push(
      onReconnect(() => {
        void execute(TimelinePage, { id: customerId, first: TIMELINE_PAGE, after: null }).then(
          (next) => next.customer && next.customer.timeline.edges.forEach((edge) => timeline.add(edge.node, edge.occurredAt)),
        );
        void refreshTasks();
      }),
    );

    const form = logInteractionForm(customerId, data.interactionKinds, (interaction) =>
      timeline.add(interaction, occurredAtOf(interaction, new Date().toISOString())),
    );
    const panels = h("div", { class: "plugin-panels" });
    show(
      root,
      header(customer),
      h(
        "div",
        { class: "columns" },
        h(
          "div",
          { class: "main" },
          section("Log an interaction", "log", form),
          h(
            "section",
            { class: "panel" },
            h("h2", {}, "Timeline ", badge.element),
            streamError,
            timeline.element,
            more,
          ),
        ),
        h(
          "aside",
          { class: "side" },
          contactPoints(customer),
          relationships(customer),
          section("Open tasks", "open-tasks", tasks),
          panels,
        ),
      ),
    );
    show(panels, ...(await pluginPanels(customerId)));
  }

  load().catch((error: unknown) => {
    if (!disposed) show(root, h("a", { href: "#/" }, "← Customers"), h("p", { class: "error", role: "alert" }, (error as Error).message));
  });
  return {
    dispose: () => {
      disposed = true;
      for (const cleanup of cleanups) cleanup();
    },
  };
}
