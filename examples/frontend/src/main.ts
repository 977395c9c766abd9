// The router: the address's hash names the screen (`#/`, `#/customers/<id>`, `#/settings`),
// so the browser's back button and bookmarks work without a server-side route.
import "./style.css";
import { h, show } from "./dom";
import { isComplete, loadSettings } from "./settings";
import { customerList } from "./views/customer-list";
import { customerPage } from "./views/customer-page";
import { settingsView } from "./views/settings-view";
import type { View } from "./views/view";

const app = document.querySelector<HTMLElement>("#app")!;
const screen = h("main", {});
show(
  app,
  h(
    "nav",
    { class: "top" },
    h("a", { href: "#/", class: "brand" }, "Customer 360"),
    h("a", { href: "#/settings" }, "Settings"),
  ),
  screen,
);

let current: View | null = null;

function route(): void {
  current?.dispose();
  const path = window.location.hash.replace(/^#/, "") || "/";
  if (path === "/settings" || !isComplete(loadSettings())) {
    current = settingsView(screen, () => {
      if (window.location.hash === "#/") route();
      else window.location.hash = "#/";
    });
    return;
  }
  const customer = path.match(/^\/customers\/(.+)$/);
  current = customer ? customerPage(screen, decodeURIComponent(customer[1])) : customerList(screen);
}

window.addEventListener("hashchange", route);
route();
