"""ADM-1 triage benchmark: the agency's cross-client Needs Review list at 200 clients.

    .venv/bin/python -m ops.bench.triage [--clients 200] [--items 70] [--requests 30] [--json]

Runs in a throwaway database (`bench_triage`) on the project's PostgreSQL (the embedded one unless
DATABASE_URL is set): migrates the public schema, adds N clients (public rows only: the list never opens a
client's schema) and N × items open items in the public triage index (a fifth of them duplicates of one
question per client), then requests the list and its filters as an agency user through Django's test
client. Reports server time p50/p95/max and the query count per page; asserts nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ops.bench.provisioning import portal_bench_main, portal_page_rows

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_triage"
KINDS = (("crisis", 0), ("handoff", 1), ("thumbs_down", 2), ("unknown_question", 3), ("fallback", 4))


def seed_review_queue(clients: int, items: int) -> tuple[Any, list[Any], int]:
    """Migrate the public schema and add an agency user, N clients (public rows only) and N × items open
    items in the triage index, a fifth of them one duplicated question per client. Returns (staff,
    clients, items added). The cockpit bench seeds on top of this."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from controlplane.accounts.models import Role, User
    from controlplane.clients.models import Client
    from controlplane.rollups.models import ClientReviewCount, ReviewQueueEntry

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
    return staff, made, len(entries)


def _child(clients: int, items: int, requests: int) -> None:
    import django

    django.setup()
    staff, made, added = seed_review_queue(clients, items)
    pages = ["/portal/review/", "/portal/review/?kind=unknown_question", f"/portal/review/?client={made[min(7, len(made) - 1)].slug}",
             "/portal/review/?owner=none&age=week", "/portal/review/?page=20"]

    def grouped(path: str, response: Any) -> None:
        assert b"data-group=" in response.content or "page=" in path, (path, response.content[:300])

    rows = portal_page_rows(staff, pages, requests, check=grouped)
    print(json.dumps({"counts": {"clients": clients, "open_items": added}, "pages": rows}))


def main(argv: list[str] | None = None) -> int:
    return portal_bench_main(prog="ops.bench.triage", database=BENCH_DB, child=_child, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
