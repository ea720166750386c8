"""Periodic per-client work costs ceil(clients / batch) broker messages, and a batch does each client's work.

The messages really go to the test Valkey, on a queue of this test's own, and are counted there.
"""

from __future__ import annotations

import os

import pytest
import redis
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    name = f"fanout-test-{os.getpid()}"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(name)
    yield name, broker
    broker.delete(name)


def test_5000_clients_cost_20_messages(queue):
    from controlplane.core.fanout import fan_out
    from tenants.analytics.tasks import rollups_batch_task

    name, broker = queue
    schemas = [f"c_client{i}" for i in range(5000)]
    assert fan_out(rollups_batch_task, schemas, batch_size=250, queue=name) == 5000
    assert broker.llen(name) == 20
    broker.delete(name)
    assert fan_out(rollups_batch_task, schemas[:3], batch_size=2, queue=name) == 3
    assert broker.llen(name) == 2


def test_default_batch_size_is_bounded():
    assert 1 <= settings.SHORELINE_FANOUT_BATCH_SIZE <= 1000


def test_a_batch_does_every_clients_work_in_its_schema(client_alpha, client_bravo):
    from controlplane.core.fanout import for_each_schema

    seen = for_each_schema(["c_alpha", "public", "c_bravo", "c_missing"], lambda: connection.schema_name,
                           what="test")
    assert seen["c_alpha"] == "c_alpha"
    assert seen["c_bravo"] == "c_bravo"
    assert "public" not in seen


def test_the_rollups_batch_task_refreshes_each_client(client_alpha, client_bravo):
    from tenants.analytics.tasks import rollups_batch_task

    result = rollups_batch_task.apply(args=[["c_alpha", "c_bravo"]]).get()
    assert set(result) == {"c_alpha", "c_bravo"}
    assert all(isinstance(v, int) for v in result.values())
    assert connection.schema_name == "public"


def test_tasks_are_routed_to_their_queues():
    from config.celery import app

    router = app.amqp.router
    def queue_of(task: str) -> str:
        route = router.route({}, task)
        return route["queue"].name
    assert queue_of("tenants.knowledge.rebuild") == "knowledge"
    assert queue_of("tenants.analytics.rollups_batch") == "analytics"
    assert queue_of("tenants.conversations.summarize") == "analytics"
    assert queue_of("controlplane.core.tasks.ping") == "interactive"
    assert queue_of("controlplane.notifications.send_email") == "notifications"
    assert app.conf.beat_scheduler == "redbeat.RedBeatScheduler"
