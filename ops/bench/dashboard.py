"""Client dashboard benchmark: one client with 1,000,000 messages and 100,000 conversations over
12 months; server time (p50/p95/max) and query count of every dashboard page.

    .venv/bin/python -m ops.bench.dashboard [--requests 30] [--json]

Runs in a throwaway database (`bench_dashboard`) on the project's PostgreSQL (the embedded one
unless DATABASE_URL is set), created, migrated, filled and dropped again. The data is generated
server-side with INSERT … SELECT generate_series (it measures reads, not the chat path): 75,000
visitors, 100,000 sessions and conversations, 1,000,000 messages, ~15,000 leads, ~650,000 events,
20,000 embedded questions. Then the rollups are rebuilt once (timed) and each page is requested N
times through Django's test client with the client's host header, signed in as its owner.
Reports numbers, asserts nothing.

Like a production web process (config/wsgi.py) the child freezes its start-up heap — after Django,
the data set and both URL confs are loaded, before the first page request — so full garbage
collections cost what they cost there; `--no-freeze` measures the old way. Each page row also says
how many full (generation-2) collections ran during its timed requests and how long they took, and
the time of all collections: a p95 with a GC pause in it says so.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from functools import partial
from pathlib import Path
from typing import Any

from ops.bench.provisioning import GcPauses, child_in_scratch_db, page_timings, pages_print

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_dashboard"
SLUG = "bench"
PASSWORD = "bench dashboard password 2026"  # noqa: S105 (throwaway database)

GENERATE_SQL = """
SET search_path TO {schema}, public;
INSERT INTO conversations_visitor (visitor_key, first_seen_at, last_seen_at, session_count)
SELECT 'bench-' || g, now() - interval '365 days', now(), 1 + (g <= 25000)::int FROM generate_series(1, 75000) g;

CREATE TEMP TABLE bench_conv AS
SELECT g,
       gen_random_uuid() AS id,
       1 + ((g - 1) % 75000) AS visitor_id,
       date_trunc('day', now() - (random() * interval '364 days'))
         + make_interval(hours => (ARRAY[8,9,10,11,12,12,13,13,14,15,16,17,17,18,18,19,19,20,21,22,23,7,6,0])[1 + (g % 24)],
                         mins => (g * 7) % 60) AS started_at,
       2 * (1 + (g % 9)) AS message_count
FROM generate_series(1, 100000) g;

INSERT INTO conversations_visitorsession (id, visitor_id, bot_id, started_at, origin, page_url, is_returning)
SELECT gen_random_uuid(), visitor_id, 1, started_at, 'https://bench.example', 'https://bench.example/', g > 75000
FROM bench_conv;

INSERT INTO conversations_conversation (id, visitor_id, session_id, bot_id, status, started_at, last_message_at,
    ended_at, message_count, lead_type, sentiment, crisis_level, asked_for_contact, handoff_requested_at, held_by_email,
    held_by_name, summary, tags)
SELECT id, visitor_id, NULL, 1, 'ended', started_at, started_at + (message_count - 1) * interval '20 seconds',
       started_at + (message_count - 1) * interval '20 seconds', message_count,
       (ARRAY['pricing','appointment','service_request','hours_location','general_question','other'])[1 + g % 6],
       (ARRAY['positive','neutral','neutral','negative'])[1 + g % 4], 'none', false, NULL, '', '',
       'Visitor asked about ' || (ARRAY['prices','opening hours','booking','parking','the menu'])[1 + g % 5],
       ARRAY[(ARRAY['pricing','hours','booking','parking','menu','delivery'])[1 + g % 6]]
FROM bench_conv;

INSERT INTO conversations_message (conversation_id, role, text, created_at, answered_by, is_fallback, citations,
    server_ms, model_ms, input_tokens, output_tokens, model_name, feedback, author_name, lead_type, sentiment,
    crisis_level, buying_intent)
SELECT c.id, CASE WHEN i % 2 = 0 THEN 'visitor' ELSE 'bot' END,
       CASE WHEN i % 2 = 0 THEN (ARRAY['What time do you open?','How much is it?','Can I book for Friday?',
            'Do you have parking?','Is there a vegetarian menu?'])[1 + (c.g + i) % 5]
            ELSE 'Here is what I found for you.' END,
       c.started_at + i * interval '20 seconds',
       CASE WHEN i % 2 = 1 THEN 'knowledge' ELSE '' END,
       i % 2 = 1 AND (c.g + i) % 13 = 0, '[]'::jsonb,
       CASE WHEN i % 2 = 1 THEN 40 + ((c.g * 31 + i * 17) % 900) END,
       CASE WHEN i % 2 = 1 THEN 20 + ((c.g * 17 + i * 7) % 600) END,
       0, 0, '', CASE WHEN i % 2 = 1 AND (c.g + i) % 29 = 0 THEN 'up' ELSE '' END,
       '', '', '', '', NULL
FROM bench_conv c, generate_series(0, c.message_count - 1) i;

INSERT INTO leads_lead (conversation_id, visitor_id, name, phone, email, lead_type, score, score_reasons,
    created_at, updated_at)
SELECT id, visitor_id, 'Bench Lead ' || g, '+1555' || lpad((g % 10000000)::text, 7, '0'), '', 'appointment',
       (ARRAY['hot','warm','cold'])[1 + g % 3], '[]'::jsonb, started_at + interval '40 seconds',
       started_at + interval '40 seconds'
FROM bench_conv WHERE g % 7 = 0;

INSERT INTO analytics_event (kind, occurred_at, bot_id, visitor_id, conversation_id, data)
SELECT 'message', m.created_at, 1, NULL, m.conversation_id, '{{}}'::jsonb
FROM conversations_message m WHERE m.role = 'bot';
INSERT INTO analytics_event (kind, occurred_at, bot_id, visitor_id, conversation_id, data)
SELECT 'booking_click', started_at + interval '60 seconds', 1, visitor_id, id, '{{}}'::jsonb
FROM bench_conv WHERE g % 19 = 0;
INSERT INTO analytics_event (kind, occurred_at, bot_id, visitor_id, conversation_id, data)
SELECT 'widget_load', started_at - interval '5 seconds', 1, NULL, NULL, '{{"origin": "https://bench.example"}}'::jsonb
FROM bench_conv;
ANALYZE;
"""


def _child(requests: int, *, freeze: bool = True, profile: bool = False) -> None:
    import gc

    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from controlplane.clients.services import client_provision
    from controlplane.widgets.services import allowed_origin_add
    from tenants.analytics.models import QuestionVector
    from tenants.analytics.services import analytics_rollups_update
    from tenants.conversations.models import Conversation

    timings: dict[str, float] = {}
    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("ensure_public_tenant", verbosity=0)
    result = client_provision(name="Bench Bistro", slug=SLUG, industry="restaurant", plan_key="growth",
                              owner_email="owner@bench.example")
    result.owner.set_password(PASSWORD)
    result.owner.must_change_password = False
    result.owner.save()
    client = result.client
    allowed_origin_add(client=client, bot_id=1, origin="https://bench.example")

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(GENERATE_SQL.format(schema=client.schema_name))
    connection.set_schema_to_public()
    timings["generate_s"] = time.perf_counter() - t0
    with schema_context(client.schema_name):
        rng = np.random.default_rng(7)
        recent = list(Conversation.objects.order_by("-started_at").values_list("started_at", flat=True)[:20000])
        vectors = rng.standard_normal((len(recent), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        QuestionVector.objects.bulk_create(
            [QuestionVector(message_id=i + 1, created_at=at, text=f"Bench question {i % 400}?",
                            vector=vectors[i].tobytes()) for i, at in enumerate(recent)], batch_size=5000)
        counts = {"messages": connection.cursor().execute("SELECT count(*) FROM conversations_message").fetchone()[0],
                  "conversations": Conversation.objects.count()}
        t0 = time.perf_counter()
        analytics_rollups_update(client=client, full=True)
        timings["rollups_full_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        analytics_rollups_update(client=client)
        timings["rollups_incremental_s"] = time.perf_counter() - t0
        conversation_id = Conversation.objects.order_by("-started_at").values_list("pk", flat=True).first()

    # Start-up as in a web process: both URL confs loaded, then the heap frozen (config/wsgi.py).
    import config.urls_public  # noqa: F401
    import config.urls_tenant  # noqa: F401
    from config.heap import freeze_startup_heap

    if freeze:
        freeze_startup_heap()
    heap = {"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}

    browser = DjangoClient(HTTP_HOST=f"{SLUG}.shoreline.localhost")
    response = browser.post("/login/", {"username": "owner@bench.example", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    pages = ["/", "/?range=7", "/?range=90", "/?range=custom&start=2025-11-28&end=2026-11-27", "/setup/",
             "/insights/questions/?range=90", "/leads/", "/leads/?range=90&score=hot&page=3", "/conversations/",
             "/conversations/?range=90&tag=pricing&sentiment=negative&page=5", f"/conversations/{conversation_id}/",
             f"/conversations/{conversation_id}/export.pdf", "/report.pdf?range=90",
             "/conversations/export.csv?range=7", "/leads/export.csv?range=30"]
    rows = []
    for path in pages:
        with CaptureQueriesContext(connection) as ctx:
            response = browser.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(ctx.captured_queries)
        with GcPauses() as pauses:
            timed = page_timings(partial(_fetch, browser, path), requests)
        rows.append({"page": path.replace(str(conversation_id), "<id>"), "queries": queries, **timed,
                     **pauses.as_row(), "load": round(os.getloadavg()[0], 2)})
    heap["tracked_after"] = len(gc.get_objects())
    profiles = {row["page"]: _profile(browser, path, requests) for path, row in zip(pages, rows, strict=True)
                if profile and "export" in path or profile and "report" in path}
    print(json.dumps({"counts": counts, "timings": {k: round(v, 2) for k, v in timings.items()}, "pages": rows,
                      "heap": heap, "frozen": freeze, "profiles": profiles}))


def _profile(browser: Any, path: str, requests: int) -> str:
    """cProfile of `requests` more requests of one page: the top functions by own time and by total."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        _fetch(browser, path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(18)
    stats.sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def _fetch(browser: Any, path: str) -> Any:
    """One page, streamed exports read to the end (their time is the export's)."""
    response = browser.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.dashboard")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-freeze", action="store_true", help="leave the start-up heap unfrozen (before issue 17)")
    parser.add_argument("--profile", action="store_true", help="also cProfile the exports (printed after the table)")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        _child(args.requests, freeze=not args.no_freeze, profile=args.profile)
        return 0

    report = child_in_scratch_db(module="ops.bench.dashboard", database=BENCH_DB,
                                 child_args=["--requests", str(args.requests),
                                             *(["--no-freeze"] if args.no_freeze else []),
                                             *(["--profile"] if args.profile else [])])
    report["requests"] = args.requests
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {report['machine']}")
    print(f"data: {report['counts']}  timings: {report['timings']}  total {report['total_s']} s")
    print(f"heap: {'frozen' if report['frozen'] else 'NOT frozen'} {report['heap']}")
    pages_print(report["pages"], width=62)
    for page, text in report["profiles"].items():
        print(f"\n== profile of {page}, {args.requests} requests ==\n{text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
