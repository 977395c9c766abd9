// A few lines instead of a framework: elements are built with `h`, and every value from the
// API goes in as text (never as HTML), so a customer called "<script>" stays a name.

export type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | EventListener | null | undefined>;

function present(children: Child[]): (Node | string)[] {
  return children
    .filter((child): child is Node | string | number => child != null && child !== false)
    .map((child) => (typeof child === "number" ? String(child) : child));
}

/** `h("a", {href: "#/", onclick: go}, "Home")`: `on…` attributes become listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...present(children));
  return element;
}

/** Replaces what `parent` shows. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...present(children));
}

const moment = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatMoment(iso: string | null | undefined): string {
  return iso ? moment.format(new Date(iso)) : "—";
}

/** `LIFECYCLE_STATUS` → `lifecycle status`. */
export function humanize(value: string): string {
  return value.toLowerCase().replaceAll("_", " ");
}

/** Exact amounts as the API sends them (strings), with their currency. */
export function formatAmount(amount: string | null | undefined, currency?: string): string {
  return amount == null ? "—" : currency ? `${amount} ${currency}` : amount;
}
