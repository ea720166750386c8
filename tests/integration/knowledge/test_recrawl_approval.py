"""BOT-4 for re-crawls: a weekly or staff-asked re-crawl of an approved site whose pages changed does not
change the live bot; the changes wait as one "website update" draft with a diff per page, which an admin
approves (then they are live). A crawl an admin asks for publishes at once; an unchanged crawl drafts
nothing. Tested against a real local HTTP site, the real crawler and the real index."""

from __future__ import annotations

import html

import pytest

from controlplane.rollups.models import ApprovalQueueEntry
from tenants.knowledge.models import Chunk, KnowledgeDraft, KnowledgeSource
from tenants.knowledge.tasks import website_refresh_task
from tenants.knowledge.website import website_refresh, website_source_add
from tests.integration.bots.support import in_client, portal_as, primary_bot
from tests.integration.knowledge.test_knowledge_scraper import _page, site  # noqa: F401 - the local site fixture
from tests.integration.test_broker_down import _take_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _live(site_obj, url_part: str, text: str) -> bool:
    return Chunk.objects.filter(source__website=site_obj, source__url__endswith=url_part, text__contains=text).exists()


def _change_the_site(site) -> None:  # noqa: F811
    site.pages["/prices"] = _page("Prices", "A monthly membership now costs fifty-nine dollars.", ["/"])
    del site.pages["/classes"]
    site.pages["/"] = site.pages["/"].replace('<a href="/classes">/classes</a>', "")


@pytest.fixture
def approved_site(site, client_alpha):  # noqa: F811
    with in_client(client_alpha):
        source = website_source_add(bot_id=primary_bot().pk, start_url=site.base + "/", max_depth=1, max_pages=20)
        first = website_refresh(site=source)  # the first crawl of an approved site publishes
        assert (first.state, len(first.added), first.held) == ("done", 5, False)
        assert _live(source, "/prices", "forty-nine")
    return source


def test_a_weekly_recrawl_with_changed_pages_waits_for_an_admin(site, approved_site, client_alpha,  # noqa: F811
                                                                committed):
    _change_the_site(site)
    with in_client(client_alpha):
        bot = primary_bot()
        with committed():
            crawl = website_refresh(site=approved_site, trigger="weekly")
        assert crawl.held
        assert "waiting for approval" in crawl.summary
        assert [c["url"] for c in crawl.changed] == [f"{site.base}/prices"]
        assert crawl.removed == [f"{site.base}/classes"]
        # Nothing live changed: the old price still answers, the removed page is still indexed.
        assert _live(approved_site, "/prices", "forty-nine")
        assert not _live(approved_site, "/prices", "fifty-nine")
        assert KnowledgeSource.objects.filter(url=f"{site.base}/classes").exists()
        draft = KnowledgeDraft.objects.get(kind="recrawl")
        assert draft.target_site_id == approved_site.pk
    assert ApprovalQueueEntry.objects.filter(client=client_alpha, kind="recrawl", object_id=draft.pk).exists()

    staff, admin = portal_as("staff"), portal_as("admin")
    base = f"/portal/clients/alpha/knowledge/{bot.pk}"
    page = html.unescape(staff.get(f"{base}/drafts/{draft.pk}/").content.decode())
    assert "Website update" in page
    assert "fifty-nine dollars" in page  # the new text
    assert "forty-nine dollars" in page  # the live text it replaces
    assert "Spin classes" in page  # the removed page's live text
    assert "1 changed page(s), 0 new and 1 removed" in page
    assert staff.post(f"{base}/drafts/{draft.pk}/approve/").status_code == 403
    with in_client(client_alpha):
        assert _live(approved_site, "/prices", "forty-nine")

    with committed():
        assert admin.post(f"{base}/drafts/{draft.pk}/approve/").status_code == 302
    with in_client(client_alpha):
        assert _live(approved_site, "/prices", "fifty-nine")
        assert not _live(approved_site, "/prices", "forty-nine")
        assert not KnowledgeSource.objects.filter(url=f"{site.base}/classes").exists()
        assert not KnowledgeDraft.objects.exists()
    assert not ApprovalQueueEntry.objects.filter(kind="recrawl").exists()


def test_a_later_recrawl_updates_the_one_waiting_update_and_discarding_keeps_the_live_pages(
        site, approved_site, client_alpha, committed):  # noqa: F811
    site.pages["/prices"] = _page("Prices", "A monthly membership now costs fifty-nine dollars.", ["/"])
    with in_client(client_alpha):
        website_refresh(site=approved_site, trigger="weekly")
        site.pages["/prices"] = _page("Prices", "A monthly membership now costs sixty-nine dollars.", ["/"])
        website_refresh(site=approved_site, trigger="weekly")
        draft = KnowledgeDraft.objects.get(kind="recrawl")
        assert "sixty-nine" in draft.settings["pages"][0]["text"]
    staff = portal_as("staff")
    with committed():
        assert staff.post(f"/portal/clients/alpha/knowledge/{draft.bot_id}/drafts/{draft.pk}/discard/").status_code == 302
    with in_client(client_alpha):
        assert _live(approved_site, "/prices", "forty-nine")
        assert not KnowledgeDraft.objects.exists()


def test_an_unchanged_recrawl_drafts_nothing(site, approved_site, client_alpha):  # noqa: F811
    with in_client(client_alpha):
        again = website_refresh(site=approved_site, trigger="weekly")
        assert (again.unchanged, again.held) == (5, False)
        assert not KnowledgeDraft.objects.exists()


def test_crawl_now_holds_changes_for_staff_and_publishes_for_an_admin(site, approved_site, client_alpha,  # noqa: F811
                                                                      django_capture_on_commit_callbacks):
    _change_the_site(site)
    with in_client(client_alpha):
        bot = primary_bot()
    url = f"/portal/clients/alpha/knowledge/{bot.pk}/websites/{approved_site.pk}/crawl/"
    for role, publish in (("staff", False), ("admin", True)):
        browser = portal_as(role)
        with django_capture_on_commit_callbacks(execute=True):
            assert browser.post(url).status_code == 302
        # Sent to the real broker with who may publish; taken off the queue so no worker runs it.
        assert _take_queued(client_alpha.schema_name, [approved_site.pk, "manual", publish]) == 1
    # What the queued tasks run, in the client's schema (the worker's ClientTask does the same).
    with in_client(client_alpha):
        assert "waiting for approval" in website_refresh_task.run(approved_site.pk, "manual", False)
        assert _live(approved_site, "/prices", "forty-nine")
        assert KnowledgeDraft.objects.filter(kind="recrawl").count() == 1
        assert "waiting for approval" not in website_refresh_task.run(approved_site.pk, "manual", True)
        assert _live(approved_site, "/prices", "fifty-nine")
