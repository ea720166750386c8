/* The widget API as the chat app uses it: every call carries the token and the embedding page's origin. */

export interface QuickReply {
  label: string;
  message: string | null;
  action: string | null;
}

export interface Config {
  bot_name: string;
  business_name: string;
  status: string;
  theme: string;
  bubble_color: string;
  welcome_message: string;
  avatar_url: string;
  booking_url: string;
  quick_replies: QuickReply[];
  handoff_promise: string;
}

export interface MessageOut {
  conversation_id: string;
  message_id: number;
  reply: string;
  answered_by: string;
  is_fallback: boolean;
  is_crisis: boolean;
  asked_for_contact: boolean;
  lead_captured: boolean;
  booking_url: string;
  server_ms: number;
  quick_replies?: QuickReply[];
}

export interface HandoffOut {
  conversation_id: string;
  promise: string;
}

/** A refused or failed call. `status` 0 means the network failed (offline, blocked). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfter = 0) {
    super(message);
  }
}

export class Api {
  /** SEC-6: the server-signed visitor token from /sessions; rate limits key on it. */
  visitorToken = "";

  constructor(private readonly token: string, private readonly embedOrigin: string) {}

  private headers(json: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      "X-Shoreline-Embed-Origin": this.embedOrigin,
    };
    if (this.visitorToken) headers["X-Shoreline-Visitor"] = this.visitorToken;
    if (json) headers["Content-Type"] = "application/json";
    return headers;
  }

  private async call(path: string, body?: object, keepalive = false): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`/widget/v1/${path}`, {
        method: body ? "POST" : "GET",
        headers: this.headers(!!body),
        body: body ? JSON.stringify(body) : undefined,
        keepalive,
      });
    } catch {
      throw new ApiError(0, "network", "No connection");
    }
    if (!response.ok) {
      let code = "error";
      let detail = "";
      try {
        const problem = (await response.json()) as { error?: string; detail?: unknown };
        code = problem.error ?? code;
        detail = typeof problem.detail === "string" ? problem.detail : "";
      } catch {
        /* not JSON: keep the status */
      }
      throw new ApiError(response.status, code, detail, Number(response.headers.get("Retry-After")) || 0);
    }
    return response;
  }

  async json<T>(path: string, body?: object, keepalive = false): Promise<T> {
    return (await (await this.call(path, body, keepalive)).json()) as T;
  }

  /** POST /messages/stream: calls onDelta for each piece and resolves with the final message. */
  async stream(body: object, onDelta: (text: string) => void): Promise<MessageOut> {
    const response = await this.call("messages/stream", body);
    if (!response.body) return this.json<MessageOut>("messages", body);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let final: MessageOut | null = null;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw new ApiError(0, "network", "The connection dropped");
      }
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (!data) continue;
        const payload = JSON.parse(data) as { text?: string } & MessageOut;
        if (event === "delta" && payload.text) onDelta(payload.text);
        else if (event === "done") final = payload;
      }
    }
    if (!final) throw new ApiError(0, "network", "The reply was cut off");
    return final;
  }
}
