"""Walk issue 13's loop on a running `make demo`, over HTTP, as the people who would do it.

    python -m ops.eval.billing_walk [--port 8000] [--client harbor-grill] [--pause-client fade-lab]

1. The agency admin signs in (choosing a password at first sign-in, written back to
   .data/demo-credentials.json) and changes a client's plan in the portal.
2. The local Stripe server issues the prorated invoice and delivers the signed webhook; the walk waits
   until the invoice shows on the client's Billing page, signed in as the client's owner.
3. The owner opens the billing portal: the platform creates the session server-side and redirects to
   the local Stripe, which answers the page.
4. A client on a pause plan is pushed over its quota: its usage is fast-forwarded to two messages
   below the quota (the one step done through `manage.py shell`: 1,000 real messages take too long),
   then real widget messages are sent until the bot answers with its over-limit fallback; the
   "limit reached" email reaches the local SendGrid.
Each step prints what it saw; the exit code is the number of failed checks.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from ops.dev import PY, ROOT, _env

CREDENTIALS = ROOT / ".data" / "demo-credentials.json"
ADMIN_EMAIL = "admin@shoreline.localhost"  # tenants/demo/clients.py DEMO_ADMIN_EMAIL
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Walk:
    port: int
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}{(' — ' + detail) if detail else ''}", flush=True)
        if not ok:
            self.failures.append(what)
        return ok


class Browser:
    """requests with a Host header: Python does not resolve *.localhost (docs: STACK-FACTS)."""

    def __init__(self, port: int, host: str) -> None:
        self.base, self.host = f"http://127.0.0.1:{port}", f"{host}:{port}"
        self.session = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.base + path, headers={"Host": self.host}, allow_redirects=False, timeout=60,
                                **kwargs)

    def post(self, path: str, data: dict[str, str], *, form_page: str | None = None) -> requests.Response:
        page = self.get(form_page or path)
        token = _CSRF.search(page.text)
        payload = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        return self.session.post(self.base + path, data=payload, allow_redirects=False, timeout=60,
                                 headers={"Host": self.host, "Referer": f"http://{self.host}{form_page or path}"})


def _credentials() -> dict[str, str]:
    stored: dict[str, str] = json.loads(CREDENTIALS.read_text())
    return stored


def sign_in(walk: Walk, browser: Browser, email: str) -> bool:
    stored = _credentials()
    response = browser.post("/login/", {"username": email, "password": stored.get(email, "")})
    if response.status_code != 302:
        return walk.check(False, f"{email} signs in", f"HTTP {response.status_code}")
    landing = browser.get(response.headers.get("Location", "/"))
    if "/password/change/" in (response.headers.get("Location", "") + landing.headers.get("Location", "")):
        new = f"Walk-{secrets.token_urlsafe(18)}-9!"
        changed = browser.post("/password/change/", {"current_password": stored[email], "new_password": new,
                                                     "new_password_again": new})
        if changed.status_code != 302:
            return walk.check(False, f"{email} chooses a password at first sign-in", f"HTTP {changed.status_code}")
        stored[email] = new
        CREDENTIALS.write_text(json.dumps(stored, indent=2))
        print(f"  {email} chose a new password (kept in {CREDENTIALS.relative_to(ROOT)})", flush=True)
    return walk.check(browser.get("/").status_code in (200, 302), f"{email} signs in")


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1.0)
    return condition()


def manage_shell(code: str) -> str:
    done = subprocess.run([PY, str(ROOT / "manage.py"), "shell", "-c", code], cwd=ROOT, env=_env(),  # noqa: S603
                          capture_output=True, text=True, check=True, timeout=300)
    return done.stdout.strip()


def plan_change_and_invoice(walk: Walk, slug: str) -> None:
    print(f"\n1. The admin changes {slug}'s plan in the portal", flush=True)
    admin = Browser(walk.port, "shoreline.localhost")
    if not sign_in(walk, admin, ADMIN_EMAIL):
        return
    page = admin.get(f"/portal/clients/{slug}/")
    current = re.search(r'<option value="(\w+)" selected', page.text)
    target = "growth" if current and current.group(1) == "pro" else "pro"
    owner_email = re.search(r"owner@[\w.-]+", page.text)
    changed = admin.post(f"/portal/clients/{slug}/plan/", {"plan": target}, form_page=f"/portal/clients/{slug}/")
    after = admin.get(f"/portal/clients/{slug}/")
    walk.check(changed.status_code == 302 and f'<option value="{target}" selected' in after.text,
               f"plan changed {current.group(1) if current else '?'} → {target}",
               "the portal shows the new plan")
    walk.check("client.plan_changed" in after.text, "the change is in the client's audit trail (client.plan_changed)")

    print("2. The client's owner opens Billing and sees the invoice from the local Stripe server", flush=True)
    owner = Browser(walk.port, f"{slug}.shoreline.localhost")
    email = owner_email.group(0) if owner_email else ""
    if not sign_in(walk, owner, email):
        return
    numbers: list[str] = []

    def invoice_listed() -> bool:
        html = owner.get("/billing/").text
        numbers[:] = re.findall(r'<td class="mono">(LOCAL-\d+)</td>', html)
        return bool(numbers)

    listed = wait_for(invoice_listed)
    billing = owner.get("/billing/").text
    hosted = re.search(r'href="(http://127\.0\.0\.1:\d+/invoices/in_\w+)"', billing)
    walk.check(listed, "an invoice from the local Stripe is on the Billing page", ", ".join(numbers[:3]))
    if hosted:
        walk.check(requests.get(hosted.group(1), timeout=10).status_code == 200, "its hosted invoice page opens",
                   hosted.group(1))

    print("3. The owner opens the billing portal session", flush=True)
    opened = owner.post("/billing/portal/", {}, form_page="/billing/")
    location = opened.headers.get("Location", "")
    walk.check(opened.status_code == 302 and location.startswith("http://127.0.0.1:"),
               "the platform created a session and redirects to the local Stripe", location)
    if location:
        walk.check(requests.get(location, timeout=10).status_code == 200, "the billing portal page answers")


def pause_plan_fallback(walk: Walk, slug: str) -> None:
    print(f"\n4. {slug} (a pause plan) is pushed over its quota", flush=True)
    quota = int(manage_shell(
        "from controlplane.billing.metering import current_period\n"
        "from controlplane.billing.models import UsagePeriod\n"
        "from controlplane.clients.models import Client\n"
        f"c = Client.objects.select_related('plan').get(slug='{slug}')\n"
        "assert c.plan.pauses_at_quota, c.plan.key\n"
        "UsagePeriod.objects.update_or_create(client=c, period=current_period(),"
        " defaults={'messages': c.plan.monthly_message_quota - 2})\n"
        "print(c.plan.monthly_message_quota)").splitlines()[-1])
    print(f"  usage fast-forwarded to {quota - 2:,} of {quota:,}", flush=True)
    token = _credentials()[f"widget:{slug}"]
    origin = "http://localhost:8000"  # the demo site origins the seed allows (tenants/demo/clients.py)
    answers = []
    for n in range(4):
        reply = requests.post(f"http://127.0.0.1:{walk.port}/widget/v1/messages", timeout=60,
                              headers={"Host": f"shoreline.localhost:{walk.port}", "Origin": origin,
                                       "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                              data=json.dumps({"visitor_id": f"walk-{secrets.token_hex(6)}",
                                               "text": f"Do you take walk-ins on Saturday? ({n})"}))
        body = reply.json() if reply.headers.get("content-type", "").startswith("application/json") else {}
        answers.append(body.get("answered_by", f"HTTP {reply.status_code}"))
        print(f"  message {n + 1}: HTTP {reply.status_code}, answered by {answers[-1]}", flush=True)
    walk.check(answers[:2] != ["over_limit", "over_limit"] and answers[-1] == "over_limit",
               "within the quota the bot answers; past it, the over-limit fallback", " → ".join(answers))
    admin = Browser(walk.port, "shoreline.localhost")
    sign_in(walk, admin, ADMIN_EMAIL)
    walk.check(wait_for(lambda: "reached its monthly message limit" in admin.get("/portal/sent-messages/").text,
                        timeout=90), "the 'limit reached' email reached the local SendGrid (Sent messages page)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.eval.billing_walk")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--client", default="harbor-grill")
    parser.add_argument("--pause-client", default="fade-lab")
    args = parser.parse_args(argv)
    if not Path(CREDENTIALS).exists():
        print("No demo credentials: start `make demo` first.", file=sys.stderr)
        return 2
    walk = Walk(port=args.port)
    plan_change_and_invoice(walk, args.client)
    pause_plan_fallback(walk, args.pause_client)
    print(f"\n{'All checks passed.' if not walk.failures else 'FAILED: ' + '; '.join(walk.failures)}")
    return len(walk.failures)


if __name__ == "__main__":
    raise SystemExit(main())
