// The customer's timeline: interactions, tasks and changes, newest first. Entries come from
// the first query, from "load more", from this page's own mutation and from the subscription;
// each is shown once (by record id), in order of when it happened.
import { formatMoment, h, humanize } from "../dom";
import { graphql } from "../gql";
import type { TimelineRecordPartsFragment } from "../gql/graphql";

// Read by the page query, the "load more" query and the subscription alike.
export const TimelineRecordParts = graphql(`
  fragment TimelineRecordParts on TimelineRecord {
    __typename
    ... on Interaction {
      id
      kind
      direction
      occurredAt
      subject
      body
      outcome
      user {
        displayName
      }
    }
    ... on Task {
      id
      title
      status
      priority
      dueAt
      createdAt
      assignee {
        displayName
      }
    }
    ... on AuditEntry {
      id
      entityType
      action
      occurredAt
      changes
      actor {
        displayName
      }
    }
  }
`);

export type TimelineRecord = TimelineRecordPartsFragment;

function describe(record: TimelineRecord): { label: string; title: string; detail: string; by: string } {
  switch (record.__typename) {
    case "Interaction":
      return {
        label: `${record.kind} · ${humanize(record.direction)}`,
        title: record.subject ?? "(no subject)",
        detail: [record.body, record.outcome && `Outcome: ${record.outcome}`].filter(Boolean).join(" — "),
        by: record.user?.displayName ?? "",
      };
    case "Task":
      return {
        label: `task · ${humanize(record.status)}`,
        title: record.title,
        detail: record.dueAt ? `Due ${formatMoment(record.dueAt)} · ${humanize(record.priority)}` : humanize(record.priority),
        by: record.assignee?.displayName ?? "",
      };
    case "AuditEntry":
      return {
        label: "change",
        title: `${humanize(record.entityType)} · ${record.action}`,
        detail: Object.keys((record.changes ?? {}) as Record<string, unknown>).join(", "),
        by: record.actor?.displayName ?? "",
      };
  }
}

export class Timeline {
  readonly element = h("ol", { class: "timeline", "data-testid": "timeline" });

  /** Adds the entry unless it is there already; `live` marks what arrived by subscription. */
  add(record: TimelineRecord, occurredAt: string, live = false): void {
    if (!record.__typename || this.element.querySelector(`[data-id="${CSS.escape(record.id)}"]`)) return;
    const { label, title, detail, by } = describe(record);
    const entry = h(
      "li",
      { "data-id": record.id, "data-occurred-at": occurredAt, class: live ? "entry live" : "entry" },
      h("time", { datetime: occurredAt }, formatMoment(occurredAt)),
      h("span", { class: "label" }, label),
      h("strong", { class: "title" }, title),
      detail && h("p", { class: "detail" }, detail),
      by && h("span", { class: "by" }, by),
    );
    const moment = Date.parse(occurredAt);
    const older = [...this.element.children].find(
      (other) => Date.parse(other.getAttribute("data-occurred-at") ?? "") < moment,
    );
    this.element.insertBefore(entry, older ?? null);
  }

  clear(): void {
    this.element.replaceChildren();
  }
}

/** Where the record sits on the timeline: when it took place; a task, when it was created. */
export function occurredAtOf(record: TimelineRecord, fallback: string): string {
  if (record.__typename === "Task") return record.createdAt;
  if (record.__typename === "Interaction" || record.__typename === "AuditEntry") return record.occurredAt;
  return fallback;
}
