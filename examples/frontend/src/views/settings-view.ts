// Where the app finds the API and which key it sends; kept in this browser's localStorage.
import { h, show } from "../dom";
import { loadSettings, saveSettings } from "../settings";
import type { View } from "./view";

export function settingsView(root: HTMLElement, saved: () => void): View {
  const current = loadSettings();
  const apiUrl = h("input", { name: "apiUrl", type: "url", required: true, value: current.apiUrl });
  const apiKey = h("input", { name: "apiKey", type: "password", required: true, value: current.apiKey, autocomplete: "off" });
  const form = h(
    "form",
    {
      class: "settings",
      "data-testid": "settings",
      onsubmit: (event: Event) => {
        event.preventDefault();
        saveSettings({ apiUrl: apiUrl.value.trim(), apiKey: apiKey.value.trim() });
        saved();
      },
    },
    h("label", {}, h("span", {}, "API URL"), apiUrl),
    h("label", {}, h("span", {}, "API key"), apiKey),
    h("button", { type: "submit" }, "Save"),
  );
  show(
    root,
    h("h1", {}, "Settings"),
    h(
      "p",
      {},
      "The GraphQL endpoint of a Rapport server and an API key for it. `rapport serve --demo` prints a key and shows it on its GraphiQL page. The server must list this page's origin in its CORS origins.",
    ),
    form,
  );
  return { dispose: () => undefined };
}
