/*
 * The script of the embed snippet (CX-1), running on a client's website:
 *   <script src="https://<shoreline>/static/widget/loader.js" data-token="shl_…" async></script>
 *
 * It touches the host page as little as possible: one custom element at the end of <body> whose
 * shadow root holds the launcher bubble and, once opened, the iframe with the chat app (served from
 * our host). One global name (`ShorelineWidget`), no host styles read or written.
 * If the website is not on the bot's allowlist, /config is refused and nothing is shown.
 */

interface Config {
  bot_name: string;
  business_name: string;
  bubble_color: string;
  theme: string;
}

interface Api {
  open(): void;
  close(): void;
  toggle(): void;
}

declare global {
  interface Window {
    ShorelineWidget?: Api;
  }
}

const EMBED_HEADER = "X-Shoreline-Embed-Origin";
const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7.9 20A9 9 0 1 0 4 16.1L2 22z"/><path d="M8 12h.01M12 12h.01M16 12h.01"/></svg>';
const CLOSE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18 6 6 18M6 6l12 12"/></svg>';

// Everything inside the shadow root; `:host { all: initial }` keeps the host page's CSS out.
const STYLE = `
:host{all:initial;position:fixed;z-index:2147483000;right:0;bottom:0;width:0;height:0}
*{box-sizing:border-box}
.launcher{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;padding:0;cursor:pointer;
 display:grid;place-items:center;background:var(--c);color:var(--ink);
 box-shadow:0 10px 30px -8px rgba(2,12,27,.45),0 2px 6px rgba(2,12,27,.18),inset 0 1px 0 rgba(255,255,255,.25);
 transition:transform .18s cubic-bezier(.2,.7,.2,1),box-shadow .18s;margin-right:env(safe-area-inset-right);margin-bottom:env(safe-area-inset-bottom)}
.launcher:hover{transform:translateY(-2px) scale(1.04)}
.launcher:focus-visible{outline:3px solid var(--c);outline-offset:3px;box-shadow:0 0 0 3px #fff,0 10px 30px -8px rgba(2,12,27,.45)}
.launcher svg{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.panel{position:fixed;right:20px;bottom:96px;width:400px;height:min(680px,calc(100vh - 120px));border-radius:20px;overflow:hidden;
 background:transparent;box-shadow:0 24px 64px -12px rgba(2,12,27,.5),0 4px 14px rgba(2,12,27,.16);
 opacity:0;transform:translateY(12px) scale(.98);transform-origin:bottom right;visibility:hidden;
 transition:opacity .2s ease,transform .22s cubic-bezier(.2,.7,.2,1),visibility 0s .22s}
.panel.open{opacity:1;transform:none;visibility:visible;transition-delay:0s}
iframe{display:block;width:100%;height:100%;border:0;color-scheme:normal}
@media (max-width:479.98px){
 .panel{inset:0;right:0;bottom:0;width:100%;height:100%;border-radius:0;
  padding:env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)}
 .launcher.hidden{display:none}
}
@media (prefers-reduced-motion:reduce){.launcher,.panel{transition:none}.launcher:hover{transform:none}}
`;

/** Black or white, whichever reads better on the bubble colour (WCAG relative luminance). */
function inkFor(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const l = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#0b1a2c" : "#ffffff";
}

/**
 * WID-6: the visitor id lives in the host site's own (first-party) storage, so return visitors are
 * recognised even where a browser partitions or blocks storage inside third-party iframes. The chat
 * app falls back to its own storage, then to memory, when this is blocked too.
 */
function visitorId(): string {
  const key = "shoreline_vid";
  try {
    const known = localStorage.getItem(key);
    if (known && /^[\w-]{16,64}$/.test(known)) return known;
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = "v" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem(key, id);
    return id;
  } catch {
    return ""; // storage blocked: the chat app decides
  }
}

const MAX_STATE = 24_000;

/** WID-6: the conversation the chat app handed us (it could not store it itself), kept first-party. */
function keptState(key: string): string {
  try {
    return localStorage.getItem(key) ?? sessionStorage.getItem(key) ?? "";
  } catch {
    return "";
  }
}

function keepState(key: string, value: string): void {
  for (const pick of [() => localStorage, () => sessionStorage]) {
    try {
      pick().setItem(key, value);
      return;
    } catch {
      /* blocked or full: try the next one */
    }
  }
}

function boot(): void {
  if (window.ShorelineWidget) return; // the snippet was pasted twice
  const script = document.currentScript as HTMLScriptElement | null;
  const token = script?.dataset.token ?? "";
  if (!script || !token) return;
  const base = new URL(script.src).origin;
  const here = location.origin;
  const headers = { Authorization: `Bearer ${token}`, [EMBED_HEADER]: here };
  const stateKey = `shoreline_conv_${token.split("_")[1] ?? "x"}`;

  let host: HTMLElement | null = null;
  let launcher: HTMLButtonElement;
  let panel: HTMLDivElement;
  let frame: HTMLIFrameElement | null = null;
  let isOpen = false;
  let loaded = false;

  const post = (message: object) => loaded && frame?.contentWindow?.postMessage(message, base);

  const fitToVisualViewport = () => {
    // WID-5: on phones the keyboard shrinks only the visual viewport; keep the sheet inside it so the
    // input stays above the keyboard.
    const vv = window.visualViewport;
    if (!panel || !vv) return;
    if (isOpen && window.innerWidth < 480) {
      panel.style.height = `${vv.height}px`;
      panel.style.top = `${vv.offsetTop}px`;
    } else {
      panel.style.height = "";
      panel.style.top = "";
    }
  };

  const setOpen = (open: boolean, focusLauncher = true) => {
    if (!host || open === isOpen) return;
    isOpen = open;
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.title = "Chat window";
      frame.allow = "clipboard-write";
      const query = new URLSearchParams({ token, host: here });
      // The page URL rides in the fragment: it is only read by the chat app, never sent in the request line.
      const hash = new URLSearchParams({ page: location.href.slice(0, 1500), vid: visitorId() });
      const kept = keptState(stateKey);
      if (kept) hash.set("st", kept);
      // SEC-2: the chat page opens only with a short-lived ticket the server signs for this page's origin.
      const opening = frame;
      fetch(`${base}/widget/v1/embed-ticket`, { method: "POST", headers, credentials: "omit" })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((out: { ticket: string }) => {
          query.set("ticket", out.ticket);
          opening.src = `${base}/widget/frame/?${query}#${hash}`;
        })
        .catch(() => {
          // Offline or refused: drop the empty frame so the next open tries again.
          opening.remove();
          if (frame === opening) frame = null;
          loaded = false;
        });
      frame.addEventListener("load", () => {
        loaded = true;
        if (isOpen) post({ type: "shoreline:open" });
      });
      panel.appendChild(frame);
    }
    panel.classList.toggle("open", open);
    panel.setAttribute("aria-hidden", String(!open));
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? "Close chat" : `Open chat${cfgName ? ` with ${cfgName}` : ""}`);
    launcher.classList.toggle("hidden", open);
    launcher.innerHTML = open ? CLOSE_ICON : CHAT_ICON;
    fitToVisualViewport();
    if (open) {
      frame!.focus();
      post({ type: "shoreline:open" });
    } else if (focusLauncher) {
      launcher.focus();
    }
  };

  let cfgName = "";

  const render = (config: Config) => {
    cfgName = config.bot_name;
    host = document.createElement("shoreline-chat");
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.style.setProperty("--c", config.bubble_color);
    launcher.style.setProperty("--ink", inkFor(config.bubble_color));
    launcher.addEventListener("click", () => setOpen(!isOpen));
    panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", `Chat with ${config.bot_name}`);
    panel.setAttribute("aria-hidden", "true");
    root.append(style, panel, launcher);
    isOpen = true; // so setOpen(false) below renders the closed state
    setOpen(false, false);
    document.body.appendChild(host);
  };

  window.addEventListener("message", (event) => {
    if (event.origin !== base || !frame || event.source !== frame.contentWindow) return;
    const type = (event.data as { type?: string } | null)?.type;
    if (type === "shoreline:close") setOpen(false);
    const state = (event.data as { state?: unknown }).state;
    if (type === "shoreline:state" && typeof state === "string" && state.length <= MAX_STATE) keepState(stateKey, state);
  });
  window.visualViewport?.addEventListener("resize", fitToVisualViewport);
  window.visualViewport?.addEventListener("scroll", fitToVisualViewport);

  window.ShorelineWidget = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
  };

  fetch(`${base}/widget/v1/config`, { headers, credentials: "omit" })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((config: Config) => {
      const start = () => render(config);
      if (document.body) start();
      else document.addEventListener("DOMContentLoaded", start);
      // CX-4: tell the dashboard the widget is live on this page.
      fetch(`${base}/widget/v1/events/load`, {
        method: "POST", credentials: "omit", keepalive: true,
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({ page_url: location.href.slice(0, 2000) }),
      }).catch(() => undefined);
    })
    .catch(() => {
      // Not allowed here, revoked, or offline: show nothing rather than a broken bubble.
      delete window.ShorelineWidget;
    });
}

boot();

export {};
