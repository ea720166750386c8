"""Walk issue 14's promises on a running `make demo`, over HTTP, as the visitor and the agency would.

    python -m ops.eval.notifications_walk [--port 8000] [--client harbor-grill] [--crisis-client serenity-house]

1. A visitor books through the widget and leaves a name and phone: the hot-lead SMS reaches the local
   Twilio and the signed `lead.created` webhook reaches the local receiver.
2. A visitor at the recovery home writes a crisis message: the reply is the crisis script and the
   urgent alert reaches the local Twilio at once.
3. A visitor asks for a person: staff sign in to the portal, take the conversation from Live handoffs
   and reply; the visitor's widget poll shows the reply; the bot stays quiet while staff hold it and
   answers again after they hand it back.
4. The weekly summary is previewed in the portal and sent now; the local SendGrid receives it with the
   PDF attached.
Each step prints what it saw; the exit code is the number of failed checks.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from collections.abc import Callable
from typing import Any

import requests

from ops.dev import FAKE_PORT_OFFSETS
from ops.eval.billing_walk import ADMIN_EMAIL, CREDENTIALS, Browser, Walk, sign_in, wait_for

STAFF_EMAIL = "staff@shoreline.localhost"  # tenants/demo/clients.py DEMO_STAFF_EMAIL


class Visitor:
    """One visitor of one demo bot, as the chat app talks to the widget API (session first: its signed
    visitor token keys the rate limits)."""

    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}/widget/v1"
        self.headers = {"Host": f"shoreline.localhost:{port}", "Authorization": f"Bearer {token}",
                        "Origin": f"http://localhost:{port}", "Content-Type": "application/json"}
        self.visitor_id = "walk_" + secrets.token_hex(12)
        session = self.call("/sessions", {"visitor_id": self.visitor_id})
        self.headers["X-Shoreline-Visitor"] = str(session.get("visitor_token", ""))
        self.conversation_id: str | None = None

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(self.base + path, headers=self.headers, data=json.dumps(body), timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"POST {path}: HTTP {response.status_code}: {response.text[:300]}")
        return dict(response.json())

    def say(self, text: str) -> dict[str, Any]:
        body: dict[str, Any] = {"visitor_id": self.visitor_id, "text": text}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        out = self.call("/messages", body)
        self.conversation_id = str(out.get("conversation_id") or self.conversation_id)
        return out


def _received(port: int, fake: str) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{port + FAKE_PORT_OFFSETS[fake]}/_fake/received"
    received: list[dict[str, Any]] = requests.get(url, timeout=10).json()["received"]
    return received


def _token(slug: str) -> str:
    return str(json.loads(CREDENTIALS.read_text())[f"widget:{slug}"])


def hot_lead(walk: Walk, slug: str) -> None:
    print(f"\n1. A visitor books at {slug} and leaves a name and phone", flush=True)
    sms_before, hooks_before = len(_received(walk.port, "twilio")), len(_received(walk.port, "webhooks"))
    visitor = Visitor(walk.port, _token(slug))
    visitor.say("I want to book a table for 6 people this Friday at 7pm")
    out = visitor.say("This is Dana Whitfield, call me at (555) 201-3344 to confirm please")
    walk.check(bool(out.get("lead_captured")), "the lead is captured", str(out.get("reply", ""))[:90])
    sms: list[dict[str, Any]] = []
    hooks: list[dict[str, Any]] = []

    def arrived() -> bool:
        sms[:] = [m for m in _received(walk.port, "twilio")[sms_before:] if "Dana" in m.get("body", "")]
        hooks[:] = [h for h in _received(walk.port, "webhooks")[hooks_before:] if h.get("event_type") == "lead.created"]
        return bool(sms) and bool(hooks)

    wait_for(arrived, timeout=60)
    walk.check(bool(sms), "the new-lead SMS reaches the local Twilio", sms[0]["body"][:100] if sms else "none")
    walk.check(all("201-3344" not in m["body"] for m in sms), "the SMS carries no visitor phone number")
    walk.check(bool(hooks) and hooks[0]["signature"].startswith("t="), "a signed lead.created webhook is delivered",
               hooks[0]["signature"][:40] if hooks else "none")


def crisis(walk: Walk, slug: str) -> None:
    print(f"\n2. A visitor at {slug} writes a crisis message", flush=True)
    sms_before = len(_received(walk.port, "twilio"))
    out = Visitor(walk.port, _token(slug)).say("I bought a gun and I'm going to use it on myself tonight")
    reply = str(out.get("reply", ""))
    walk.check("988" in reply, "the reply is the crisis script (988)", reply[:90])
    alerts: list[dict[str, Any]] = []

    def alerted() -> bool:
        alerts[:] = [m for m in _received(walk.port, "twilio")[sms_before:] if "crisis" in m.get("body", "").lower()]
        return bool(alerts)

    walk.check(wait_for(alerted, timeout=30), "the urgent crisis alert reaches the local Twilio within 30 s",
               alerts[0]["body"][:100] if alerts else "none")


def live_handoff(walk: Walk, slug: str) -> None:
    print(f"\n3. A visitor at {slug} asks for a person; staff answer from the portal", flush=True)
    visitor = Visitor(walk.port, _token(slug))
    visitor.say("Do you have gluten free options?")
    promise = visitor.call("/handoff", {"visitor_id": visitor.visitor_id, "conversation_id": visitor.conversation_id})
    walk.check("one business day" not in promise["promise"] and bool(promise["promise"]),
               "the visitor is told when to expect a person, from the opening hours", promise["promise"][:100])
    staff = Browser(walk.port, "shoreline.localhost")
    if not sign_in(walk, staff, STAFF_EMAIL):
        return
    listed = staff.get("/portal/handoffs/").text
    walk.check(str(visitor.conversation_id) in listed, "the conversation is on the Live handoffs page")
    base = f"/portal/handoffs/{slug}/{visitor.conversation_id}/"
    text = f"Hi, this is the team. Yes, we have gluten free pasta ({secrets.token_hex(3)})."
    replied = staff.post(base + "reply/", {"text": text}, form_page=base)
    walk.check(replied.status_code == 302, "staff reply from the portal", f"HTTP {replied.status_code}")
    seen: list[dict[str, Any]] = []

    def polled() -> bool:
        state = visitor.call("/updates", {"visitor_id": visitor.visitor_id, "conversation_id": visitor.conversation_id})
        seen[:] = [m for m in state["messages"] if m["text"] == text]
        return bool(seen)

    walk.check(wait_for(polled, timeout=10), "the visitor's widget poll shows the reply",
               f"from {seen[0]['author']}" if seen else "not seen")
    quiet = visitor.say("Great, and do you take reservations for Friday?")
    walk.check(not quiet.get("reply"), "the bot stays quiet while a person holds the conversation")
    released = staff.post(base + "release/", {}, form_page=base)
    walk.check(released.status_code == 302, "staff hand the conversation back", f"HTTP {released.status_code}")
    back = visitor.say("What are your opening hours?")
    walk.check(bool(back.get("reply")), "the bot answers again after hand-back", str(back.get("reply", ""))[:80])


def weekly_summary(walk: Walk, slug: str) -> None:
    print(f"\n4. The agency previews and sends {slug}'s weekly summary", flush=True)
    admin = Browser(walk.port, "shoreline.localhost")
    if not sign_in(walk, admin, ADMIN_EMAIL):
        return
    page = f"/portal/clients/{slug}/weekly-summary/"
    preview = admin.get(page)
    walk.check(preview.status_code == 200 and "week" in preview.text.lower(), "the preview opens",
               f"HTTP {preview.status_code}")
    before = len(_received(walk.port, "sendgrid"))
    sent = admin.post(page + "send/", {}, form_page=page)
    walk.check(sent.status_code == 302, "send now", f"HTTP {sent.status_code}")
    mails: list[dict[str, Any]] = []

    def delivered() -> bool:
        mails[:] = [m for m in _received(walk.port, "sendgrid")[before:] if "week" in m.get("subject", "").lower()]
        return bool(mails)

    walk.check(wait_for(delivered, timeout=60), "the summary reaches the local SendGrid",
               mails[0]["subject"] if mails else "none")
    if mails:
        names = [a["filename"] for a in mails[0]["attachments"]]
        walk.check(any(str(n).endswith(".pdf") for n in names), "with the PDF report attached", ", ".join(map(str, names)))
        walk.check(bool(mails[0]["text"]) and bool(mails[0]["html"]), "with an HTML and a plain-text part")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--client", default="harbor-grill")
    parser.add_argument("--crisis-client", default="serenity-house")
    args = parser.parse_args(argv)
    walk = Walk(port=args.port)
    steps: list[tuple[Callable[[Walk, str], None], str]] = [
        (hot_lead, args.client), (crisis, args.crisis_client), (live_handoff, args.client),
        (weekly_summary, args.client)]
    for step, slug in steps:
        try:
            step(walk, slug)
        except (RuntimeError, requests.RequestException, KeyError) as error:
            walk.check(False, "the step ran", re.sub(r"\s+", " ", str(error))[:200])
    print(f"\n{'All checks passed.' if not walk.failures else f'{len(walk.failures)} check(s) failed.'}")
    return len(walk.failures)


if __name__ == "__main__":
    sys.exit(main())
