const KEY = "shoreline-theme";

function current(): "light" | "dark" {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

function sync(): void {
  const theme = current();
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-theme-toggle]")) {
    button.setAttribute("aria-pressed", String(theme === "dark"));
    button.setAttribute("aria-label", theme === "dark" ? "Switch to light theme" : "Switch to dark theme");
    button.title = button.getAttribute("aria-label") ?? "";
  }
}

export function themeSet(theme: "light" | "dark"): void {
  const root = document.documentElement;
  root.classList.add("theme-switching"); // suppress transitions for one frame: no half-faded repaint
  root.dataset.theme = theme;
  root.dataset.themeSource = "user";
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage blocked: the choice still applies to this page */
  }
  sync();
  document.dispatchEvent(new CustomEvent("shoreline:theme", { detail: theme }));
  requestAnimationFrame(() => requestAnimationFrame(() => root.classList.remove("theme-switching")));
}

export function initThemeToggle(): void {
  sync();
  document.addEventListener("shoreline:theme", sync);
  document.addEventListener("click", (event) => {
    const button = (event.target as Element).closest("[data-theme-toggle]");
    if (button) themeSet(current() === "dark" ? "light" : "dark");
  });
}
