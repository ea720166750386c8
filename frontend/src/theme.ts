// Runs blocking in <head>: sets data-theme before the first paint, so a dark-mode user never sees a
// white flash. The explicit choice lives in localStorage; without one we follow the OS (UX-7).
const KEY = "shoreline-theme";
const root = document.documentElement;
const media = window.matchMedia("(prefers-color-scheme: dark)");

function stored(): "light" | "dark" | null {
  try {
    const value = localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : null;
  } catch {
    return null; // storage can be blocked (private mode, policies)
  }
}

function apply(): void {
  const choice = stored();
  root.dataset.theme = choice ?? (media.matches ? "dark" : "light");
  root.dataset.themeSource = choice ? "user" : "system";
}

apply();
media.addEventListener("change", () => {
  if (!stored()) {
    apply();
    document.dispatchEvent(new CustomEvent("shoreline:theme", { detail: root.dataset.theme }));
  }
});
