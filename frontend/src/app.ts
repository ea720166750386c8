// Shoreline's one client bundle: htmx for server round-trips, and small progressive enhancements.
// Every behaviour is attached by data attributes, so templates stay declarative and work without JS.
import htmx from "htmx.org";
import { initCharts } from "./ui/charts-loader";
import { initCopyButtons } from "./ui/copy";
import { initLiveMetrics } from "./ui/live-metrics";
import { initModals } from "./ui/modal";
import { initNav } from "./ui/nav";
import { initThemeToggle } from "./ui/theme-toggle";
import { initToasts, toast } from "./ui/toast";

declare global {
  interface Window {
    htmx: typeof htmx;
    shoreline: { toast: typeof toast };
  }
}

window.htmx = htmx;
window.shoreline = { toast };

// htmx: send Django's CSRF token (read from the page, the cookie is HttpOnly) on every non-GET request.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content;
  if (token) (event as CustomEvent).detail.headers["X-CSRFToken"] = token;
});

function enhance(root: ParentNode): void {
  initCopyButtons(root);
  initModals(root);
  initCharts(root);
}

function start(): void {
  initNav();
  initThemeToggle();
  initToasts();
  enhance(document);
  initLiveMetrics(document);
  document.documentElement.classList.add("js-ready");
}

// Fragments swapped in by htmx get the same enhancements as the first page.
document.addEventListener("htmx:afterSettle", (event) => enhance(event.target as ParentNode));

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
