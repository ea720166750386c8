/*
 * The chat app inside the iframe (/widget/frame/). No framework: a few DOM helpers and one state
 * object. Every piece of model or knowledge text goes through text.ts (text nodes and safe links).
 */

import { Api, ApiError, type Config, type MessageOut, type QuickReply } from "./api";
import { LivePoller, type StaffMessage } from "./live";
import { link, renderText, safeHref } from "./text";
import { canPersist, load, save, visitorId } from "./visitor";

const ICONS: Record<string, string> = {
  close: '<path d="M18 6 6 18M6 6l12 12"/>',
  send: '<path d="M5 12h14M13 6l6 6-6 6"/>',
  up: '<path d="M7 10v12M15 5.9 14 10h5.8a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.5 22H7V10l4-8a3 3 0 0 1 3 3.9z"/>',
  down: '<path d="M17 14V2M9 18.1 10 14H4.2a2 2 0 0 1-2-2.3l1.4-8A2 2 0 0 1 5.5 2H17v12l-4 8a3 3 0 0 1-3-3.9z"/>',
  calendar: '<rect x="3" y="4" width="18" height="18" rx="2"/><path d="M16 2v4M8 2v4M3 10h18"/>',
  person: '<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>',
  wifi: '<path d="M12 20h.01M8.5 16.4a5 5 0 0 1 7 0M5 12.9a10 10 0 0 1 14 0M2 8.8a15 15 0 0 1 20 0"/><path d="m2 2 20 20"/>',
  alert: '<circle cx="12" cy="12" r="10"/><path d="M12 8v4M12 16h.01"/>',
  check: '<path d="M20 6 9 17l-5-5"/>',
};

type Role = "v" | "b" | "n" | "p";
interface Item {
  r: Role;
  t: string;
  m?: number; // bot message id (feedback)
  a?: string; // "p": the person's first name (BEY-1)
  p?: number; // "p": the person's message id
}

const CONVERSATION_IDLE_MS = 30 * 60 * 1000;
const VISITOR_TOKEN_KEY = "shl_vtok";
const UNAVAILABLE = new Set(["paused", "over_limit"]);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function icon(name: string): SVGSVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = ICONS[name]; // constant markup of our own, never model text
  return svg;
}

function button(className: string, label: string, iconName?: string, text = ""): HTMLButtonElement {
  const b = el("button", className, text);
  b.type = "button";
  if (iconName) b.prepend(icon(iconName));
  if (label) b.setAttribute("aria-label", label);
  return b;
}

/** Black or white ink for text on the brand colour, whichever has more contrast (WCAG AA). */
function inkFor(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const l = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#0b1a2c" : "#ffffff";
}

class Chat {
  private readonly api: Api;
  private readonly hostOrigin: string;
  private readonly visitor: string;
  private readonly pageUrl: string;
  private readonly storeKey: string;
  private readonly fromHost: string | null; // the conversation the loader kept for us (storage blocked here)
  private config: Config | null = null;
  private conversationId: string | null = null;
  private items: Item[] = [];
  private busy = false;
  private handoffDone = false;
  private session: Promise<unknown> = Promise.resolve();
  private live: LivePoller;
  private personHere = false;

  private root = el("main", "shl");
  private log = el("div", "log");
  private notice = el("div", "notice");
  private chips = el("div", "chips");
  private tools = el("div", "tools");
  private form = el("form", "composer");
  private input = el("textarea");
  private send = button("send", "Send message", "send");
  private announcer = el("div", "sr-only");
  private status = el("p", "sub");

  constructor(private readonly html: HTMLElement) {
    const token = html.dataset.token ?? "";
    this.hostOrigin = html.dataset.host ?? "";
    const hash = new URLSearchParams(location.hash.slice(1));
    this.pageUrl = hash.get("page") ?? "";
    this.visitor = visitorId(hash.get("vid"));
    this.api = new Api(token, this.hostOrigin);
    this.api.visitorToken = load(VISITOR_TOKEN_KEY) ?? "";
    this.storeKey = `shl_conv_${token.split("_")[1] ?? "x"}`;
    this.fromHost = hash.get("st");
    this.live = new LivePoller(this.api, this.visitor, {
      conversation: () => this.conversationId,
      message: (m) => this.personReplied(m),
      state: (handoff, heldBy) => this.handoffState(handoff, heldBy),
    });
  }

  // --- boot -----------------------------------------------------------------------------------

  /** SEC-2: only inside a frame whose parent is the website the server vouched for (data-host). */
  private framedByHost(): boolean {
    if (window.top === window.self || window.parent === window.self) return false;
    const ancestors = location.ancestorOrigins;
    if (ancestors && ancestors.length && ancestors[0] !== this.hostOrigin) return false;
    return true;
  }

  start(): void {
    if (!this.framedByHost()) {
      document.body.replaceChildren(el("p", "refused", "This chat only works inside the website that shows it."));
      return;
    }
    const inline = document.getElementById("shl-config");
    const config = inline?.textContent ? (JSON.parse(inline.textContent) as Config) : null;
    this.buildShell();
    document.body.replaceChildren(this.root);
    this.listen();
    if (config) this.ready(config);
    else this.fetchConfig();
  }

  private fetchConfig(): void {
    this.api.json<Config>("config").then(
      (config) => this.ready(config),
      (error: unknown) => this.fatal(error),
    );
  }

  private fatal(error: unknown): void {
    const offline = error instanceof ApiError && error.status === 0;
    this.showNotice(offline ? "wifi" : "alert",
      offline ? "You're offline. Check your connection and try again." : "This chat isn't available on this website.",
      offline ? () => this.fetchConfig() : undefined);
  }

  private ready(config: Config): void {
    this.config = config;
    this.html.dataset.theme = config.theme;
    this.html.style.setProperty("--accent", config.bubble_color);
    this.html.style.setProperty("--on-accent", inkFor(config.bubble_color));
    this.fillHeader(config);
    this.restoreOrWelcome(config);
    this.buildChips(config.quick_replies);
    this.buildTools(config);
    this.applyStatus(config.status);
    // WID-6/AN-4: one session per opened widget; returning visitors are counted server-side.
    // SEC-6: it also hands out the signed visitor token every later call sends back.
    this.session = this.api.json<{ visitor_token: string }>("sessions", {
      visitor_id: this.visitor, page_url: this.pageUrl.slice(0, 2000),
    }).then(
      (out) => {
        this.api.visitorToken = out.visitor_token;
        save(VISITOR_TOKEN_KEY, out.visitor_token);
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 403) this.fatal(error);
      });
    if (!navigator.onLine) this.offline();
  }

  // --- layout ---------------------------------------------------------------------------------

  private buildShell(): void {
    const head = el("header", "head");
    const avatar = el("div", "avatar");
    avatar.setAttribute("aria-hidden", "true");
    const who = el("div", "who");
    const title = el("h1", "", "Chat");
    title.id = "shl-title";
    who.append(title, this.status);
    head.append(avatar, who);
    if (window.parent !== window) {
      const close = button("icon close", "Close chat", "close");
      close.addEventListener("click", () => this.close());
      head.append(close);
    }
    this.root.setAttribute("aria-labelledby", "shl-title");

    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-label", "Conversation");
    // The visible log is not announced piece by piece while a reply streams in; the live region
    // below announces each finished message once.
    this.log.setAttribute("aria-live", "off");
    this.announcer.setAttribute("aria-live", "polite");
    this.announcer.setAttribute("role", "status");
    this.notice.hidden = true;
    this.chips.setAttribute("role", "group");
    this.chips.setAttribute("aria-label", "Suggested questions");

    const label = el("label", "sr-only", "Your message");
    label.htmlFor = "shl-input";
    this.input.id = "shl-input";
    this.input.rows = 1;
    this.input.maxLength = 2000;
    this.input.placeholder = "Write a message…";
    this.input.setAttribute("enterkeyhint", "send");
    this.send.type = "submit";
    this.send.disabled = true;
    this.form.append(label, this.input, this.send);
    // White label: the agency's name from the frame page (data-powered-by), or no line when it is hidden.
    const poweredBy = document.documentElement.dataset.poweredBy ?? "";
    const parts: HTMLElement[] = [head, this.notice, this.log, this.chips, this.tools, this.form];
    if (poweredBy) {
      const foot = el("p", "foot", "Powered by ");
      foot.append(el("strong", "", poweredBy));
      parts.push(foot);
    }
    this.root.append(...parts, this.announcer);
  }

  private fillHeader(config: Config): void {
    const title = this.root.querySelector("h1")!;
    title.textContent = config.bot_name;
    const avatar = this.root.querySelector(".avatar")!;
    const src = config.avatar_url ? safeHref(new URL(config.avatar_url, location.href).href) : null;
    if (src) {
      const img = el("img");
      img.alt = "";
      img.src = src;
      avatar.replaceChildren(img);
    } else {
      avatar.textContent = (config.bot_name.trim()[0] ?? "?").toUpperCase();
    }
  }

  private applyStatus(status: string): void {
    const away = UNAVAILABLE.has(status);
    this.root.classList.toggle("away", away);
    this.status.replaceChildren(el("span", "dot"),
      document.createTextNode(`${this.config?.business_name ?? ""} · ${away ? "Away right now" : "Replies instantly"}`));
  }

  private buildChips(replies: QuickReply[]): void {
    this.chips.replaceChildren();
    for (const reply of replies.slice(0, 6)) {
      if (reply.action === "show_booking_link" || reply.action === "offer_handoff") continue; // the toolbar has them
      const chip = button("chip", "", undefined, reply.label);
      chip.addEventListener("click", () => this.submit(reply.message || reply.label));
      this.chips.append(chip);
    }
    this.chips.hidden = !this.chips.childElementCount || this.items.some((i) => i.r === "v");
  }

  /** "Did you mean …?": the suggested questions as chips under the reply; tapping one asks it. */
  private replyChips(replies: QuickReply[]): void {
    this.chips.replaceChildren();
    for (const reply of replies.slice(0, 3)) {
      const chip = button("chip", "", undefined, reply.label);
      chip.addEventListener("click", () => this.submit(reply.message || reply.label));
      this.chips.append(chip);
    }
    this.chips.hidden = !this.chips.childElementCount;
  }

  private buildTools(config: Config): void {
    this.tools.replaceChildren();
    const booking = safeHref(config.booking_url);
    if (booking) {
      const book = link(booking, "Book now");
      book.className = "pill";
      book.prepend(icon("calendar"));
      book.addEventListener("click", () => this.bookingClicked(booking));
      this.tools.append(book);
    }
    const handoff = button("pill", "", "person", "Talk to a person");
    handoff.addEventListener("click", () => this.handoff(handoff));
    this.tools.append(handoff);
  }

  // --- messages -------------------------------------------------------------------------------

  private restoreOrWelcome(config: Config): void {
    const saved = load(this.storeKey) ?? this.fromHost;
    if (saved) {
      try {
        const state = JSON.parse(saved) as { id: string; at: number; items: Item[] };
        if (Date.now() - state.at < CONVERSATION_IDLE_MS && state.items.length) {
          this.conversationId = state.id;
          for (const item of state.items) this.add(item, false);
          // BEY-1: a person may have replied while the visitor was on another page.
          this.live.start(Math.max(0, ...state.items.map((i) => i.p ?? 0)));
          return;
        }
      } catch {
        /* unreadable: start over */
      }
    }
    this.add({ r: "b", t: config.welcome_message }, false);
  }

  private persist(): void {
    if (this.conversationId) {
      const state = JSON.stringify({ id: this.conversationId, at: Date.now(), items: this.items.slice(-40) });
      save(this.storeKey, state);
      // WID-6: where this frame cannot store (third-party storage blocked), the loader keeps the conversation
      // in the host site's own storage and hands it back on the next page (URL fragment, never sent to a server).
      if (!canPersist() && this.hostOrigin && window.parent !== window) {
        window.parent.postMessage({ type: "shoreline:state", state }, this.hostOrigin);
      }
    }
  }

  private add(item: Item, announce = true): HTMLElement {
    this.items.push(item);
    const row = el("div", `msg ${item.r === "v" ? "me" : item.r === "b" ? "bot" : item.r === "p" ? "bot person" : "note"}`);
    if (item.r === "p") row.append(el("span", "author", item.a && item.a !== "Team member" ? `${item.a} · Team member` : "Team member"));
    const bubble = el("div", "bubble");
    renderText(bubble, item.t);
    row.append(bubble);
    if (item.m) row.append(this.feedback(item.m));
    this.log.append(row);
    this.scroll();
    if (announce) this.announce(item);
    return row;
  }

  private announce(item: Item): void {
    const who = item.r === "v" ? "You" : item.r === "b" ? this.config?.bot_name ?? "Assistant"
      : item.r === "p" ? item.a || "Team member" : "Notice";
    this.announcer.textContent = `${who}: ${item.t}`;
  }

  private scroll(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private feedback(messageId: number): HTMLElement {
    const bar = el("div", "rate");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Was this helpful?");
    const up = button("icon", "Helpful", "up");
    const down = button("icon", "Not helpful", "down");
    const pairs: Array<[HTMLButtonElement, string]> = [[up, "up"], [down, "down"]];
    pairs.forEach(([b, value]) => {
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => {
        up.setAttribute("aria-pressed", String(value === "up"));
        down.setAttribute("aria-pressed", String(value === "down"));
        this.announcer.textContent = "Thanks for the feedback.";
        this.api.json("feedback", { visitor_id: this.visitor, message_id: messageId, value }).catch(() => {
          b.setAttribute("aria-pressed", "false");
        });
      });
    });
    bar.append(up, down);
    return bar;
  }

  private typing(): HTMLElement {
    const row = el("div", "msg bot pending");
    const bubble = el("div", "bubble typing");
    bubble.append(el("i"), el("i"), el("i"));
    bubble.setAttribute("aria-label", "Typing");
    row.append(bubble);
    this.log.append(row);
    this.scroll();
    return row;
  }

  private submit(text: string, row?: HTMLElement): void {
    text = text.trim();
    if (!text || this.busy) return;
    this.chips.hidden = true;
    if (row) {
      row.classList.remove("failed");
      row.querySelector(".retry")?.remove();
    } else {
      row = this.add({ r: "v", t: text });
    }
    void this.deliver(text, row);
  }

  private async deliver(text: string, row: HTMLElement, again = false): Promise<void> {
    this.setBusy(true);
    this.hideNotice();
    const pending = this.typing();
    const bubble = pending.querySelector(".bubble") as HTMLElement;
    let streamed = "";
    try {
      await this.session; // the first message waits for the signed visitor token
      const out = await this.api.stream(
        { visitor_id: this.visitor, conversation_id: this.conversationId, text },
        (delta) => {
          streamed += delta;
          bubble.classList.remove("typing");
          renderText(bubble, streamed);
          this.scroll();
        });
      pending.remove();
      this.received(out);
    } catch (error) {
      pending.remove();
      if (error instanceof ApiError && error.code === "conversation_not_found" && !again) {
        this.conversationId = null; // expired or ended: start a new conversation
        this.setBusy(false);
        return this.deliver(text, row, true);
      }
      this.failed(text, row, error);
    } finally {
      this.setBusy(false);
    }
  }

  private received(out: MessageOut): void {
    this.conversationId = out.conversation_id;
    if (out.answered_by === "person" || out.is_crisis) this.live.start(); // BEY-1: a person holds it
    if (!out.reply) return this.persist(); // a person holds the conversation: the assistant stays quiet
    const special = UNAVAILABLE.has(out.answered_by) || out.is_crisis;
    const row = this.add({ r: "b", t: out.reply, m: special ? undefined : out.message_id });
    if (UNAVAILABLE.has(out.answered_by)) {
      row.classList.add("away-reply");
      this.applyStatus(out.answered_by);
    }
    if (out.quick_replies?.length) this.replyChips(out.quick_replies);
    for (const a of row.querySelectorAll("a")) {
      // AN-3: a booking link inside an answer counts like the booking button.
      if (out.booking_url && a.href.startsWith(out.booking_url)) a.addEventListener("click", () => this.bookingClicked(a.href));
    }
    this.persist();
  }

  private failed(text: string, row: HTMLElement, error: unknown): void {
    row.classList.add("failed");
    const retry = button("retry", "", undefined, "Not sent · Retry");
    retry.addEventListener("click", () => this.submit(text, row));
    row.append(retry);
    const status = error instanceof ApiError ? error.status : -1;
    if (status === 0) this.offline();
    else if (status === 429) {
      const wait = error instanceof ApiError && error.retryAfter ? ` in ${error.retryAfter} seconds` : " in a moment";
      this.showNotice("alert", `You're sending messages quickly. Please try again${wait}.`);
    } else if (status === 403 || status === 401) this.fatal(error);
    else this.showNotice("alert", "Something went wrong on our side. Your message was not sent.", () => this.submit(text, row));
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.root.setAttribute("aria-busy", String(busy));
    this.send.disabled = busy || !this.input.value.trim();
  }

  // --- actions --------------------------------------------------------------------------------

  private bookingClicked(url: string): void {
    this.api.json("events/booking-click", {
      visitor_id: this.visitor, conversation_id: this.conversationId, url: url.slice(0, 500),
    }, true).catch(() => undefined);
  }

  private handoff(trigger: HTMLButtonElement): void {
    if (this.handoffDone) return;
    trigger.disabled = true;
    this.api.json<{ conversation_id: string; promise: string }>("handoff", {
      visitor_id: this.visitor, conversation_id: this.conversationId,
    }).then((out) => {
      this.handoffDone = true;
      this.conversationId = out.conversation_id;
      trigger.replaceChildren(icon("check"), document.createTextNode("Team notified"));
      const promise = out.promise || this.config?.handoff_promise || "";
      this.add({ r: "n", t: `We've let the team know you'd like to talk to a person. ${promise}`.trim() });
      this.add({ r: "b", t: "So they can reach you, what's the best phone number or email?" });
      this.persist();
      this.live.start();
      this.input.focus();
    }, (error: unknown) => {
      trigger.disabled = false;
      if (error instanceof ApiError && error.status === 0) this.offline();
      else this.showNotice("alert", "We couldn't reach the team just now.", () => this.handoff(trigger));
    });
  }

  // --- BEY-1 live handoff ---------------------------------------------------------------------

  private personReplied(message: StaffMessage): void {
    this.add({ r: "p", t: message.text, a: message.author, p: message.id });
    this.persist();
  }

  private handoffState(handoff: string, heldBy: string): void {
    if (handoff === "held") {
      this.personHere = true;
      this.status.replaceChildren(el("span", "dot"), document.createTextNode(
        `${this.config?.business_name ?? ""} · ${heldBy || "A team member"} is replying`));
    } else if (handoff === "closed" && this.personHere) {
      this.personHere = false;
      this.applyStatus(this.config?.status ?? "active");
      this.add({ r: "n", t: "You're back with the assistant." });
      this.persist();
    }
  }

  private close(): void {
    if (window.parent !== window) window.parent.postMessage({ type: "shoreline:close" }, this.hostOrigin || "*");
  }

  // --- notices --------------------------------------------------------------------------------

  private offline(): void {
    this.showNotice("wifi", "You're offline. Messages will send when you retry.", () => this.retryFailed());
  }

  private retryFailed(): void {
    const failed = this.log.querySelector<HTMLButtonElement>(".msg.failed .retry");
    if (failed) failed.click();
    else this.hideNotice();
  }

  private showNotice(iconName: string, text: string, retry?: () => void): void {
    this.notice.replaceChildren(icon(iconName), el("span", "", text));
    this.notice.setAttribute("role", "alert");
    if (retry) {
      const again = button("notice-retry", "", undefined, "Retry");
      again.addEventListener("click", retry);
      this.notice.append(again);
    }
    this.notice.hidden = false;
  }

  private hideNotice(): void {
    this.notice.hidden = true;
    this.notice.replaceChildren();
  }

  // --- input, keyboard, focus -----------------------------------------------------------------

  private listen(): void {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value;
      if (!text.trim() || this.busy) return;
      this.input.value = "";
      this.grow();
      this.submit(text);
    });
    this.input.addEventListener("input", () => {
      this.send.disabled = this.busy || !this.input.value.trim();
      this.grow();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      } else if (event.key === "Tab") {
        this.trapFocus(event);
      }
    });
    window.addEventListener("online", () => this.hideNotice());
    window.addEventListener("offline", () => this.offline());
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || (this.hostOrigin && event.origin !== this.hostOrigin)) return;
      if ((event.data as { type?: string } | null)?.type === "shoreline:open") {
        // On touch screens focusing would pop the keyboard over the welcome message.
        if (!matchMedia("(pointer: coarse)").matches) this.input.focus();
        this.scroll();
      }
    });
  }

  private grow(): void {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 132)}px`;
  }

  /** Focus stays inside the open panel: Tab from the last control goes to the first, and back. */
  private trapFocus(event: KeyboardEvent): void {
    const focusable = Array.from(this.root.querySelectorAll<HTMLElement>("a[href],button,textarea")).filter(
      (node) => !(node as HTMLButtonElement).disabled && node.getClientRects().length > 0);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !this.root.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !this.root.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }
}

new Chat(document.documentElement).start();
