"""ADM-1 triage benchmark: the agency's cross-client Needs Review list at 200 clients.

    .venv/bin/python -m ops.bench.triage [--clients 200] [--items 70] [--requests 30] [--json]

Runs in a throwaway database (`bench_triage`) on the project's PostgreSQL (the embedded one unless
DATABASE_URL is set): migrates the public schema, adds N clients (public rows only: the list never opens a
client's schema) and N × items open items in the public triage index (a fifth of them duplicates of one
question per client), then requests the list and its filters as an agency user through Django's test
client. Reports server time p50/p95/max and the query count per page; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path

from ops.bench.provisioning import child_in_scratch_db, page_timings, pages_print

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_triage"
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
    browser = DjangoClient(HTTP_HOST="shoreline.localhost")
    browser.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    session[SESSION_HOST_KEY] = "public"
    session.save()
    pages = ["/portal/review/", "/portal/review/?kind=unknown_question", f"/portal/review/?client={made[min(7, len(made) - 1)].slug}",
             "/portal/review/?owner=none&age=week", "/portal/review/?page=20"]
    rows = []
    for path in pages:
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert b"data-group=" in response.content or "page=" in path, (path, response.content[:300])
        rows.append({"page": path, "queries": len(statements),
                     **page_timings(partial(browser.get, path), requests)})
    print(json.dumps({"counts": {"clients": clients, "open_items": len(entries)}, "pages": rows}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.triage")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--items", type=int, default=70)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        _child(args.clients, args.items, args.requests)
        return 0

    report = child_in_scratch_db(module="ops.bench.triage", database=BENCH_DB, child_args=[
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
