// Toasts: server messages arrive rendered in the region; JS and htmx (HX-Trigger: {"toast": ...}) add more.
type Kind = "success" | "error" | "warning" | "info";
const ICON: Record<Kind, string> = { success: "check-circle-2", error: "alert-triangle", warning: "alert-triangle", info: "info" };
const LIFETIME_MS = 6000;

function region(): HTMLElement {
  let el = document.querySelector<HTMLElement>("[data-toast-region]");
  if (!el) {
    el = document.createElement("div");
    el.className = "toast-region";
    el.dataset.toastRegion = "";
    el.setAttribute("aria-live", "polite");
    document.body.append(el);
  }
  return el;
}

function arm(el: HTMLElement): void {
  const close = () => {
    el.classList.add("is-leaving");
    window.setTimeout(() => el.remove(), 200);
  };
  el.querySelector("[data-toast-close]")?.addEventListener("click", close);
  if (el.dataset.sticky === undefined) {
    let timer = window.setTimeout(close, LIFETIME_MS);
    el.addEventListener("mouseenter", () => window.clearTimeout(timer));
    el.addEventListener("mouseleave", () => (timer = window.setTimeout(close, LIFETIME_MS)));
  }
}

export function toast(message: string, kind: Kind = "info"): HTMLElement {
  const sprite = document.body.dataset.iconSprite ?? "";
  const el = document.createElement("div");
  el.className = `toast toast--${kind}`;
  el.setAttribute("role", kind === "error" ? "alert" : "status");
  el.innerHTML =
    `<svg class="icon" aria-hidden="true"><use href="${sprite}#${ICON[kind]}"></use></svg>` +
    `<p class="toast__body"></p>` +
    `<button type="button" class="icon-button toast__close" data-toast-close aria-label="Dismiss">` +
    `<svg class="icon" aria-hidden="true"><use href="${sprite}#x"></use></svg></button>`;
  el.querySelector(".toast__body")!.textContent = message;
  region().append(el);
  arm(el);
  return el;
}

export function initToasts(): void {
  document.querySelectorAll<HTMLElement>("[data-toast-region] .toast").forEach(arm);
  document.body.addEventListener("toast", (event) => {
    const detail = (event as CustomEvent).detail as { message?: string; kind?: Kind; value?: string };
    toast(detail.message ?? detail.value ?? "", detail.kind ?? "info");
  });
  document.addEventListener("click", (event) => {
    const trigger = (event.target as Element).closest<HTMLElement>("[data-toast-demo]");
    if (trigger) toast(trigger.dataset.toastDemo ?? "", (trigger.dataset.toastKind as Kind) ?? "info");
  });
}
