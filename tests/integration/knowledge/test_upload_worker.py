"""KB-3 uploads through a real Celery worker: the portal request stores and queues, the worker reads.

Like tests/integration/test_celery_worker.py this module works on committed rows (the worker is
another process), takes no per-test database fixture, and deletes exactly what it wrote. The worker
consumes a queue of its own (SHORELINE_KNOWLEDGE_UPLOAD_QUEUE), so nothing another test or test run
queues on the shared knowledge queue reaches it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.knowledge.models import DocumentUpload, KnowledgeDraft, KnowledgeSource
from tests.integration.bots.support import portal_as, primary_bot
from tests.integration.knowledge.test_knowledge_documents import PARAGRAPHS, make_docx
from tests.integration.knowledge.test_upload_limits import zip_bomb_docx
from tests.integration.test_celery_worker import _database_url

pytestmark = pytest.mark.worker

REPO_ROOT = Path(__file__).resolve().parents[3]
QUEUE = f"shoreline-upload-test-{os.getpid()}"


@pytest.fixture(scope="module")
def upload_worker(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[subprocess.Popen[bytes]]:
    from config.celery import app

    with django_db_blocker.unblock():
        database_url = _database_url()
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": os.pathsep.join(["platform", "."]),
                "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"})
    hostname = f"uploads-{os.getpid()}@localhost"
    log_path = tmp_path_factory.mktemp("upload-worker") / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", QUEUE,
             "--hostname", hostname, "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 150  # a loaded 2-core machine can take a while to import
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        process.log_path = log_path  # type: ignore[attr-defined]
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)


@pytest.fixture
def committed(django_db_blocker: Any, settings: Any) -> Iterator[dict[str, Any]]:
    """Alpha's first bot and a unique file-name marker; deletes every upload, draft and source it made."""
    from controlplane.clients.models import Client

    settings.KNOWLEDGE_UPLOAD_QUEUE = QUEUE  # what the portal request queues goes to this worker
    marker = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        alpha = Client.objects.get(slug="alpha")
        with tenant_context(alpha):
            bot = primary_bot()
        try:
            yield {"client": alpha, "bot": bot, "marker": marker}
        finally:
            with tenant_context(alpha):
                DocumentUpload.objects.filter(file_name__contains=marker).delete()
                KnowledgeDraft.objects.filter(file_name__contains=marker).delete()
                KnowledgeSource.objects.filter(file_name__contains=marker).delete()
            connection.set_schema_to_public()


def _wait_finished(client: Any, name: str, worker: subprocess.Popen[bytes]) -> DocumentUpload:
    deadline = time.monotonic() + 90
    while True:
        with tenant_context(client):
            upload = DocumentUpload.objects.get(file_name=name)
        if not upload.pending:
            return upload
        if worker.poll() is not None or time.monotonic() > deadline:
            log = worker.log_path.read_text(errors="replace")[-3000:]  # type: ignore[attr-defined]
            pytest.fail(f"{name} is still {upload.status}:\n{log}")
        time.sleep(0.2)


def test_the_worker_reads_an_upload_and_refuses_a_zip_bomb(upload_worker, committed):
    client, bot, marker = committed["client"], committed["bot"], committed["marker"]
    staff = portal_as("staff")
    url = f"/portal/clients/alpha/knowledge/{bot.pk}/documents/upload/"
    good, bomb = f"rules-{marker}.docx", f"bomb-{marker}.docx"

    response = staff.post(url, {"file": SimpleUploadedFile(good, make_docx(PARAGRAPHS))}, follow=True)
    assert response.status_code == 200
    assert any("being read now" in str(m) for m in response.context["messages"])
    done = _wait_finished(client, good, upload_worker)
    assert done.status == "done"
    assert "saved as a draft" in done.message
    assert not done.data
    with tenant_context(client):
        draft = KnowledgeDraft.objects.get(file_name=good)
        assert draft.pk == done.draft_id
        assert "gluten free" in draft.body  # parsed by the worker's limited child, not here

    response = staff.post(url, {"file": SimpleUploadedFile(bomb, zip_bomb_docx())}, follow=True)
    assert response.status_code == 200
    failed = _wait_finished(client, bomb, upload_worker)
    assert failed.status == "failed"
    assert failed.message.startswith(f"“{bomb}” was not added: ")
    assert "unpacks to 30" in failed.message or "zip bomb" in failed.message
    with tenant_context(client):
        assert not KnowledgeDraft.objects.filter(file_name=bomb).exists()
    page = staff.get(f"/portal/clients/alpha/knowledge/{bot.pk}/")
    assert page.status_code == 200
    assert f"{bomb}” was not added" in page.content.decode()
    assert upload_worker.poll() is None  # the worker survived the bomb
