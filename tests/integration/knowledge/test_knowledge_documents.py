"""KB-1..3: FAQs, articles and real PDF/DOCX/TXT/MD documents generated here; bad files refused whole."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.knowledge.documents import MAX_DOCUMENT_BYTES, DocumentRejected, document_extract
from tenants.knowledge.models import Chunk, DocumentUpload, Faq, KnowledgeDraft, KnowledgeSource
from tenants.knowledge.services import article_upsert, document_ingest, faq_approve, faq_save_by
from tenants.knowledge.uploads import document_upload_process
from tests.integration.bots.support import flash_messages, in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db

PARAGRAPHS = [
    "Our kitchen opens at noon and the last order is taken at 9:30 in the evening.",
    "Every pasta dish can be made gluten free; ask for the rice noodles when ordering.",
    "Private dining for up to 24 guests is available on weekends with a set menu.",
]


def make_pdf(pages: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("House rules", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Corkage", "$15 per bottle"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pdf_text_is_extracted_per_page():
    extracted = document_extract(file_name="menu-notes.pdf", data=make_pdf(PARAGRAPHS))
    assert extracted.file_type == "pdf"
    assert extracted.pages == 3
    assert extracted.title == "menu notes"
    assert "gluten free" in extracted.text
    assert "24 guests" in extracted.text


def test_docx_paragraphs_and_tables_are_extracted():
    extracted = document_extract(file_name="rules.docx", data=make_docx(PARAGRAPHS))
    assert extracted.file_type == "docx"
    assert "House rules" in extracted.text
    assert "Corkage | $15 per bottle" in extracted.text


def test_markdown_title_comes_from_its_heading():
    extracted = document_extract(file_name="x.md", data=b"# Parking\n\nFree parking behind the building, 40 spaces.")
    assert extracted.title == "Parking"
    assert extracted.file_type == "md"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.exe", b"MZ\x90\x00", "Upload a PDF"),
    ("empty.txt", b"", "empty"),
    ("fake.pdf", b"just some text that claims to be a pdf file", "content is plain text"),
    ("fake.docx", b"%PDF-1.4 not really", "content is a PDF"),
    ("broken.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50, "damaged"),
    ("archive.docx", None, "not a Word"),
    ("truncated.docx", "truncated", "damaged"),
    ("latin1.txt", "café crème brûlée menu".encode("latin-1") + b"\xff\xfe", "UTF-8"),
    ("binary.md", b"abc\x00\x01\x02" * 10, "binary"),
])
def test_wrong_or_corrupt_files_are_refused_with_a_clear_message(name, data, message):
    import zipfile

    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a word document")
        data = buffer.getvalue()
    elif data == "truncated":
        data = make_docx(PARAGRAPHS)[:2000]
    with pytest.raises(DocumentRejected, match=message):
        document_extract(file_name=name, data=data)


def test_too_large_file_is_refused():
    with pytest.raises(DocumentRejected, match="limit is 10 MB"):
        document_extract(file_name="big.txt", data=b"a" * (MAX_DOCUMENT_BYTES + 1))


def test_ingesting_the_same_document_twice_changes_nothing(client_alpha, staff_user):
    with in_client(client_alpha):
        bot = primary_bot()
        document = document_extract(file_name="menu.pdf", data=make_pdf(PARAGRAPHS))
        first = document_ingest(bot_id=bot.pk, document=document, actor=staff_user)
        chunks = list(Chunk.objects.filter(source=first.source).order_by("id").values_list("id", "content_hash"))
        assert first.chunks_created == len(chunks) >= 1
        again = document_ingest(bot_id=bot.pk, document=document_extract(file_name="menu.pdf",
                                                                          data=make_pdf(PARAGRAPHS)), actor=staff_user)
        assert again.unchanged
        assert again.chunks_created == 0
        assert list(Chunk.objects.filter(source=first.source).order_by("id").values_list("id", "content_hash")) == chunks
        assert KnowledgeSource.objects.filter(bot_id=bot.pk, kind="document").count() == 1


def _process_queued(client: object, bot_id: int) -> list[DocumentUpload]:
    """Run what the knowledge worker runs for each queued upload (the real worker: test_upload_worker.py)."""
    with in_client(client):
        ids = list(DocumentUpload.objects.filter(bot_id=bot_id, status="queued").values_list("pk", flat=True))
        return [document_upload_process(upload_id=pk) for pk in ids]


def test_portal_upload_is_queued_not_parsed_in_the_request(client_alpha, django_capture_on_commit_callbacks):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
    url = f"/portal/clients/alpha/knowledge/{bot.pk}/documents/upload/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff.post(url, {"file": SimpleUploadedFile("menu.pdf", make_pdf(PARAGRAPHS))})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the worker task, sent once the upload row is committed
    with in_client(client_alpha):
        upload = DocumentUpload.objects.get(bot_id=bot.pk, file_name="menu.pdf")
        # The request returned without reading the file: nothing parsed, nothing drafted or ingested.
        assert upload.status == "queued"
        assert bytes(upload.data).startswith(b"%PDF-")
        assert not KnowledgeDraft.objects.filter(bot_id=bot.pk, file_name="menu.pdf").exists()
        assert not KnowledgeSource.objects.filter(bot_id=bot.pk, file_name="menu.pdf").exists()
    page = staff.get(f"/portal/clients/alpha/knowledge/{bot.pk}/")
    assert "Reading…" in page.content.decode()


def test_portal_upload_pdf_and_docx_then_refuse_a_corrupt_one(client_alpha):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
        before = Chunk.objects.count()
    url = f"/portal/clients/alpha/knowledge/{bot.pk}/documents/upload/"
    for name, data in (("menu.pdf", make_pdf(PARAGRAPHS)), ("rules.docx", make_docx(PARAGRAPHS))):
        response = staff.post(url, {"file": SimpleUploadedFile(name, data)}, follow=True)
        assert response.status_code == 200
    done = _process_queued(client_alpha, bot.pk)
    assert [u.status for u in done] == ["done", "done"]
    assert all("draft" in u.message and not u.data for u in done)
    page = staff.get(f"/portal/clients/alpha/knowledge/{bot.pk}/").content.decode()
    assert "menu.pdf” read (3 page(s)) and saved as a draft" in page
    # Staff uploads wait for an admin (BOT-4); approving ingests them.
    admin = portal_as("admin")
    with in_client(client_alpha):
        drafts = list(KnowledgeDraft.objects.filter(bot_id=bot.pk, kind="document").values_list("pk", flat=True))
        assert len(drafts) == 2
        assert Chunk.objects.count() == before
    for draft_id in drafts:
        assert admin.post(f"/portal/clients/alpha/knowledge/{bot.pk}/drafts/{draft_id}/approve/").status_code == 302
    with in_client(client_alpha):
        docs = KnowledgeSource.objects.filter(bot_id=bot.pk, kind="document")
        assert sorted(docs.values_list("file_type", flat=True)) == ["docx", "pdf"]
        after_good = Chunk.objects.count()
        assert after_good > before
    # An admin's upload goes live once the worker has read it.
    admin.post(url, {"file": SimpleUploadedFile("parking.md", b"# Parking\n\nFree parking behind, 40 spaces.")})
    [live] = _process_queued(client_alpha, bot.pk)
    assert live.status == "done"
    assert live.source is not None
    assert "parking.md” added: 1 page(s)" in live.message
    with in_client(client_alpha):
        after_good = Chunk.objects.count()
    bad = staff.post(url, {"file": SimpleUploadedFile("broken.pdf", b"%PDF-1.7\n%%EOF garbage")}, follow=True)
    assert bad.status_code == 200
    [failed] = _process_queued(client_alpha, bot.pk)
    assert failed.status == "failed"
    assert "was not added" in failed.message
    assert "damaged" in failed.message
    page = staff.get(f"/portal/clients/alpha/knowledge/{bot.pk}/")
    assert page.status_code == 200
    assert "broken.pdf” was not added" in page.content.decode()
    with in_client(client_alpha):
        assert Chunk.objects.count() == after_good
        assert not KnowledgeSource.objects.filter(file_name="broken.pdf").exists()


def test_wrong_name_or_size_is_refused_at_once_and_nothing_is_stored(client_alpha):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
    url = f"/portal/clients/alpha/knowledge/{bot.pk}/documents/upload/"
    response = staff.post(url, {"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")}, follow=True)
    assert any("was not added" in m and "Upload a PDF" in m for m in flash_messages(response))
    big = staff.post(url, {"file": SimpleUploadedFile("big.txt", b"a" * (MAX_DOCUMENT_BYTES + 1))}, follow=True)
    assert any("limit is 10 MB" in m for m in flash_messages(big))
    with in_client(client_alpha):
        assert not DocumentUpload.objects.filter(bot_id=bot.pk).exists()


def test_staff_faq_is_a_draft_until_an_admin_approves_it(client_alpha, staff_user, admin_user):
    with in_client(client_alpha):
        bot = primary_bot()
        faq = faq_save_by(actor=staff_user, bot_id=bot.pk, question="Do you do birthday cakes?",
                          answer="Yes, with 48 hours notice.")
        assert not faq.approved
        assert faq.source_id is None
        assert not Chunk.objects.filter(text__contains="48 hours notice").exists()
        faq_approve(faq=faq, actor=admin_user)
        faq.refresh_from_db()
        assert faq.approved
        assert Chunk.objects.filter(source_id=faq.source_id).exists()
        live = faq_save_by(actor=admin_user, bot_id=bot.pk, question="Is there parking?", answer="Yes, 40 spaces.")
        assert live.approved


def test_article_upsert_is_idempotent_and_rechunks_on_change(client_alpha, staff_user):
    with in_client(client_alpha):
        bot = primary_bot()
        body = "\n\n".join(PARAGRAPHS)
        first = article_upsert(bot_id=bot.pk, title="About us", body=body, actor=staff_user)
        assert not first.unchanged
        assert first.chunks_created >= 1
        assert article_upsert(bot_id=bot.pk, title="About us", body=body, source=first.source).unchanged
        changed = article_upsert(bot_id=bot.pk, title="About us", body=body + "\n\nWe now deliver.",
                                 source=first.source)
        assert not changed.unchanged
        assert Chunk.objects.filter(source=first.source, text__contains="deliver").exists()


def test_portal_faq_crud(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
    base = f"/portal/clients/alpha/knowledge/{bot.pk}"
    assert staff.post(f"{base}/faqs/new/", {"question": "Do you cater?", "answer": "Yes, for 10+."}).status_code == 302
    with in_client(client_alpha):
        faq = Faq.objects.get(bot_id=bot.pk, question="Do you cater?")
        assert not faq.approved
    assert staff.post(f"{base}/faqs/{faq.pk}/approve/").status_code == 403
    assert admin.post(f"{base}/faqs/{faq.pk}/approve/").status_code == 302
    assert staff.post(f"{base}/faqs/{faq.pk}/", {"question": "Do you cater?", "answer": "Yes, for 12+."}).status_code == 302
    with in_client(client_alpha):
        # BOT-4: the live FAQ keeps answering; the edit waits next to it.
        faq.refresh_from_db()
        assert faq.answer == "Yes, for 10+."
        assert faq.approved
        assert Faq.objects.get(replaces=faq, approved=False).answer == "Yes, for 12+."
    assert admin.post(f"{base}/faqs/{faq.pk}/delete/").status_code == 302
    with in_client(client_alpha):
        assert not Faq.objects.filter(pk=faq.pk).exists()
    home = staff.get(f"{base}/")
    assert home.status_code == 200
