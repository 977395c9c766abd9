// The form that logs an interaction. The API checks every field; what it refuses comes back
// as payload errors naming the field (`input.subject`), shown beside that field.
import { execute } from "../api";
import { h, humanize, show } from "../dom";
import { graphql } from "../gql";
import type { InteractionDirection } from "../gql/graphql";
import type { TimelineRecord } from "./timeline";

const LogInteraction = graphql(`
  mutation LogInteraction($input: LogInteractionInput!) {
    logInteraction(input: $input) {
      interaction {
        ...TimelineRecordParts
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

const DIRECTIONS: InteractionDirection[] = ["OUTBOUND", "INBOUND", "INTERNAL"];

export interface InteractionKindOption {
  key: string;
  label: string;
}

export function logInteractionForm(
  customerId: string,
  kinds: InteractionKindOption[],
  logged: (interaction: TimelineRecord) => void,
): HTMLFormElement {
  const kind = h("select", { name: "kind", required: true }, ...kinds.map((option) => h("option", { value: option.key }, option.label)));
  const direction = h(
    "select",
    { name: "direction" },
    ...DIRECTIONS.map((value) => h("option", { value }, humanize(value))),
  );
  const subject = h("input", { name: "subject", placeholder: "Subject" });
  const body = h("textarea", { name: "body", rows: 3, placeholder: "What was said, what comes next" });
  const status = h("p", { class: "form-status", role: "status" });
  const fieldErrors = new Map<string, HTMLElement>();

  function field(label: string, name: string, control: HTMLElement): HTMLElement {
    const error = h("span", { class: "field-error" });
    fieldErrors.set(`input.${name}`, error);
    return h("label", {}, h("span", {}, label), control, error);
  }

  const submit = h("button", { type: "submit" }, "Log interaction");
  const form = h(
    "form",
    { class: "log-interaction", "data-testid": "log-interaction" },
    field("Kind", "kind", kind),
    field("Direction", "direction", direction),
    field("Subject", "subject", subject),
    field("Notes", "body", body),
    submit,
    status,
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const error of fieldErrors.values()) show(error);
    show(status, "Saving…");
    submit.disabled = true;
    execute(LogInteraction, {
      input: {
        customerId,
        kind: kind.value,
        direction: direction.value as InteractionDirection,
        subject: subject.value.trim() || null,
        body: body.value.trim() || null,
      },
    })
      .then(({ logInteraction }) => {
        if (logInteraction.errors.length) {
          show(status, "Not saved.");
          for (const error of logInteraction.errors) {
            const place = (error.field && fieldErrors.get(error.field)) || status;
            place.append(` ${error.message}`);
          }
          return;
        }
        show(status, "Logged.");
        subject.value = "";
        body.value = "";
        if (logInteraction.interaction) logged(logInteraction.interaction);
      })
      .catch((error: unknown) => show(status, `Not saved: ${(error as Error).message}`))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
