"""BOT-4 for every kind of knowledge: a staff change never reaches the live bot before an admin approves
it, and does right after; the live answer stays while an edit waits; drafts can be discarded; the
approver sees the diff, the chunk impact and the saved test conversations; all of it audited."""

from __future__ import annotations

import html
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from controlplane.audit.models import AuditLog
from tenants.bots.config import BotConfig, FactNoteConfig
from tenants.bots.models import BotStatus
from tenants.bots.selectors import bot_published_config
from tenants.bots.services import (
    bot_config_approve,
    bot_config_draft_create,
    bot_config_reject,
    bot_config_submit,
    bot_test_case_save,
)
from tenants.conversations.services import message_reply
from tenants.knowledge.embedding import embed_texts
from tenants.knowledge.models import (
    Chunk,
    DocumentUpload,
    Faq,
    KnowledgeDraft,
    KnowledgeSource,
    WebsiteSource,
)
from tenants.knowledge.rebuild import knowledge_rebuild_request, knowledge_rebuild_run
from tenants.knowledge.selectors import faq_best_match, knowledge_search
from tenants.knowledge.services import faq_save_by
from tenants.knowledge.uploads import document_upload_process
from tenants.knowledge.website import website_refresh
from tests.integration.bots.support import flash_messages, in_client, portal_as, primary_bot
from tests.integration.knowledge.test_knowledge_scraper import Site

pytestmark = pytest.mark.django_db
BASE = "/portal/clients/alpha/knowledge"


def _indexed(bot_id: int, text: str) -> str:
    """Everything the live bot's retrieval returns for `text` (the knowledge it can answer from)."""
    [vector] = embed_texts([text])
    return "\n".join(hit.text for hit in knowledge_search(bot_id=bot_id, query=text, embedding=vector, k=50))


def _ask(client, bot, text: str) -> str:
    """One visitor message to the live bot (published configuration, the widget's path)."""
    bot.refresh_from_db()
    return message_reply(bot=bot, config=bot_published_config(bot), client_id=client.pk, client_slug=client.slug,
                         visitor_key=f"v-{uuid.uuid4().hex[:12]}", conversation_id=None, text=text).reply


def _faq_live_answer(bot_id: int, question: str) -> str | None:
    [vector] = embed_texts([question])
    match = faq_best_match(bot_id=bot_id, embedding=vector)
    return match.answer if match and match.similarity > 0.95 else None


def _tasks(callbacks) -> list:
    """After-commit callbacks other than the approvals index's (tenants/knowledge/approval_index.py)."""
    return [c for c in callbacks if "approval_entr" not in repr(c)]


def _audited(action: str) -> int:
    return AuditLog.objects.filter(action=action).count()


def test_staff_new_faq_is_answered_only_after_approval(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    question, answer = "Do you host zebra-themed birthday parties?", "Yes: zebra parties on Sundays, book a week ahead."
    with in_client(client_alpha):
        bot = primary_bot()
    assert staff.post(f"{BASE}/{bot.pk}/faqs/new/", {"question": question, "answer": answer}).status_code == 302
    with in_client(client_alpha):
        draft = Faq.objects.get(bot_id=bot.pk, question=question)
        assert not draft.approved
        assert _faq_live_answer(bot.pk, question) is None
        assert "zebra parties" not in _indexed(bot.pk, question)
        assert "zebra parties" not in _ask(client_alpha, bot, question)
    review = staff.get(f"{BASE}/{bot.pk}/faqs/{draft.pk}/review/")
    assert review.status_code == 200
    assert "zebra parties on Sundays" in html.unescape(review.content.decode())
    assert staff.post(f"{BASE}/{bot.pk}/faqs/{draft.pk}/approve/").status_code == 403
    assert admin.post(f"{BASE}/{bot.pk}/faqs/{draft.pk}/approve/").status_code == 302
    with in_client(client_alpha):
        assert _faq_live_answer(bot.pk, question) == answer
        assert _ask(client_alpha, bot, question) == answer
    assert _audited("knowledge.faq_approved") == 1


def test_staff_edit_of_a_live_faq_keeps_the_live_answer_until_approved(client_alpha, admin_user):
    staff, admin = portal_as("staff"), portal_as("admin")
    question = "Is there parking at the harbour shop?"
    old, new = "Yes, twelve free spaces behind the shop.", "Yes, forty free spaces in the new car park."
    with in_client(client_alpha):
        bot = primary_bot()
        live = faq_save_by(actor=admin_user, bot_id=bot.pk, question=question, answer=old)
        assert live.approved
    response = staff.post(f"{BASE}/{bot.pk}/faqs/{live.pk}/", {"question": question, "answer": new}, follow=True)
    assert any("live answer stays" in m for m in flash_messages(response)), flash_messages(response)
    with in_client(client_alpha):
        live.refresh_from_db()
        assert live.approved
        assert live.answer == old
        assert live.source_id
        draft = Faq.objects.get(replaces=live)
        assert not draft.approved
        assert draft.answer == new
        assert _faq_live_answer(bot.pk, question) == old
        assert _ask(client_alpha, bot, question) == old
        assert "forty free spaces" not in _indexed(bot.pk, question)
    # The edit page continues from the pending draft; a second edit updates it rather than stacking drafts.
    assert staff.get(f"{BASE}/{bot.pk}/faqs/{live.pk}/").context["form"].initial["answer"] == new
    staff.post(f"{BASE}/{bot.pk}/faqs/{live.pk}/", {"question": question, "answer": new + " Free."})
    with in_client(client_alpha):
        assert Faq.objects.filter(replaces=live).count() == 1
        draft.refresh_from_db()
    text = html.unescape(staff.get(f"{BASE}/{bot.pk}/faqs/{draft.pk}/review/").content.decode())
    assert "twelve free spaces" in text
    assert "forty free spaces" in text
    assert "added" in text
    assert "removed" in text
    assert admin.post(f"{BASE}/{bot.pk}/faqs/{draft.pk}/approve/").status_code == 302
    with in_client(client_alpha):
        assert not Faq.objects.filter(pk=draft.pk).exists()
        live.refresh_from_db()
        assert live.answer == new + " Free."
        assert Faq.objects.filter(bot_id=bot.pk, question=question).count() == 1
        assert _ask(client_alpha, bot, question) == new + " Free."
        indexed = _indexed(bot.pk, question)
        assert "forty free spaces" in indexed
        assert "twelve free spaces" not in indexed
    entry = AuditLog.objects.filter(action="knowledge.faq_approved").latest("id")
    assert entry.data["old_answer"] == old


def test_staff_article_is_retrieved_only_after_approval_and_edits_wait(client_alpha, admin_user):
    staff, admin = portal_as("staff"), portal_as("admin")
    body = "Our kayak rentals start at the north pier.\n\nEvery kayak comes with a quokka-yellow life vest."
    with in_client(client_alpha):
        bot = primary_bot()
        sources_before, chunks_before = KnowledgeSource.objects.count(), Chunk.objects.count()
    response = staff.post(f"{BASE}/{bot.pk}/articles/new/", {"title": "Kayak rentals", "body": body}, follow=True)
    assert any("draft" in m for m in flash_messages(response)), flash_messages(response)
    with in_client(client_alpha):
        assert (KnowledgeSource.objects.count(), Chunk.objects.count()) == (sources_before, chunks_before)
        assert "quokka-yellow" not in _indexed(bot.pk, "kayak life vest colour")
        draft = KnowledgeDraft.objects.get(bot_id=bot.pk, kind="article")
    page = html.unescape(admin.get(f"{BASE}/{bot.pk}/drafts/{draft.pk}/").content.decode())
    assert "quokka-yellow" in page
    assert "1 chunk(s) added, 0 removed" in page
    assert staff.post(f"{BASE}/{bot.pk}/drafts/{draft.pk}/approve/").status_code == 403
    assert admin.post(f"{BASE}/{bot.pk}/drafts/{draft.pk}/approve/").status_code == 302
    with in_client(client_alpha):
        assert not KnowledgeDraft.objects.exists()
        article = KnowledgeSource.objects.get(bot_id=bot.pk, kind="article", title="Kayak rentals")
        assert "quokka-yellow" in _indexed(bot.pk, "kayak life vest colour")
    # Staff now edit the live article: the live text stays searchable, the new one does not.
    staff.post(f"{BASE}/{bot.pk}/articles/{article.pk}/", {"title": "Kayak rentals",
                                                            "body": body.replace("quokka-yellow", "wombat-green")})
    with in_client(client_alpha):
        indexed = _indexed(bot.pk, "kayak life vest colour")
        assert "quokka-yellow" in indexed
        assert "wombat-green" not in indexed
        draft = KnowledgeDraft.objects.get(target=article)
    page = html.unescape(admin.get(f"{BASE}/{bot.pk}/drafts/{draft.pk}/").content.decode())
    assert "quokka-yellow" in page
    assert "wombat-green" in page
    assert "1 chunk(s) added, 1 removed" in page
    admin.post(f"{BASE}/{bot.pk}/drafts/{draft.pk}/approve/")
    with in_client(client_alpha):
        indexed = _indexed(bot.pk, "kayak life vest colour")
        assert "wombat-green" in indexed
        assert "quokka-yellow" not in indexed
        assert KnowledgeSource.objects.filter(kind="article", title="Kayak rentals").count() == 1
    approved = AuditLog.objects.filter(action="knowledge.draft_approved").latest("id")
    assert approved.data["chunks_created"] == 1
    assert approved.data["chunks_deleted"] == 1
    assert approved.data["drafted_by"].startswith("staff")


def test_staff_document_is_retrieved_only_after_approval(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
    data = b"Allergy policy\n\nEvery dessert on the menu is made without axolotl-grade peanuts or tree nuts."
    response = staff.post(f"{BASE}/{bot.pk}/documents/upload/", {"file": SimpleUploadedFile("allergy.txt", data)},
                          follow=True)
    assert response.status_code == 200
    with in_client(client_alpha):
        # The knowledge worker reads the upload (decision 0034); here its task body runs in-process.
        upload = document_upload_process(upload_id=DocumentUpload.objects.get(file_name="allergy.txt").pk)
        assert upload is not None
        assert "saved as a draft" in upload.message
        assert not KnowledgeSource.objects.filter(kind="document").exists()
        assert "axolotl-grade" not in _indexed(bot.pk, "are desserts nut free")
        draft = KnowledgeDraft.objects.get(kind="document", file_name="allergy.txt")
    assert admin.post(f"{BASE}/{bot.pk}/drafts/{draft.pk}/approve/").status_code == 302
    with in_client(client_alpha):
        document = KnowledgeSource.objects.get(kind="document")
        assert (document.file_name, document.file_type) == ("allergy.txt", "txt")
        assert "axolotl-grade" in _indexed(bot.pk, "are desserts nut free")


def test_staff_website_is_not_crawled_before_approval(client_alpha, settings, django_capture_on_commit_callbacks):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
    with Site() as site:
        settings.OUTBOUND_ALLOW = {f"127.0.0.1:{site.server.server_address[1]}"}
        form = {"start_url": site.base + "/", "max_depth": 1, "max_pages": 20, "weekly_refresh": "on"}
        with django_capture_on_commit_callbacks() as queued:
            assert staff.post(f"{BASE}/{bot.pk}/websites/add/", form).status_code == 302
        assert _tasks(queued) == []  # nothing sent to the crawler (only the approvals list's index row)
        assert site.hits == []
        with in_client(client_alpha):
            assert not WebsiteSource.objects.exists()
            assert "forty-nine dollars" not in _indexed(bot.pk, "membership price")
            draft = KnowledgeDraft.objects.get(kind="website")
        page = html.unescape(admin.get(f"{BASE}/{bot.pk}/drafts/{draft.pk}/").content.decode())
        assert site.base in page
        assert "Page limit: 20" in page
        with django_capture_on_commit_callbacks() as queued:
            response = admin.post(f"{BASE}/{bot.pk}/drafts/{draft.pk}/approve/")
        assert response.status_code == 302
        assert len(_tasks(queued)) == 1  # the crawl is sent once the approval commits
        with in_client(client_alpha):
            approved = WebsiteSource.objects.get(bot_id=bot.pk)
            assert response["Location"].endswith(f"/websites/{approved.pk}/")
            assert website_refresh(site=approved).state == "done"  # what the queued task runs
            assert "forty-nine dollars" in _indexed(bot.pk, "membership price")


def test_staff_business_facts_reach_the_bot_only_after_approval(client_alpha, staff_user, admin_user):
    with in_client(client_alpha):
        bot = primary_bot()
        live = BotConfig.model_validate(bot.published_version.config)
        business = live.business.model_copy(update={"notes": (
            FactNoteConfig(topic="ferry", keywords=("ferry",), text="The island ferry leaves from pier nine."),)})
        draft = bot_config_draft_create(bot=bot, actor=staff_user, note="ferry",
                                        config=live.model_copy(update={"business": business}))
        assert "pier nine" not in _ask(client_alpha, bot, "Where does the ferry leave from?")
        bot_config_submit(version=draft, actor=staff_user, run_regression=False)
        assert "pier nine" not in _ask(client_alpha, bot, "Where does the ferry leave from?")
        rebuild, _ = knowledge_rebuild_request(bot_id=bot.pk)
        knowledge_rebuild_run(rebuild_id=rebuild.pk)
        bot_config_approve(version=draft, actor=admin_user)
        assert _ask(client_alpha, bot, "Where does the ferry leave from?") == "The island ferry leaves from pier nine."


def test_drafts_can_be_discarded_and_nothing_live_changes(client_alpha):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
        chunks = Chunk.objects.count()
    staff.post(f"{BASE}/{bot.pk}/articles/new/", {"title": "Gone soon", "body": "A narwhal-shaped draft."})
    staff.post(f"{BASE}/{bot.pk}/faqs/new/", {"question": "Do you sell narwhal cakes?", "answer": "No."})
    with in_client(client_alpha):
        draft = KnowledgeDraft.objects.get(title="Gone soon")
        faq = Faq.objects.get(question="Do you sell narwhal cakes?")
    listing = html.unescape(staff.get(f"{BASE}/{bot.pk}/approvals/").content.decode())
    assert "Gone soon" in listing
    assert "Do you sell narwhal cakes?" in listing
    assert staff.post(f"{BASE}/{bot.pk}/drafts/{draft.pk}/discard/").status_code == 302
    assert staff.post(f"{BASE}/{bot.pk}/faqs/{faq.pk}/delete/").status_code == 302
    with in_client(client_alpha):
        assert not KnowledgeDraft.objects.exists()
        assert not Faq.objects.filter(pk=faq.pk).exists()
        assert Chunk.objects.count() == chunks
    assert _audited("knowledge.draft_discarded") == 1
    assert _audited("knowledge.faq_draft_discarded") == 1
    assert "Nothing waits for approval" in staff.get(f"{BASE}/{bot.pk}/approvals/").content.decode()


def test_staff_cannot_remove_live_knowledge(client_alpha, admin_user):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
        from tenants.knowledge.services import article_upsert

        source = article_upsert(bot_id=bot.pk, title="Live", body="Live text about lighthouses.", actor=admin_user).source
    response = staff.post(f"{BASE}/{bot.pk}/sources/{source.pk}/delete/", follow=True)
    assert any("Only an admin" in m for m in flash_messages(response))
    with in_client(client_alpha):
        assert KnowledgeSource.objects.filter(pk=source.pk).exists()


def test_review_shows_saved_test_conversations_run_with_the_change(client_alpha, staff_user):
    admin = portal_as("admin")
    question = "Can I rent a paddleboard here?"
    with in_client(client_alpha):
        bot = primary_bot()
        bot_test_case_save(bot=bot, name="Paddleboards", question=question, expect_not_fallback=False,
                           expect_contains="eighteen dollars", expect_crisis=None, actor=staff_user)
        draft = faq_save_by(actor=staff_user, bot_id=bot.pk, question=question,
                            answer="Yes, paddleboards are eighteen dollars an hour.")
    page = html.unescape(admin.get(f"{BASE}/{bot.pk}/faqs/{draft.pk}/review/").content.decode())
    assert "data-test-result=\"pass\"" in page, page[page.find("Saved test"):][:1500]  # answered from the draft, inside the preview
    with in_client(client_alpha):
        # ... and the preview left nothing behind: the draft is still only a draft.
        draft.refresh_from_db()
        assert not draft.approved
        assert draft.source_id is None
        assert _faq_live_answer(bot.pk, question) is None


def test_needs_update_clears_when_the_rebuild_finishes_after_a_rejected_change(client_alpha, staff_user, admin_user):
    with in_client(client_alpha):
        bot = primary_bot()
        live = BotConfig.model_validate(bot.published_version.config)
        draft = bot_config_draft_create(bot=bot, actor=staff_user, config=live.model_copy(update={
            "business": live.business.model_copy(update={"phone": "(555) 010-9999"})}))
        bot.refresh_from_db()
        assert bot.status == BotStatus.NEEDS_UPDATE
        bot_config_submit(version=draft, actor=staff_user, run_regression=False)
        bot_config_reject(version=draft, actor=admin_user, comment="Wrong number")
        bot.refresh_from_db()
        assert bot.status == BotStatus.ACTIVE  # nothing holds it any more
        # A change published without a rebuild first (the importer's path) keeps the mark until the
        # rebuild of the approved knowledge finishes.
        again = bot_config_draft_create(bot=bot, actor=staff_user, config=live.model_copy(update={
            "business": live.business.model_copy(update={"phone": "(555) 010-8888"})}))
        bot_config_submit(version=again, actor=staff_user, run_regression=False)
        bot_config_approve(version=again, system=True, comment="Published by the importer")
        bot.refresh_from_db()
        assert bot.status == BotStatus.NEEDS_UPDATE
        rebuild, _ = knowledge_rebuild_request(bot_id=bot.pk)
        knowledge_rebuild_run(rebuild_id=rebuild.pk)
        bot.refresh_from_db()
        assert bot.status == BotStatus.ACTIVE


def test_demo_has_staff_changes_waiting_for_the_admin(client_alpha):
    from controlplane.accounts.models import Role
    from controlplane.accounts.services import user_create
    from tenants.demo.clients import DEMO_STAFF_EMAIL
    from tenants.demo.setup import demo_pending_changes_ensure
    from tenants.knowledge.services import knowledge_seed_from_pack

    user_create(email=DEMO_STAFF_EMAIL, role=Role.STAFF)
    with in_client(client_alpha):
        bot = primary_bot()
        knowledge_seed_from_pack(bot_id=bot.pk, pack_key="restaurant", details={"business_name": "Alpha Co"})
        live = dict(Faq.objects.filter(approved=True).values_list("id", "answer"))
        assert demo_pending_changes_ensure(bot=bot) == 2
        assert demo_pending_changes_ensure(bot=bot) == 2  # made once
        assert dict(Faq.objects.filter(approved=True).values_list("id", "answer")) == live
