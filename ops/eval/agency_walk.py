"""Walk issue 15's "week of agency life" on a running `make demo`, over HTTP, as the agency admin.

    python -m ops.eval.agency_walk [--port 8000]

1. The admin signs in (choosing a password at first sign-in, written back to .data/demo-credentials.json).
2. Needs review: one list across clients, a crisis item first.
3. Waiting for approval: the admin opens a staff change, sees its diff, approves it, and it leaves the list.
4. A client's weekly checklist: the admin ticks off an item that needs attention; it stays ticked.
5. Client health: a client needing outreach, with the reason.
6. The error log, the System page's live figures (JSON) and the Model costs page.
Each step prints what it saw; the exit code is the number of failed checks.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

from ops.eval.billing_walk import ADMIN_EMAIL, CREDENTIALS, Browser, Walk, sign_in

_TAGS = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def _csrf_post(browser: Browser, path: str, data: dict[str, str], page: str) -> int:
    return browser.post(path, data, form_page=page).status_code


def triage(walk: Walk, admin: Browser) -> None:
    print("\n2. Needs review: one list across clients, crisis first", flush=True)
    page = admin.get("/portal/review/")
    rows = re.findall(r'<tr data-group="([^"]+)" data-kind="([^"]+)"', page.text)
    walk.check(page.status_code == 200 and bool(rows), "the cross-client Needs review list opens",
               f"{len(rows)} groups on the first page from {len({c for c, _ in rows})} clients")
    if rows:
        walk.check(rows[0][1] == "crisis", "a crisis item is first", f"first row: {rows[0][1]} at {rows[0][0]}")


def approval(walk: Walk, admin: Browser) -> None:
    print("\n3. Waiting for approval: open a staff change, read its diff, approve it", flush=True)
    page = admin.get("/portal/approvals/")
    total = re.search(r'data-approvals-total="(\d+)"', page.text)
    entries = re.findall(r'<tr data-approval="([^"]+)" data-approval-client="([^"]+)">(.*?)</tr>', page.text, re.S)
    walk.check(page.status_code == 200 and bool(entries), "the cross-client approvals list opens",
               f"{total.group(1) if total else '?'} changes wait, oldest first")
    home = admin.get("/portal/")
    count = re.search(r'data-approvals-waiting="(\d+)"', home.text)
    walk.check(bool(count) and count is not None and total is not None and count.group(1) == total.group(1),
               "the portal home shows the same count", count.group(1) if count else "no count on the home page")
    # A staff knowledge change with a diff: an edit of a live FAQ or an article draft.
    for ref, slug, row in entries:  # noqa: B007 - slug names the change after the loop
        link = re.search(r'href="(/portal/clients/[^"]+/knowledge/\d+/(?:faqs/\d+/review|drafts/\d+)/)"', row)
        if link and "changes live content" in row or (link and ref.startswith("article")):
            break
    else:
        walk.check(False, "a staff knowledge change waits for approval")
        return
    assert link is not None
    review = admin.get(link.group(1))
    added = re.findall(r'<ins data-line="added">(.*?)</ins>', review.text, re.S)
    removed = re.findall(r'<del data-line="removed">(.*?)</del>', review.text, re.S)
    impact = re.search(r"<p data-impact>(.*?)</p>", review.text)
    walk.check(review.status_code == 200 and bool(added), f"the {slug} change shows its diff ({ref})",
               f"{len(added)} line(s) added, {len(removed)} removed; first added: {_text(added[0])[:70]!r}"
               if added else f"HTTP {review.status_code}")
    if impact:
        print(f"  what the rebuild will change: {_text(impact.group(1))}", flush=True)
    action = re.search(r'<form method="post" action="([^"]+/approve/)"', review.text)
    if not walk.check(bool(action), "the admin sees an Approve button"):
        return
    assert action is not None
    approved = _csrf_post(admin, html.unescape(action.group(1)), {"comment": "Checked in the agency walk"},
                          link.group(1))
    after = admin.get("/portal/approvals/")
    walk.check(approved == 302 and f'data-approval="{ref}" data-approval-client="{slug}"' not in after.text,
               "approved: it leaves the approvals list", f"HTTP {approved}")


def checklist(walk: Walk, admin: Browser) -> None:
    print("\n4. A client's weekly checklist: tick off an item", flush=True)
    home = admin.get("/portal/")
    slugs = re.findall(r'href="/portal/clients/([\w-]+)/"', home.text)
    for slug in dict.fromkeys(slugs):
        page = admin.get(f"/portal/clients/{slug}/checklist/")
        todo = re.findall(r'<tr data-check="([\w-]+)" data-state="todo">', page.text)
        if todo:
            break
    else:
        walk.check(False, "a client's checklist has an item that needs attention")
        return
    walk.check(True, f"{slug}'s checklist has {len(todo)} item(s) needing attention", ", ".join(todo))
    status = _csrf_post(admin, f"/portal/clients/{slug}/checklist/tick/", {"item": todo[0], "done": "1"},
                        f"/portal/clients/{slug}/checklist/")
    after = admin.get(f"/portal/clients/{slug}/checklist/")
    walk.check(status == 302 and f'data-check="{todo[0]}" data-state="done"' in after.text,
               f"'{todo[0]}' is ticked off and stays ticked", f"HTTP {status}")


def health(walk: Walk, admin: Browser) -> None:
    print("\n5. Client health: who needs outreach and why", flush=True)
    page = admin.get("/portal/health/")
    rows = re.findall(r'<tr data-outreach="([\w-]+)">(.*?)</tr>', page.text, re.S)
    ranked = re.findall(r'<tr data-rank="([\w-]+)">', page.text)
    walk.check(page.status_code == 200 and bool(ranked), "clients are ranked by value delivered",
               " > ".join(ranked[:6]))
    reasons = [(slug, [_text(r) for r in re.findall(r"<li>(.*?)</li>", row, re.S)]) for slug, row in rows]
    walk.check(any(r for _, r in reasons), "a client needs outreach, with the reason",
               "; ".join(f"{slug}: {' / '.join(r)}" for slug, r in reasons[:3]) or "nobody listed")


def errors_system_costs(walk: Walk, admin: Browser) -> None:
    print("\n6. Error log, live system figures, model costs", flush=True)
    page = admin.get("/portal/errors/")
    lede = re.search(r'<p class="page-head__lede">(.*?)</p>', page.text, re.S)
    walk.check(page.status_code == 200 and "Error log" in page.text, "the error log opens",
               _text(lede.group(1))[:120] if lede else "")
    live = admin.get("/portal/system/live.json")
    try:
        figures = live.json()
    except ValueError:
        figures = {}
    walk.check(live.status_code == 200 and "at" in figures, "the System page's live figures answer as JSON",
               ", ".join(sorted(figures))[:160])
    walk.check(admin.get("/portal/system/").status_code == 200, "the System page opens")
    costs = admin.get("/portal/costs/")
    models = sorted(set(re.findall(r"gpt-[\w.-]+|text-embedding-[\w-]+", costs.text)))
    walk.check(costs.status_code == 200 and "Model costs" in costs.text, "the Model costs page opens",
               f"models listed: {', '.join(models) or 'none yet'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.eval.agency_walk")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if not Path(CREDENTIALS).exists():
        print("No demo credentials: start `make demo` first.", file=sys.stderr)
        return 2
    walk = Walk(port=args.port)
    print("1. The agency admin signs in", flush=True)
    admin = Browser(walk.port, "shoreline.localhost")
    if sign_in(walk, admin, ADMIN_EMAIL):
        triage(walk, admin)
        approval(walk, admin)
        checklist(walk, admin)
        health(walk, admin)
        errors_system_costs(walk, admin)
    print(f"\n{'All checks passed.' if not walk.failures else 'FAILED: ' + '; '.join(walk.failures)}")
    return len(walk.failures)


if __name__ == "__main__":
    sys.exit(main())
