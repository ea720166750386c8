"""Schemathesis over the widget API's own OpenAPI schema (issue 12), in-process through the WSGI app.

1. Property test: generated bodies (valid and invalid) for every operation never get a 5xx.
2. Authorization fuzz: every operation with no token, with another client's token, and with a valid
   token. No token is always 401; another client's token never reads or writes the first client's
   rows (its conversation, message and visitor ids are planted into every generated body), and no
   answer carries the first client's ids; nothing is ever a 5xx.

The widget API is the only django-ninja API (config/urls_public.py); a test below keeps it so, so a
second API cannot slip in unfuzzed. Bounded examples keep this to well under a minute.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from tests.integration.widget.support import (
    ALPHA_SITE,
    BRAVO_SITE,
    PUBLIC_HOST,
    VISITOR,
    WidgetSetup,
    row_counts,
    widget_setup,
)

pytestmark = pytest.mark.django_db
BASE_URL = f"http://{PUBLIC_HOST}"


def _widget_schema() -> Any:
    from widget.api import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/widget/v1"))


schema = _widget_schema()
FUZZ = settings(max_examples=5, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
# The authorization fuzz skips schemathesis' boundary-value (explicit) examples: the 5xx test runs them.
AUTH_FUZZ = settings(FUZZ, phases=[Phase.generate])


@pytest.fixture
def wsgi(settings: Any) -> Iterator[Any]:  # noqa: F811 (pytest-django's settings, not hypothesis')
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # Generated calls come fast from one address: the limits have their own tests.
    settings.WIDGET_RATE_IP_BURST = settings.WIDGET_RATE_VISITOR_BURST = settings.WIDGET_RATE_BOT_BURST = 100_000
    # As Django's test client does: the test's transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _headers(setup: WidgetSetup | None, origin: str = ALPHA_SITE) -> dict[str, str]:
    headers = {"Host": PUBLIC_HOST, "Origin": origin}
    if setup is not None:
        headers["Authorization"] = f"Bearer {setup.token}"
    return headers


@schema.parametrize()
@FUZZ
def test_no_generated_input_gets_a_server_error(case: Any, alpha: WidgetSetup, wsgi: Any) -> None:
    response = case.call(app=wsgi, base_url=BASE_URL, headers=_headers(alpha))
    not_a_server_error_only(case, response)


def not_a_server_error_only(case: Any, response: Any) -> None:
    assert response.status_code < 500, (case.method, case.path, case.body, response.text[:500])
    case.validate_response(response, checks=[not_a_server_error])


@pytest.fixture
def planted(alpha: WidgetSetup) -> dict[str, Any]:
    """One real conversation of alpha's: the ids another client's token will try to reach."""
    response = alpha.send("Do you deliver?")
    assert response.status_code == 200, response.content
    body = response.json()
    return {"conversation_id": body["conversation_id"], "message_id": body["message_id"], "visitor_id": VISITOR}


@schema.parametrize()
@AUTH_FUZZ
def test_no_token_is_always_refused(case: Any, alpha: WidgetSetup, wsgi: Any) -> None:
    before = row_counts(alpha.client)
    response = case.call(app=wsgi, base_url=BASE_URL, headers=_headers(None))
    assert response.status_code in (401, 405, 413), (case.path, response.status_code, response.text[:300])
    assert row_counts(alpha.client) == before


@schema.parametrize()
@AUTH_FUZZ
def test_another_clients_token_never_reaches_this_client(case: Any, alpha: WidgetSetup, client_bravo: Any,
                                                         planted: dict[str, Any], wsgi: Any) -> None:
    bravo = widget_setup(client_bravo, BRAVO_SITE)
    if isinstance(case.body, dict):
        for key, value in planted.items():
            if key in case.body or key == "visitor_id":
                case.body[key] = value
    before = row_counts(alpha.client)
    for origin in (BRAVO_SITE, ALPHA_SITE):  # bravo's own site, and alpha's site claimed with bravo's token
        response = case.call(app=wsgi, base_url=BASE_URL, headers=_headers(bravo, origin))
        not_a_server_error_only(case, response)
        if origin == ALPHA_SITE:  # never accepted (401 when the generated case drops or garbles the token)
            assert response.status_code in (401, 403, 405, 413), (case.path, response.text[:300])
        text = response.text
        assert planted["conversation_id"] not in text, (case.path, text[:300])
        assert row_counts(alpha.client) == before, (case.path, json.dumps(case.body, default=str)[:300])


def test_the_widget_api_is_the_only_ninja_api() -> None:
    """Every django-ninja API must be fuzzed here: a second one has to be added to this file."""
    root = Path(__file__).resolve().parents[3]
    found = sorted(str(path.relative_to(root)) for folder in ("platform", "tenants", "widget", "agents")
                   for path in (root / folder).rglob("*.py") if "NinjaAPI(" in path.read_text())
    assert found == ["widget/api.py"]
