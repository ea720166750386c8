"""BEY-1 live handoff, end to end on real schemas: a person takes a conversation in the portal and
replies; the visitor's widget reads it through the widget API; the bot stays quiet while the person
holds it and answers again once they hand it back. Roles, and client A's replies never through B."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from controlplane.audit.models import AuditLog
from controlplane.notifications.models import LiveHandoff
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, login
from tests.integration.widget.support import VISITOR, CountingProvider, WidgetSetup, public_usage

pytestmark = pytest.mark.django_db

OTHER_VISITOR = "visitor_fedcba9876543210"


def _agency(http: Any, email: str = STAFF_EMAIL) -> Any:
    c = http(None)
    assert login(c, email, AGENCY_PASSWORD).status_code == 302
    return c


def _handoff(alpha: WidgetSetup, text: str = "Can I book the back room for 30 people?") -> str:
    conversation_id = alpha.send(text).json()["conversation_id"]
    assert alpha.post("/handoff", {"visitor_id": VISITOR, "conversation_id": conversation_id}).status_code == 200
    return conversation_id


def _poll(setup: WidgetSetup, conversation_id: str, *, after: int = 0, visitor: str = VISITOR, **headers: Any) -> Any:
    return setup.post("/updates", {"visitor_id": visitor, "conversation_id": conversation_id, "after": after},
                      **headers)


def _base(slug: str, conversation_id: str) -> str:
    return f"/portal/handoffs/{slug}/{conversation_id}/"


@pytest.fixture
def named_staff(staff_user: Any) -> Any:
    staff_user.full_name = "Sam Rivera"
    staff_user.save(update_fields=["full_name"])
    return staff_user


def test_staff_takes_the_conversation_and_the_visitor_reads_the_reply(alpha: WidgetSetup, http: Any,
                                                                       named_staff: Any) -> None:
    from tenants.conversations.models import Conversation, Message

    conversation_id = _handoff(alpha)
    row = LiveHandoff.objects.get(client=alpha.client, conversation_id=conversation_id)
    assert row.status == LiveHandoff.Status.WAITING
    assert _poll(alpha, conversation_id).json() == {"handoff": "waiting", "held_by": "", "messages": [],
                                                   "poll_ms": 1000}

    staff = _agency(http)
    # The portal's first page says someone is waiting, before any client list.
    home = staff.get("/portal/").content.decode()
    assert "1 visitor waiting for a person." in home
    assert home.index("data-live-handoffs") < home.index('aria-label="Clients"')
    listing = staff.get("/portal/handoffs/")
    assert listing.status_code == 200
    assert _base("alpha", conversation_id) in listing.content.decode()
    page = staff.get(_base("alpha", conversation_id)).content.decode()
    assert "Can I book the back room for 30 people?" in page

    assert staff.post(_base("alpha", conversation_id) + "take/").status_code == 302
    with alpha.schema():
        held = Conversation.objects.get(pk=conversation_id)
        assert (held.held_by_email, held.held_by_name) == (STAFF_EMAIL, "Sam")
    state = _poll(alpha, conversation_id).json()
    assert (state["handoff"], state["held_by"]) == ("held", "Sam")

    response = staff.post(_base("alpha", conversation_id) + "reply/", {"text": "Hi, this is Sam. Yes, we can!"})
    assert response.status_code == 302
    state = _poll(alpha, conversation_id).json()
    assert [(m["author"], m["text"]) for m in state["messages"]] == [("Sam", "Hi, this is Sam. Yes, we can!")]
    # The widget asks only for what it has not shown yet.
    assert _poll(alpha, conversation_id, after=state["messages"][0]["id"]).json()["messages"] == []
    with alpha.schema():
        staff_message = Message.objects.get(role="staff")
        assert (staff_message.author_name, staff_message.conversation_id) == ("Sam", held.pk)
    assert LiveHandoff.objects.get(pk=row.pk).status == LiveHandoff.Status.HELD
    actions = list(AuditLog.objects.filter(action__startswith="handoff.", target_id=conversation_id)
                   .order_by("id").values_list("action", "actor_email"))
    assert actions == [("handoff.take", STAFF_EMAIL), ("handoff.reply", STAFF_EMAIL)]


def test_the_bot_stays_quiet_while_a_person_holds_it_and_resumes_after(alpha: WidgetSetup, http: Any,
                                                                        staff_user: Any,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tenants.conversations.models import Message
    from tenants.review.models import ReviewItem

    conversation_id = _handoff(alpha)
    staff = _agency(http)
    staff.post(_base("alpha", conversation_id) + "take/")
    usage_before = public_usage(alpha.client)
    provider = CountingProvider()
    with monkeypatch.context() as patch:
        patch.setattr("tenants.conversations.agent_runtime.model_provider", lambda: provider)
        quiet = alpha.send("Are you still there?", conversation_id=conversation_id)
    assert quiet.status_code == 200, quiet.content
    body = quiet.json()
    assert (body["reply"], body["answered_by"], body["conversation_id"]) == ("", "person", conversation_id)
    assert provider.calls == 0
    assert public_usage(alpha.client) == usage_before  # no reply, nothing metered
    with alpha.schema():
        last = list(Message.objects.filter(conversation_id=conversation_id).order_by("-id")
                    .values_list("role", "text")[:1])
        assert last == [("visitor", "Are you still there?")]  # stored for the person, no bot message after it
    assert "Are you still there?" in staff.get(_base("alpha", conversation_id)).content.decode()

    assert staff.post(_base("alpha", conversation_id) + "release/").status_code == 302
    assert _poll(alpha, conversation_id).json()["handoff"] == "closed"
    assert LiveHandoff.objects.get(conversation_id=conversation_id).status == LiveHandoff.Status.CLOSED
    with alpha.schema():
        assert not ReviewItem.objects.filter(conversation_id=conversation_id, kind="handoff", status="open").exists()
    again = alpha.send("What time do you open on Friday?", conversation_id=conversation_id).json()
    assert again["answered_by"] != "person"
    assert again["reply"]
    assert AuditLog.objects.filter(action="handoff.release", target_id=conversation_id).count() == 1


def test_crisis_comes_first_then_waiting_then_held(alpha: WidgetSetup, client_bravo: Any, http: Any) -> None:
    from django.utils import timezone

    from controlplane.notifications.handoffs import live_handoff_list, live_handoff_open

    waiting = _handoff(alpha, "I'd like to speak to the manager")
    staff = _agency(http)
    second = alpha.send("Second visitor here", visitor=OTHER_VISITOR).json()["conversation_id"]
    alpha.post("/handoff", {"visitor_id": OTHER_VISITOR, "conversation_id": second})
    staff.post(_base("alpha", second) + "take/")
    crisis_id = uuid.uuid4()
    live_handoff_open(client_id=client_bravo.pk, conversation_id=crisis_id, at=timezone.now(), crisis=True)
    order = [str(r.conversation_id) for r in live_handoff_list()]
    assert order == [str(crisis_id), waiting, second]
    page = staff.get("/portal/handoffs/").content.decode()
    assert page.index(str(crisis_id)) < page.index(waiting) < page.index(second)
    assert "Crisis" in page


def test_only_agency_users_reach_the_handoff_pages(alpha: WidgetSetup, http: Any) -> None:
    conversation_id = _handoff(alpha)
    anonymous = http(None)
    client_user = http("alpha")
    login(client_user, "owner@alpha.test", CLIENT_PASSWORD)
    for path, method in (("/portal/handoffs/", "get"), (_base("alpha", conversation_id), "get"),
                         (_base("alpha", conversation_id) + "take/", "post"),
                         (_base("alpha", conversation_id) + "reply/", "post"),
                         (_base("alpha", conversation_id) + "release/", "post")):
        response = getattr(anonymous, method)(path, {"text": "hello"} if method == "post" else None)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], path
        # A client's own user on the agency host is signed out there: the login page again, never the page.
        response = getattr(client_user, method)(path, HTTP_HOST="shoreline.localhost")
        assert response.status_code in (302, 403), path
    from tenants.conversations.models import Message

    with alpha.schema():
        assert not Message.objects.filter(role="staff").exists()


def test_someone_elses_hold_is_refused_but_an_admin_can_hand_it_back(alpha: WidgetSetup, http: Any,
                                                                      named_staff: Any) -> None:
    conversation_id = _handoff(alpha)
    staff = _agency(http)
    staff.post(_base("alpha", conversation_id) + "take/")
    admin = _agency(http, ADMIN_EMAIL)
    refused = admin.post(_base("alpha", conversation_id) + "reply/", {"text": "Admin here"})
    assert refused.status_code == 400
    assert "Sam is already replying to this visitor." in refused.content.decode()
    assert admin.post(_base("alpha", conversation_id) + "release/").status_code == 302
    assert _poll(alpha, conversation_id).json()["handoff"] == "closed"


def test_an_empty_reply_is_explained_and_nothing_is_sent(alpha: WidgetSetup, http: Any) -> None:
    from tenants.conversations.models import Message

    conversation_id = _handoff(alpha)
    response = _agency(http).post(_base("alpha", conversation_id) + "reply/", {"text": "   "})
    assert response.status_code == 400
    assert "Write a reply first." in response.content.decode()
    with alpha.schema():
        assert not Message.objects.filter(role="staff").exists()


def test_a_reply_to_client_a_is_never_readable_through_client_b(alpha: WidgetSetup, bravo: WidgetSetup,
                                                                http: Any) -> None:
    from tenants.conversations.models import Message

    conversation_id = _handoff(alpha)
    staff = _agency(http)
    staff.post(_base("alpha", conversation_id) + "reply/", {"text": "Only for alpha's visitor"})
    # Bravo's widget token, with alpha's conversation id and alpha's visitor id: not found.
    crossed = _poll(bravo, conversation_id)
    assert crossed.status_code == 404
    assert "Only for alpha" not in crossed.content.decode()
    # The portal under bravo's slug cannot reach alpha's conversation either, nor write into it.
    assert staff.get(_base("bravo", conversation_id)).status_code == 404
    assert staff.post(_base("bravo", conversation_id) + "reply/", {"text": "wrong client"}).status_code == 404
    with bravo.schema():
        assert not Message.objects.filter(role="staff").exists()
    # Within alpha: another visitor, no token, a site off the allowlist.
    assert _poll(alpha, conversation_id, visitor=OTHER_VISITOR).status_code == 404
    assert _poll(alpha, conversation_id, token="").status_code == 401
    assert _poll(alpha, conversation_id, origin="https://evil.example").status_code == 403
    assert _poll(alpha, conversation_id).json()["messages"][0]["text"] == "Only for alpha's visitor"


def test_alert_text_hides_a_phone_number_written_with_brackets() -> None:
    # Found on the `make demo` walk: "(555) 201-3344" left "([phone]" in the SMS.
    from tenants.conversations.notifications import _one_line

    assert _one_line("call me at (555) 201-3344 to confirm") == "Asked: “call me at [phone] to confirm”"


def test_watching_for_a_reply_never_eats_the_message_budget(alpha: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_VISITOR_BURST = 2
    settings.WIDGET_RATE_VISITOR_PER_MINUTE = 1
    conversation_id = _handoff(alpha)  # a message and a handoff: the visitor's budget of two is spent
    assert [_poll(alpha, conversation_id).status_code for _ in range(6)] == [200] * 6
    settings.WIDGET_RATE_POLL_BURST = 2
    settings.WIDGET_RATE_POLL_PER_MINUTE = 1
    # Polls have their own limit (another visitor: a fresh bucket; their id is not theirs, so 404 until refused).
    assert [_poll(alpha, conversation_id, visitor=OTHER_VISITOR).status_code for _ in range(3)] == [404, 404, 429]
    assert _poll(alpha, conversation_id, visitor=OTHER_VISITOR).headers["Retry-After"] == "60"


def test_a_held_conversation_never_ends_idle_under_the_person(alpha: WidgetSetup, http: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tenants.conversations.models import Conversation
    from tenants.conversations.services import conversations_end_idle

    conversation_id = _handoff(alpha)
    _agency(http).post(_base("alpha", conversation_id) + "take/")
    with alpha.schema():
        assert conversations_end_idle(now=timezone.now() + timedelta(hours=3)) == []
        assert Conversation.objects.get(pk=conversation_id).status == "open"
