from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from controlplane.accounts.middleware import SESSION_HOST_KEY
from controlplane.accounts.models import User
from tests.conftest import CLIENT_PASSWORD, host_for, login


@pytest.fixture
def alpha_owner(http, client_alpha) -> DjangoClient:  # type: ignore[no-untyped-def]
    browser = http("alpha")
    assert login(browser, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    return browser


def claimed_session(email: str, slug: str, schema: str) -> DjangoClient:
    """A session for `email` that claims the host of `slug` (a copied cookie, the strongest position)."""
    browser = DjangoClient(HTTP_HOST=host_for(slug))
    browser.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    session[SESSION_HOST_KEY] = schema
    session.save()
    return browser
