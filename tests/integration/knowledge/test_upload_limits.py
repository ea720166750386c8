"""Hostile uploads: zip bombs, too many parts, parser blow-ups. Refused clearly, never a 500, and the
web process never parses them: the request stores the file, the knowledge worker reads it, and the
parsing itself runs in a memory-limited child of the worker (decision 0034)."""

from __future__ import annotations

import io
import resource
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.knowledge.documents import DocumentRejected, document_extract, extract_isolated
from tenants.knowledge.models import DocumentUpload, KnowledgeSource
from tenants.knowledge.uploads import document_upload_process
from tests.integration.bots.support import in_client, portal_as, primary_bot
from tests.integration.knowledge.test_knowledge_documents import PARAGRAPHS, make_docx

pytestmark = pytest.mark.django_db


def _with_extra_members(docx: bytes, members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        for name, data in members.items():
            target.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    """A real, readable DOCX carrying one 300 MB part of zeros: about 300 KB on disk."""
    return _with_extra_members(make_docx(PARAGRAPHS), {"word/media/image1.bin": bytes(300 * 1024 * 1024)})


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_zip_bomb_docx_is_refused_without_unpacking():
    bomb = zip_bomb_docx()
    assert len(bomb) < 2 * 1024 * 1024
    before = _peak_rss_mb()
    with pytest.raises(DocumentRejected, match="unpacks to 30[0-9] MB|zip bomb"):
        document_extract(file_name="rules.docx", data=bomb)
    assert _peak_rss_mb() - before < 50  # the calling process (the worker, in production) never held the 300 MB


def test_too_many_parts_and_too_well_compressed_parts_are_refused():
    many = _with_extra_members(make_docx(PARAGRAPHS), {f"customXml/extra{i}.xml": b"<a/>" for i in range(1100)})
    with pytest.raises(DocumentRejected, match="parts; the limit is 1000"):
        document_extract(file_name="many.docx", data=many)
    dense = _with_extra_members(make_docx(PARAGRAPHS), {"word/media/pad.bin": bytes(20 * 1024 * 1024)})
    with pytest.raises(DocumentRejected, match="zip bomb"):
        document_extract(file_name="dense.docx", data=dense)


def test_parsing_runs_under_a_memory_limit_and_fails_friendly():
    good = make_docx(PARAGRAPHS)
    text, _pages = extract_isolated("docx", good)
    assert "gluten free" in text
    # The same file under a 16 MB address space: the child cannot even load the parser. (40 MB was
    # enough to fail once modules had to be compiled at import; with bytecode installed it parses.)
    with pytest.raises(DocumentRejected, match="more memory or time"):
        extract_isolated("docx", good, memory_bytes=16 * 1024 * 1024)


@pytest.mark.parametrize(("name", "data"), [
    ("bomb.docx", None),
    ("truncated.docx", make_docx(PARAGRAPHS)[:3000]),
    ("weird.pdf", b"%PDF-1.7\n1 0 obj << /Type /Pages /Kids [1 0 R] /Count 99999999 >> endobj\ntrailer<</Root 1 0 R>>"),
    ("nul.pdf", b"%PDF-" + b"\x00" * 5000),
])
def test_portal_upload_of_hostile_files_is_a_message_not_a_500(client_alpha, name, data):
    data = data if data is not None else zip_bomb_docx()
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
    url = f"/portal/clients/alpha/knowledge/{bot.pk}/documents/upload/"
    before = _peak_rss_mb()
    response = staff.post(url, {"file": SimpleUploadedFile(name, data)}, follow=True)
    assert response.status_code == 200
    with in_client(client_alpha):
        upload = DocumentUpload.objects.get(bot_id=bot.pk, file_name=name)
        assert upload.status == "queued"  # the request stored it; the worker reads it
        upload = document_upload_process(upload_id=upload.pk)
        assert upload is not None
        assert upload.status == "failed"
        assert upload.message.startswith(f"“{name}” was not added: ")
        assert not upload.data  # the hostile bytes are not kept
        assert not KnowledgeSource.objects.filter(file_name=name).exists()
    assert _peak_rss_mb() - before < 50  # neither the request nor the task held the unpacked data
    page = staff.get(f"/portal/clients/alpha/knowledge/{bot.pk}/")
    assert page.status_code == 200
    assert f"{name}” was not added" in page.content.decode()
