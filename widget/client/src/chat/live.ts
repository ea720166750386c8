/*
 * BEY-1 live handoff: while the visitor waits for (or talks with) a person, ask the widget API once a
 * second for that person's replies (POST /widget/v1/updates, the visitor's own conversation only).
 * Stops when the conversation is back with the assistant or never had a handoff.
 */

import { Api, ApiError } from "./api";

export interface StaffMessage {
  id: number;
  text: string;
  author: string;
  created_at: string;
}

export interface Updates {
  handoff: "none" | "waiting" | "held" | "closed";
  held_by: string;
  messages: StaffMessage[];
  poll_ms: number;
}

export interface LiveHooks {
  conversation(): string | null;
  message(message: StaffMessage): void;
  state(handoff: Updates["handoff"], heldBy: string): void;
}

const HIDDEN_POLL_MS = 5000;

export class LivePoller {
  private timer: number | undefined;
  private running = false;
  private last = 0;
  private lastState = "";

  constructor(private readonly api: Api, private readonly visitor: string, private readonly hooks: LiveHooks) {}

  /** `seen`: the highest person's message id already on screen (restored conversations). */
  start(seen = 0): void {
    this.last = Math.max(this.last, seen);
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    window.clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    const conversation = this.hooks.conversation();
    if (!this.running || !conversation) return this.stop();
    let next = 1000;
    try {
      const out = await this.api.json<Updates>("updates", {
        visitor_id: this.visitor, conversation_id: conversation, after: this.last,
      });
      for (const message of out.messages) {
        if (message.id <= this.last) continue;
        this.last = message.id;
        this.hooks.message(message);
      }
      const state = `${out.handoff}:${out.held_by}`;
      if (state !== this.lastState) {
        this.lastState = state;
        this.hooks.state(out.handoff, out.held_by);
      }
      if (out.handoff === "none" || out.handoff === "closed") return this.stop();
      next = out.poll_ms || next;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 401 || error.status === 403)) {
        return this.stop();
      }
      next = error instanceof ApiError && error.retryAfter ? error.retryAfter * 1000 : 3000;
    }
    if (this.running) this.schedule(document.hidden ? Math.max(next, HIDDEN_POLL_MS) : next);
  }
}
