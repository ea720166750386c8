"""Issue 17: the widget API skips the session, user, message and htmx middleware (it uses none of
them), and keeps every security header, CORS and the request log."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import STAFF_EMAIL
from tests.integration.widget.support import WidgetSetup

pytestmark = pytest.mark.django_db


def _signed_in(alpha: WidgetSetup, *, must_change_password: bool = False) -> None:
    """The widget's browser also holds a portal session on the same host (a staff member trying the
    chat on our own pages)."""
    from controlplane.accounts.middleware import SESSION_HOST_KEY
    from controlplane.accounts.models import User

    user = User.objects.get(email=STAFF_EMAIL)
    if must_change_password:
        User.objects.filter(pk=user.pk).update(must_change_password=True)
    alpha.http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = alpha.http.session
    session[SESSION_HOST_KEY] = "public"
    session.save()


def test_a_signed_in_browser_costs_the_widget_api_no_session_or_user_lookup(alpha: WidgetSetup) -> None:
    _signed_in(alpha)
    alpha.send("hi")  # caches warm
    with CaptureQueriesContext(connection) as ctx:
        response = alpha.send("Do you deliver?")
    assert response.status_code == 200, response.content
    statements = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "django_session" not in statements
    assert "accounts_user" not in statements
    assert "Cookie" not in response.headers.get("Vary", "")
    assert not response.cookies
    # The portal session is untouched and still signs the browser in.
    assert alpha.http.get("/portal/").status_code == 200


def test_a_password_change_pending_in_the_portal_does_not_break_the_chat(alpha: WidgetSetup) -> None:
    """The portal sends a user who must change their password to the change page; the widget API,
    which does not act as that user, answers the chat as for anyone."""
    _signed_in(alpha, must_change_password=True)
    assert alpha.http.get("/portal/").status_code == 302
    response = alpha.send("hi")
    assert response.status_code == 200, response.content
    assert response.json()["reply"]


def test_widget_api_responses_keep_security_headers_cors_and_request_id(alpha: WidgetSetup) -> None:
    response = alpha.send("hi")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == alpha.origin
    assert response.headers["Vary"] == "Origin"
    portal = alpha.http.get("/portal/login/")
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
        assert response.headers.get(header) == portal.headers.get(header), header
    assert ("Content-Security-Policy" in response.headers) == ("Content-Security-Policy" in portal.headers)
