"""Thread CPU of one widget visitor message, split by component, in-process (issue 17).

    .venv/bin/python ops/bench/widget_turn_cpu.py [--messages 160] [--statements]

Needs the database `bench_widget` that `ops/bench/widget_api.py --keep-db` leaves on this worktree's
embedded Postgres (create it once: `widget_api.py --floor --levels 10 --messages 8 --floor-messages 10
--skip-openai --keep-db`). Sends POST /widget/v1/messages through Django's test client with the
bench's production settings, 8-message conversations of the bench mix, every wording new, and prints
the thread CPU per message of: the graph (Pregel.invoke), `_open_conversation`, `_persist_turn`,
`message_turn`, the whole request (`total`) and what lies outside `message_turn` (`outside`: the
middleware, django-ninja, the widget's token/origin/rate-limit checks and the test client's own work).
`--statements` also prints the SQL statements per answered / fallback message (min, mean, max) and per
slot of the mix; `--show-sql SLOT` prints the statements of one message of that slot (5 = a lead).
Reports numbers, asserts nothing; take them when the 1-minute load is below 1.5.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

from ops.bench import widget_api as bench  # noqa: E402

os.environ.update(bench._env())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=160)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--show-sql", type=int, default=None, metavar="SLOT")
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context
    from langgraph.pregel.main import Pregel

    from controlplane.clients.models import Client as Tenant
    from controlplane.widgets.services import widget_token_issue
    from ops.bench.wordings import SLOTS, Wordings
    from tenants.bots.selectors import bot_primary
    from tenants.conversations import services

    tenant = Tenant.objects.get(slug=bench.SLUG)
    with schema_context(tenant.schema_name):
        bot = bot_primary()
        assert bot is not None
    token = widget_token_issue(client=tenant, bot_id=bot.pk).raw
    http = Client()
    headers: dict[str, Any] = {"HTTP_HOST": bench.HOST, "HTTP_ORIGIN": bench.SITE, "HTTP_AUTHORIZATION": f"Bearer {token}",
               "HTTP_X_FORWARDED_PROTO": "https"}
    wordings = Wordings(seed=99)
    statements: list[tuple[bool, int]] = []
    per_slot: dict[int, list[int]] = collections.defaultdict(list)
    shown: dict[int, list[str]] = {}

    sent, counting = [0], [False]
    sqls: list[list[str]] = [[]]

    def count_statement(execute: Callable[..., Any], *args: Any) -> Any:
        sent[0] += 1
        sqls[0].append(" ".join(str(args[0]).split())[:220])
        return execute(*args)

    def send(body: dict[str, Any]) -> Any:
        return http.post("/widget/v1/messages", data=json.dumps(body), content_type="application/json", **headers)

    def run(count: int, tag: str) -> None:
        conversation = None
        for i in range(count):
            if i % len(SLOTS) == 0:
                conversation = None
            body: dict[str, Any] = {"visitor_id": f"visitor-{tag}-{i // len(SLOTS):06d}", "text": wordings.text(i)}
            if conversation:
                body["conversation_id"] = conversation
            sent[0], sqls[0] = 0, []
            if counting[0]:  # counted in a run of its own: the wrapper costs CPU too
                with connection.execute_wrapper(count_statement):
                    response = send(body)
            else:
                response = send(body)
            assert response.status_code == 200, response.content
            reply = response.json()
            conversation = reply["conversation_id"]
            statements.append((reply["is_fallback"], sent[0]))
            if counting[0]:
                per_slot[i % len(SLOTS)].append(sent[0])
                shown.setdefault(i % len(SLOTS), sqls[0])

    spent: dict[str, float] = collections.defaultdict(float)

    def timed(owner: Any, name: str, key: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[key] += time.thread_time() - started

        setattr(owner, name, wrapper)

    stamp = str(int(time.time()))
    run(16, f"warm{stamp}")
    timed(Pregel, "invoke", "graph")
    timed(services, "_open_conversation", "open_conv")
    timed(services, "_persist_turn", "persist")
    timed(services, "message_turn", "message_turn")
    statements.clear()
    started = time.thread_time()
    run(options.messages, f"run{stamp}")
    total = time.thread_time() - started
    per = {key: round(value / options.messages * 1000, 2) for key, value in spent.items()}
    per["total"] = round(total / options.messages * 1000, 2)
    per["outside"] = round(per["total"] - per["message_turn"], 2)
    print(json.dumps({"ms_per_message": per, "load": os.getloadavg()[0]}))
    if options.statements or options.show_sql is not None:
        statements.clear()
        counting[0] = True
        run(options.messages, f"count{stamp}")
        for fallback in (False, True):
            counts = [n for is_fallback, n in statements if is_fallback == fallback]
            if counts:
                print(f"{'fallback' if fallback else 'answered'} statements: min {min(counts)} "
                      f"mean {sum(counts) / len(counts):.2f} max {max(counts)} ({len(counts)} messages)")
        for slot, counts in sorted(per_slot.items()):
            print(f"slot {slot} ({SLOTS[slot][0][:40]!r}…): statements min {min(counts)} max {max(counts)}")
        if options.show_sql is not None:
            print(*shown.get(options.show_sql, []), sep="\n")


if __name__ == "__main__":
    main()
