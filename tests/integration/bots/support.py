"""Shared helpers for the issue-5 tests (bots, knowledge, review)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from django.test import Client as DjangoClient
from django_tenants.utils import tenant_context

from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, host_for, login

ROLE_LOGINS = {"admin": (ADMIN_EMAIL, AGENCY_PASSWORD), "staff": (STAFF_EMAIL, AGENCY_PASSWORD),
               "client": ("owner@alpha.test", CLIENT_PASSWORD)}


def portal_as(role: str) -> DjangoClient:
    """A browser on the public (agency) host: anonymous, or signed in through the real login form.

    A client user cannot sign in on the public host; their session is forged to claim it, the
    strongest position a copied cookie could give (it must still fail)."""
    browser = DjangoClient(HTTP_HOST=host_for(None))
    if role == "anonymous":
        return browser
    if role == "client":
        from controlplane.accounts.middleware import SESSION_HOST_KEY
        from controlplane.accounts.models import User

        browser.force_login(User.objects.get(email="owner@alpha.test"),
                            backend="django.contrib.auth.backends.ModelBackend")
        session = browser.session
        session[SESSION_HOST_KEY] = "public"
        session.save()
        return browser
    email, password = ROLE_LOGINS[role]
    assert login(browser, email, password).status_code == 302
    return browser


def client_host_as_owner(slug: str = "alpha") -> DjangoClient:
    browser = DjangoClient(HTTP_HOST=host_for(slug))
    assert login(browser, f"owner@{slug}.test", CLIENT_PASSWORD).status_code == 302
    return browser


@contextmanager
def in_client(client: Any):
    with tenant_context(client):
        yield


def primary_bot():
    from tenants.bots.models import Bot

    return Bot.objects.select_related("published_version").order_by("id").first()


def flash_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
