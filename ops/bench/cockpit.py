"""Issue 15 cockpit pages at 200 clients: Needs review, Client health, Waiting for approval, portal home.

    .venv/bin/python -m ops.bench.cockpit [--clients 200] [--items 70] [--requests 30] [--json]

Same harness as ops/bench/triage.py (a throwaway database `bench_cockpit`, public rows only: none of these
pages opens a client's schema): N clients, N × items open review items in the triage index, 60 days of
daily rollups per client (health ranks the last 30 days and compares this week with last week), and 3
changes waiting for approval per client. Requests each page as an agency user through Django's test
client; reports server time p50/p95/max and the query count per page; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path

from ops.bench.provisioning import child_in_scratch_db, page_timings, pages_print

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_cockpit"
KINDS = (("crisis", 0), ("handoff", 1), ("thumbs_down", 2), ("unknown_question", 3), ("fallback", 4))


def _child(clients: int, items: int, requests: int) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.utils import timezone

    from controlplane.accounts.middleware import SESSION_HOST_KEY
    from controlplane.accounts.models import Role, User
    from controlplane.clients.models import Client
    from controlplane.rollups.models import (
        ApprovalQueueEntry,
        ClientDailyRollup,
        ClientReviewCount,
        ReviewQueueEntry,
    )

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("ensure_public_tenant", verbosity=0)
    staff = User.objects.create_user("bench-staff@agency.example", "bench triage password 2026", role=Role.STAFF)
    made = Client.objects.bulk_create([Client(name=f"Bench {i}", slug=f"bench-{i}", schema_name=f"c_bench_{i}")
                                       for i in range(clients)])
    now = timezone.now()
    entries = []
    for c in made:
        for j in range(items):
            kind, priority = KINDS[0] if j == 0 else KINDS[1 + j % 4]
            duplicate = kind == "unknown_question" and j % 5 == 0
            key = "unanswered:do you open on sundays" if duplicate else f"item:{j + 1}"
            entries.append(ReviewQueueEntry(
                client=c, item_id=j + 1, conversation_id="00000000-0000-4000-8000-000000000000", kind=kind,
                priority=priority, question=f"Question {j} of {c.slug}", group_key=key,
                created_at=now - timedelta(hours=j * 3 + c.pk % 7), summary="Visitor asked about prices.",
                tags=["pricing"], intent="pricing", lead_score="warm"))
    ReviewQueueEntry.objects.bulk_create(entries, batch_size=5000)
    ClientReviewCount.objects.bulk_create([ClientReviewCount(client=c, open_count=items) for c in made])
    today = timezone.localdate()
    ClientDailyRollup.objects.bulk_create([
        ClientDailyRollup(client=c, day=today - timedelta(days=d), messages=40 + (c.pk * d) % 30,
                          bot_replies=30 + d % 9, fallback_replies=(c.pk + d) % 7, sessions=25, conversations=20,
                          leads=(c.pk + d) % 4, hot_leads=(c.pk + d) % 2, booking_clicks=d % 3,
                          lead_value_cents=((c.pk + d) % 4) * 12000, widget_loads=0 if c.pk % 9 == 0 and d < 7 else 60)
        for c in made for d in range(60)], batch_size=5000)
    ApprovalQueueEntry.objects.bulk_create([
        ApprovalQueueEntry(client=c, kind=kind, object_id=j + 1, bot_id=1, version_number=j + 1 if kind == "config"
                           else None, title=f"Change {j} of {c.slug}", created_by="staff@agency.example",
                           changes_live=j % 2 == 0, created_at=now - timedelta(hours=j * 5 + c.pk % 11))
        for c in made for j, kind in enumerate(("faq", "article", "config"))], batch_size=5000)
    browser = DjangoClient(HTTP_HOST="shoreline.localhost")
    browser.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    session[SESSION_HOST_KEY] = "public"
    session.save()
    pages = ["/portal/review/", "/portal/health/", "/portal/approvals/",
             f"/portal/approvals/?client={made[min(7, len(made) - 1)].slug}", "/portal/"]
    rows = []
    for path in pages:
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        rows.append({"page": path, "queries": len(statements),
                     **page_timings(partial(browser.get, path), requests)})
    print(json.dumps({"counts": {"clients": clients, "open_items": len(entries)}, "pages": rows}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.cockpit")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--items", type=int, default=70)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        _child(args.clients, args.items, args.requests)
        return 0

    report = child_in_scratch_db(module="ops.bench.cockpit", database=BENCH_DB, child_args=[
        "--clients", str(args.clients), "--items", str(args.items), "--requests", str(args.requests)])
    report["requests"] = args.requests
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {report['machine']}")
    print(f"data: {report['counts']}")
    pages_print(report["pages"], width=48)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
