// AX-7: the live system figures page polls its JSON endpoint every few seconds and fills the cells.
// Markup: <section data-live-metrics data-src="…json" data-interval="5000">, cells with
// data-metric="window.widget.p95_ms" data-format="ms|pct|rate|int", and <tbody data-live-rows="queues|workers">.

type Json = Record<string, unknown>;

function pick(data: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Json)[key] : undefined), data);
}

function format(value: unknown, kind: string | undefined): string {
  if (value === null || value === undefined) return "–";
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  switch (kind) {
    case "ms": return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
    case "pct": return `${(n * 100).toFixed(n < 0.01 && n > 0 ? 2 : 1)}%`;
    case "rate": return `${n.toFixed(2)}/s`;
    default: return Math.round(n).toLocaleString("en-US");
  }
}

function row(cells: string[], state?: string): HTMLTableRowElement {
  const tr = document.createElement("tr");
  if (state) tr.dataset.state = state;
  cells.forEach((text, i) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (i > 0) td.className = "num";
    tr.append(td);
  });
  return tr;
}

function render(section: HTMLElement, data: Json): void {
  section.querySelectorAll<HTMLElement>("[data-metric]").forEach((cell) => {
    cell.textContent = format(pick(data, cell.dataset.metric ?? ""), cell.dataset.format);
  });
  const queues = section.querySelector<HTMLElement>('[data-live-rows="queues"]');
  if (queues) {
    const entries = Object.entries((data.queues as Record<string, number | null>) ?? {});
    queues.replaceChildren(...entries.map(([name, depth]) => row([name, format(depth, "int")])));
  }
  const workers = section.querySelector<HTMLElement>('[data-live-rows="workers"]');
  if (workers) {
    const list = (data.workers as { name: string; heartbeat_age_s: number; healthy: boolean }[]) ?? [];
    workers.replaceChildren(...(list.length ? list.map((w) => row([w.name, `${w.heartbeat_age_s.toFixed(0)} s ago`, w.healthy ? "Healthy" : "Late"], w.healthy ? "ok" : "late"))
      : [row(["No worker has reported a heartbeat in the last minute.", "", ""], "late")]));
  }
  const stamp = section.querySelector<HTMLElement>("[data-live-updated]");
  if (stamp) stamp.textContent = new Date(Number(data.at) * 1000).toLocaleTimeString("en-GB", { timeZone: "UTC" }) + " UTC";
  section.dataset.loaded = "1";
}

export function initLiveMetrics(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>("[data-live-metrics]").forEach((section) => {
    if (section.dataset.bound) return;
    section.dataset.bound = "1";
    const src = section.dataset.src;
    if (!src) return;
    const interval = Number(section.dataset.interval ?? "5000");
    const status = section.querySelector<HTMLElement>("[data-live-status]");
    const poll = async (): Promise<void> => {
      try {
        const response = await fetch(src, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) throw new Error(String(response.status));
        render(section, (await response.json()) as Json);
        if (status) status.textContent = "";
      } catch {
        if (status) status.textContent = "Could not refresh the figures; retrying.";
      }
    };
    void poll();
    window.setInterval(() => { if (!document.hidden) void poll(); }, interval);
  });
}
