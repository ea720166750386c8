// The collapsible navigation on narrow screens: one menu button (aria-expanded) controls the drawer.
export function initNav(): void {
  const button = document.querySelector<HTMLButtonElement>("[data-nav-toggle]");
  const nav = button ? document.getElementById(button.getAttribute("aria-controls") ?? "") : null;
  if (!button || !nav) return;
  const scrim = document.querySelector<HTMLElement>("[data-nav-scrim]");

  const set = (open: boolean) => {
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
    scrim?.classList.toggle("is-open", open);
    document.body.classList.toggle("nav-open", open);
    if (open) nav.querySelector<HTMLElement>("a, button")?.focus();
  };

  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  scrim?.addEventListener("click", () => set(false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
  window.matchMedia("(min-width: 64rem)").addEventListener("change", (m) => m.matches && set(false));
}
