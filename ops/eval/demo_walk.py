"""The `make demo` walk (issue 11): every demo client's bot, asked the basics and every quick reply
its widget offers, through the real widget API of a running `make demo`. Prints a table.

    make demo                                  # in another terminal (or in the background)
    .venv/bin/python -m ops.eval.demo_walk [--port 8000] [--markdown]

For each of the demo clients it reads the widget token `seed_demo` keeps in
.data/demo-credentials.json, loads the widget config (its quick replies), then sends, each in a
new conversation of a new visitor: hours, phone, address, prices, and every quick reply as the
widget sends it (the chip's message, else its label). A row is "ok" when the bot did not fall back
and the reply is a real answer (20+ characters). Reports, asserts nothing; exit code 1 if any row
is not ok, so it can gate a demo check.
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BASICS = (("hours", "what are your hours?"), ("phone", "what's your phone number?"),
          ("address", "what's your address?"), ("prices", "how much do you charge?"))


@dataclass(frozen=True)
class Row:
    client: str
    kind: str
    asked: str
    answered_by: str
    fallback: bool
    reply: str

    @property
    def ok(self) -> bool:
        return not self.fallback and self.answered_by not in ("fallback", "did_you_mean") and len(self.reply) >= 20


class Widget:
    def __init__(self, port: int, host: str, token: str) -> None:
        self.port, self.host, self.token = port, host, token
        # The demo's pretend client website on the port the demo runs on (tenants.demo.clients).
        self.origin = f"http://localhost:{port}"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             visitor_token: str = "") -> dict[str, Any]:
        for _attempt in range(6):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"Host": self.host, "Authorization": f"Bearer {self.token}", "Origin": self.origin,
                       "Content-Type": "application/json"}
            if visitor_token:
                headers["X-Shoreline-Visitor"] = visitor_token  # the signed visitor, as the chat app sends it
            connection.request(method, f"/widget/v1{path}", body=json.dumps(body) if body else None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
            if response.status == 429:  # the widget's rate limit: wait as told, then again
                time.sleep(float(response.getheader("Retry-After") or 5))
                continue
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:300]!r}")
            return dict(json.loads(data))
        raise RuntimeError(f"{method} {path}: still rate limited")

    def ask(self, text: str) -> dict[str, Any]:
        """A new visitor per question, as the chat app does it: a session first (its signed visitor token
        keys the rate limits), then the message."""
        visitor = "walk_" + secrets.token_hex(12)
        session = self.call("POST", "/sessions", {"visitor_id": visitor})
        return self.call("POST", "/messages", {"visitor_id": visitor, "text": text},
                         visitor_token=str(session.get("visitor_token", "")))


def walk(port: int, host: str, credentials: dict[str, str]) -> list[Row]:
    rows: list[Row] = []
    for key, token in sorted(credentials.items()):
        if not key.startswith("widget:"):
            continue
        slug = key.removeprefix("widget:")
        widget = Widget(port, host, token)
        config = widget.call("GET", "/config")
        questions = [*BASICS, *(("quick reply", q.get("message") or q["label"]) for q in config["quick_replies"])]
        for kind, text in questions:
            out = widget.ask(text)
            rows.append(Row(slug, kind, text, out["answered_by"], bool(out["is_fallback"]),
                            " ".join(str(out["reply"]).split())))
    return rows


def table(rows: list[Row], *, markdown: bool) -> str:
    lines = []
    if markdown:
        lines += ["| client | asked | answered by | ok | reply (start) |", "|---|---|---|---|---|"]
        lines += [f"| {r.client} | {r.asked} | {r.answered_by} | {'yes' if r.ok else '**no**'} | "
                  f"{r.reply[:70].replace('|', '/')} |" for r in rows]
    else:
        lines += [f"{r.client:18} {r.kind:12} {r.asked[:34]:34} {r.answered_by:14} {'ok' if r.ok else 'NO':3} "
                  f"{r.reply[:60]}" for r in rows]
    ok = sum(r.ok for r in rows)
    lines.append("")
    lines.append(f"{ok} of {len(rows)} answered ({len({r.client for r in rows})} clients)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="shoreline.localhost", help="the public host of the widget API")
    parser.add_argument("--credentials", type=Path, default=ROOT / ".data" / "demo-credentials.json")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if not args.credentials.exists():
        print(f"No {args.credentials}: run `make demo` first (seed_demo writes it).", file=sys.stderr)
        return 2
    rows = walk(args.port, f"{args.host}:{args.port}", json.loads(args.credentials.read_text()))
    print(table(rows, markdown=args.markdown))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
