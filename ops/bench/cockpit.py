"""Issue 15 cockpit pages at 200 clients: Needs review, Client health, Waiting for approval, portal home.

    .venv/bin/python -m ops.bench.cockpit [--clients 200] [--items 70] [--requests 30] [--json]

Same harness as ops/bench/triage.py (a throwaway database `bench_cockpit`, public rows only: none of these
pages opens a client's schema): N clients, N × items open review items in the triage index, 60 days of
daily rollups per client (health ranks the last 30 days and compares this week with last week), and 3
changes waiting for approval per client. Requests each page as an agency user through Django's test
client; reports server time p50/p95/max and the query count per page; asserts nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from ops.bench.provisioning import portal_bench_main, portal_page_rows
from ops.bench.triage import seed_review_queue

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_cockpit"


def _child(clients: int, items: int, requests: int) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from controlplane.rollups.models import ApprovalQueueEntry, ClientDailyRollup

    staff, made, added = seed_review_queue(clients, items)
    now = timezone.now()
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
    pages = ["/portal/review/", "/portal/health/", "/portal/approvals/",
             f"/portal/approvals/?client={made[min(7, len(made) - 1)].slug}", "/portal/"]
    rows = portal_page_rows(staff, pages, requests)
    print(json.dumps({"counts": {"clients": clients, "open_items": added}, "pages": rows}))


def main(argv: list[str] | None = None) -> int:
    return portal_bench_main(prog="ops.bench.cockpit", database=BENCH_DB, child=_child, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
