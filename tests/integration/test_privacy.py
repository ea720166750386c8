"""BEY-6: retention per client, "delete this visitor" with a receipt, one visitor's export, redacted
exports; admin-only pages with cross-tenant checks. Real schemas, real portal requests."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from controlplane.audit.models import AuditLog
from controlplane.clients.models import Client
from tenants.conversations.models import Conversation, Message, Visitor
from tenants.leads.models import Lead
from tenants.privacy.services import redact_text, retention_purge
from tenants.privacy.tasks import retention_nightly
from tests.conftest import CLIENT_PASSWORD, host_for, login
from tests.integration.bots.support import flash_messages, in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db


def make_visitor(*, days_ago: int, name: str = "Jordan Rivers", email: str = "", phone: str = "",
                 text: str = "Hi, I need help.") -> Visitor:
    at = timezone.now() - timedelta(days=days_ago)
    visitor = Visitor.objects.create(visitor_key=str(uuid.uuid4()), first_seen_at=at, last_seen_at=at)
    conversation = Conversation.objects.create(visitor=visitor, bot_id=primary_bot().pk, started_at=at,
                                               last_message_at=at, summary=f"{name} asked about a bed.")
    Message.objects.create(conversation=conversation, role="visitor", text=text, created_at=at)
    Message.objects.create(conversation=conversation, role="bot", text="Happy to help.", created_at=at)
    if email or phone:
        Lead.objects.create(conversation=conversation, visitor=visitor, name=name, phone=phone, email=email,
                            created_at=at, updated_at=at)
    return visitor


def test_retention_purge_deletes_old_and_keeps_recent_and_rollups(client_alpha):
    from tenants.analytics.models import DailyRollup

    with in_client(client_alpha):
        old = make_visitor(days_ago=40, email="old@example.com")
        recent = make_visitor(days_ago=2, email="new@example.com")
        rollups_before = DailyRollup.objects.count()
        counts = retention_purge(days=30)
        assert (counts.visitors, counts.conversations, counts.messages, counts.leads) == (1, 1, 2, 1)
        assert not Visitor.objects.filter(pk=old.pk).exists()
        assert not Lead.objects.filter(email="old@example.com").exists()
        assert Visitor.objects.filter(pk=recent.pk).exists()
        assert Lead.objects.filter(email="new@example.com").exists()
        assert DailyRollup.objects.count() == rollups_before
    assert AuditLog.objects.filter(action="privacy.retention_purged", client_slug="alpha").exists()


def test_nightly_job_applies_each_clients_own_period(client_alpha, client_bravo):
    Client.objects.filter(pk=client_alpha.pk).update(retention_days=30)
    with in_client(client_alpha):
        alpha_old = make_visitor(days_ago=40)
    with in_client(client_bravo):
        bravo_old = make_visitor(days_ago=40)  # bravo keeps everything (no period)
    assert retention_nightly()["alpha"]["visitors"] == 1
    with in_client(client_alpha):
        assert not Visitor.objects.filter(pk=alpha_old.pk).exists()
    with in_client(client_bravo):
        assert Visitor.objects.filter(pk=bravo_old.pk).exists()


@pytest.mark.parametrize("how", ["email", "phone", "visitor_id"])
def test_admin_deletes_a_visitor_everywhere_with_a_receipt(client_alpha, how):
    with in_client(client_alpha):
        target = make_visitor(days_ago=1, name="Sam Hale", email="sam.hale@example.com", phone="+1 555 010 7788",
                              text="My number is 555-010-7788 and I am in recovery.")
        other = make_visitor(days_ago=1, email="keep@example.com")
    identifier = {"email": "SAM.HALE@example.com", "phone": "(555) 010-7788", "visitor_id": target.visitor_key}[how]
    admin = portal_as("admin")
    response = admin.post("/portal/clients/alpha/privacy/visitors/delete/",
                          {"identifier": identifier, "confirm": "yes"}, follow=True)
    assert response.status_code == 200
    [message] = flash_messages(response)
    assert message.startswith("Deleted. Receipt DEL-")
    receipt = message.removeprefix("Deleted. Receipt ").rstrip(".")
    assert receipt in response.content.decode()
    with in_client(client_alpha):
        assert not Visitor.objects.filter(pk=target.pk).exists()
        assert not Lead.objects.filter(email__iexact="sam.hale@example.com").exists()
        assert not Message.objects.filter(text__contains="recovery").exists()
        assert Visitor.objects.filter(pk=other.pk).exists()
    entry = AuditLog.objects.get(action="privacy.visitor_deleted", target_id=receipt)
    assert entry.client_slug == "alpha"
    assert entry.data["messages"] == 2
    assert entry.data["leads"] == 1
    assert "sam" not in json.dumps(entry.data).lower()  # the audit keeps no personal data


def test_delete_needs_confirmation_and_a_match(client_alpha):
    with in_client(client_alpha):
        target = make_visitor(days_ago=1, email="unsure@example.com")
    admin = portal_as("admin")
    unconfirmed = admin.post("/portal/clients/alpha/privacy/visitors/delete/",
                             {"identifier": "unsure@example.com"}, follow=True)
    assert flash_messages(unconfirmed) == ["Tick the box to confirm: deleting a visitor cannot be undone."]
    missing = admin.post("/portal/clients/alpha/privacy/visitors/delete/",
                         {"identifier": "nobody@example.com", "confirm": "yes"}, follow=True)
    assert flash_messages(missing) == ["No visitor matches that visitor id, email or phone number."]
    with in_client(client_alpha):
        assert Visitor.objects.filter(pk=target.pk).exists()


def test_cross_tenant_delete_and_export_find_nothing(client_alpha, client_bravo):
    with in_client(client_bravo):
        bravo = make_visitor(days_ago=1, email="bravo.person@example.com")
    admin = portal_as("admin")
    for identifier in ("bravo.person@example.com", bravo.visitor_key):
        response = admin.post("/portal/clients/alpha/privacy/visitors/delete/",
                              {"identifier": identifier, "confirm": "yes"}, follow=True)
        assert flash_messages(response) == ["No visitor matches that visitor id, email or phone number."]
        export = admin.get("/portal/clients/alpha/privacy/visitors/export/", {"identifier": identifier}, follow=True)
        assert export["Content-Type"].startswith("text/html")
    with in_client(client_bravo):
        assert Visitor.objects.filter(pk=bravo.pk).exists()


def test_export_one_visitor(client_alpha):
    with in_client(client_alpha):
        make_visitor(days_ago=1, name="Ana Lu", email="ana@example.com", text="Do you take insurance?")
    response = portal_as("admin").get("/portal/clients/alpha/privacy/visitors/export/",
                                      {"identifier": "ana@example.com"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="alpha-visitor-data.json"'
    data = json.loads(response.content)
    [visitor] = data["visitors"]
    assert visitor["leads"][0]["email"] == "ana@example.com"
    assert [m["text"] for m in visitor["conversations"][0]["messages"]] == ["Do you take insurance?", "Happy to help."]
    assert AuditLog.objects.filter(action="privacy.visitor_exported", client_slug="alpha").exists()


def test_retention_setting_from_the_portal(client_alpha):
    admin = portal_as("admin")
    ok = admin.post("/portal/clients/alpha/privacy/retention/", {"retention_days": "90"}, follow=True)
    assert "older than 90 days will be deleted every night" in flash_messages(ok)[0]
    assert Client.objects.get(pk=client_alpha.pk).retention_days == 90
    bad = admin.post("/portal/clients/alpha/privacy/retention/", {"retention_days": "1"}, follow=True)
    assert flash_messages(bad) == ["Choose between 7 and 3650 days, or keep everything."]
    cleared = admin.post("/portal/clients/alpha/privacy/retention/", {"retention_days": ""}, follow=True)
    assert flash_messages(cleared) == ["Conversations are now kept until you delete them."]
    assert Client.objects.get(pk=client_alpha.pk).retention_days is None
    assert AuditLog.objects.filter(action="privacy.retention_changed", client_slug="alpha").count() == 2


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "", {}),
    ("post", "retention/", {"retention_days": "30"}),
    ("post", "visitors/delete/", {"identifier": "x@example.com", "confirm": "yes"}),
    ("get", "visitors/export/", {"identifier": "x@example.com"}),
])
@pytest.mark.parametrize("role", ["anonymous", "client", "staff", "admin"])
def test_only_platform_admins_reach_privacy_pages(client_alpha, role, method, path, data):
    with in_client(client_alpha):
        make_visitor(days_ago=1, email="x@example.com")
    response = getattr(portal_as(role), method)(f"/portal/clients/alpha/privacy/{path}", data)
    if role == "admin":
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert response["Location"].startswith("/portal/clients/alpha/privacy/")
    elif role == "anonymous" or role == "client":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    else:
        assert response.status_code == 403
    with in_client(client_alpha):
        assert Lead.objects.filter(email="x@example.com").exists() == (role != "admin" or "delete" not in path)
    assert Client.objects.get(pk=client_alpha.pk).retention_days == (30 if role == "admin" and "retention" in path
                                                                     else None)


def test_client_host_has_no_privacy_pages(client_alpha):
    browser = portal_as("anonymous")
    browser.defaults["HTTP_HOST"] = host_for("alpha")
    assert login(browser, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    assert browser.get("/portal/clients/alpha/privacy/").status_code == 404


def test_redaction_masks_contact_details_in_every_export(client_alpha):
    with in_client(client_alpha):
        make_visitor(days_ago=1, name="Jamie Stone", email="jamie.stone@example.com", phone="+15550107799",
                     text="Call me at +1 555 010 7799 or jamie.stone@example.com")
        conversation = Conversation.objects.get(lead__email="jamie.stone@example.com")
    browser = portal_as("anonymous")
    browser.defaults["HTTP_HOST"] = host_for("alpha")
    assert login(browser, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    for path in ("/leads/export.csv", "/conversations/export.csv"):
        plain = b"".join(browser.get(path, {"range": "30d"}).streaming_content).decode()
        assert "jamie.stone@example.com" in plain
        redacted = b"".join(browser.get(path, {"range": "30d", "redact": "1"}).streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(redacted)))
        assert rows
        for needle in ("jamie.stone@example.com", "5550107799", "Jamie", "Stone"):
            assert needle not in redacted, (path, needle)
        assert "j***@e***" in redacted
    pdf = browser.get(f"/conversations/{conversation.pk}/export.pdf", {"redact": "1"})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action="export.leads_csv", data__redacted=True).exists()


def test_redact_text_masks_emails_phones_and_names():
    assert redact_text("Jamie Stone: jamie@x.org, +1 (555) 010-7799", ["Jamie Stone"]) == "J. S.: j***@x***, ***99"
