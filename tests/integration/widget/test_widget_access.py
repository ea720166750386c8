"""SEC-1 (token) and SEC-2 (origin allowlist): every refusal, its exact status and code, and no writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.widget.support import ALPHA_SITE, NOTHING, VISITOR, WidgetSetup, row_counts

pytestmark = pytest.mark.django_db


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code
    assert "Access-Control-Allow-Origin" not in response.headers
    return body


def _try_every_write(alpha: WidgetSetup, **headers: Any) -> list[Any]:
    """One call of each writing operation with the same headers."""
    return [
        alpha.post("/sessions", {"visitor_id": VISITOR}, **headers),
        alpha.send("Do you deliver?", **headers),
        alpha.post("/messages/stream", {"visitor_id": VISITOR, "text": "hello"}, **headers),
        alpha.post("/events/booking-click", {"visitor_id": VISITOR}, **headers),
        alpha.post("/feedback", {"visitor_id": VISITOR, "message_id": 1, "value": "down"}, **headers),
        alpha.post("/events/load", {"page_url": "https://www.alpha.example/"}, **headers),
    ]


# --- SEC-1: the token ---------------------------------------------------------------------------------------

def test_no_token_is_401_token_required_and_nothing_is_stored(alpha: WidgetSetup) -> None:
    for response in [alpha.get("/config", token=""), *_try_every_write(alpha, token="")]:
        body = _refused(response, 401, "token_required")
        assert body["detail"] == "A widget token is required: Authorization: Bearer <token>."
    assert row_counts(alpha.client) == NOTHING


def test_a_non_bearer_authorization_header_is_token_required(alpha: WidgetSetup) -> None:
    response = alpha.http.get("/widget/v1/config", HTTP_AUTHORIZATION=f"Basic {alpha.token}", HTTP_ORIGIN=ALPHA_SITE)
    _refused(response, 401, "token_required")


@pytest.mark.parametrize("bad", ["shl_nope", "shl_000000000000_forged-secret", "not-even-shl", "shl_" + "x" * 200])
def test_unknown_or_forged_token_is_401_invalid_token(alpha: WidgetSetup, bad: str) -> None:
    for response in [alpha.get("/config", token=bad), *_try_every_write(alpha, token=bad)]:
        body = _refused(response, 401, "invalid_token")
        assert body["detail"] == "The widget token is unknown or revoked."
    assert row_counts(alpha.client) == NOTHING


def test_right_prefix_wrong_secret_is_refused(alpha: WidgetSetup) -> None:
    prefix, _secret = alpha.token.rsplit("_", 1)
    _refused(alpha.get("/config", token=f"{prefix}_{'A' * 43}"), 401, "invalid_token")


def test_revoked_token_fails_at_once(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import widget_token_revoke

    assert alpha.get("/config").status_code == 200
    widget_token_revoke(token=alpha.token_row)
    for response in [alpha.get("/config"), *_try_every_write(alpha)]:
        _refused(response, 401, "invalid_token")
    assert row_counts(alpha.client) == NOTHING


def test_rotated_token_old_fails_new_works(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import widget_token_rotate

    issued = widget_token_rotate(token=alpha.token_row)
    _refused(alpha.get("/config", token=alpha.token), 401, "invalid_token")
    response = alpha.get("/config", token=issued.raw)
    assert response.status_code == 200
    assert response.json()["business_name"] == "Alpha Co"


def test_tokens_are_stored_only_as_hashes(alpha: WidgetSetup) -> None:
    import hashlib

    from controlplane.widgets.models import WidgetToken

    row = WidgetToken.objects.get(pk=alpha.token_row.pk)
    assert alpha.token not in {row.prefix, row.token_hash}
    assert row.token_hash == hashlib.sha256(alpha.token.encode()).hexdigest()


def test_anonymous_use_needs_debug_and_the_setting(alpha: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_ALLOW_ANONYMOUS = True
    settings.DEBUG = False
    _refused(alpha.http.get("/widget/v1/config?client=alpha", HTTP_ORIGIN=ALPHA_SITE), 401, "token_required")
    settings.DEBUG = True
    response = alpha.http.get("/widget/v1/config?client=alpha", HTTP_ORIGIN=ALPHA_SITE)
    assert response.status_code == 200
    assert response.json()["business_name"] == "Alpha Co"
    # Even anonymous development use is held to the bot's allowlist.
    _refused(alpha.http.get("/widget/v1/config?client=alpha", HTTP_ORIGIN="https://evil.example"), 403,
             "origin_not_allowed")


# --- SEC-2: the origin ---------------------------------------------------------------------------------------

def test_wrong_origin_is_403_and_nothing_is_stored(alpha: WidgetSetup) -> None:
    for response in [alpha.get("/config", origin="https://evil.example"),
                     *_try_every_write(alpha, origin="https://evil.example")]:
        body = _refused(response, 403, "origin_not_allowed")
        assert body["detail"] == "This website is not allowed to use this chat widget."
    assert row_counts(alpha.client) == NOTHING


def test_a_malformed_body_from_a_wrong_origin_is_403_not_a_parse_error(alpha: WidgetSetup) -> None:
    _refused(alpha.post("/messages", "{not json", origin="https://evil.example"), 403, "origin_not_allowed")
    _refused(alpha.post("/messages", {"unknown": 1}, origin="https://evil.example"), 403, "origin_not_allowed")


@pytest.mark.parametrize("origin", ["http://www.alpha.example", "https://www.alpha.example:8443",
                                    "https://alpha.example", "https://www.alpha.example.evil.example", "null"])
def test_scheme_port_and_host_must_match_exactly(alpha: WidgetSetup, origin: str) -> None:
    _refused(alpha.get("/config", origin=origin), 403, "origin_not_allowed")


def test_default_port_is_the_same_origin(alpha: WidgetSetup) -> None:
    assert alpha.get("/config", origin="https://www.alpha.example:443").status_code == 200


def test_no_origin_and_no_referer_is_403(alpha: WidgetSetup) -> None:
    response = alpha.http.get("/widget/v1/config", HTTP_AUTHORIZATION=f"Bearer {alpha.token}")
    _refused(response, 403, "origin_not_allowed")


def test_referer_is_the_fallback_when_origin_is_missing(alpha: WidgetSetup) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {alpha.token}"}
    ok = alpha.http.get("/widget/v1/config", HTTP_REFERER="https://www.alpha.example/menu?x=1", **auth)
    assert ok.status_code == 200
    # A Referer is not an Origin: no CORS header is granted on its strength.
    assert "Access-Control-Allow-Origin" not in ok.headers
    _refused(alpha.http.get("/widget/v1/config", HTTP_REFERER="https://evil.example/www.alpha.example", **auth),
             403, "origin_not_allowed")
    _refused(alpha.http.get("/widget/v1/config", HTTP_REFERER="ftp://www.alpha.example/", **auth),
             403, "origin_not_allowed")
    # When both are present the Origin decides.
    both = alpha.http.get("/widget/v1/config", HTTP_ORIGIN="https://evil.example",
                          HTTP_REFERER="https://www.alpha.example/", **auth)
    _refused(both, 403, "origin_not_allowed")


def test_empty_allowlist_denies_everything(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import allowed_origin_remove

    allowed_origin_remove(client=alpha.client, bot_id=alpha.bot_id, origin=ALPHA_SITE)
    for response in [alpha.get("/config"), *_try_every_write(alpha)]:
        body = _refused(response, 403, "origin_not_allowed")
        assert body["detail"] == "This chat widget has no allowed websites yet."
    assert row_counts(alpha.client) == NOTHING


def test_wildcard_matches_subdomains_not_the_apex_scheme_or_port(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import allowed_origin_add

    allowed_origin_add(client=alpha.client, bot_id=alpha.bot_id, origin="https://*.alpha-sites.example")
    for origin in ("https://shop.alpha-sites.example", "https://a.b.alpha-sites.example"):
        response = alpha.get("/config", origin=origin)
        assert response.status_code == 200, origin
        assert response.headers["Access-Control-Allow-Origin"] == origin
    for origin in ("https://alpha-sites.example", "http://shop.alpha-sites.example",
                   "https://shop.alpha-sites.example:8443", "https://evilalpha-sites.example",
                   "https://shop.alpha-sites.example.evil.example"):
        _refused(alpha.get("/config", origin=origin), 403, "origin_not_allowed")


def test_another_bots_allowlist_does_not_count(alpha: WidgetSetup, bravo: WidgetSetup) -> None:
    _refused(alpha.get("/config", origin=bravo.origin), 403, "origin_not_allowed")
    _refused(bravo.get("/config", origin=alpha.origin), 403, "origin_not_allowed")


# --- our own chat iframe ------------------------------------------------------------------------------------

def _own_origin() -> str:
    from widget.access import own_origins

    return sorted(own_origins())[0]


def test_own_iframe_with_an_allowed_embed_origin_is_accepted(alpha: WidgetSetup) -> None:
    response = alpha.get("/config", origin=_own_origin(), HTTP_X_SHORELINE_EMBED_ORIGIN=ALPHA_SITE)
    assert response.status_code == 200
    # Same-origin call from our iframe: no CORS header is needed or given.
    assert "Access-Control-Allow-Origin" not in response.headers
    session = alpha.post("/sessions", {"visitor_id": VISITOR}, origin=_own_origin(),
                         HTTP_X_SHORELINE_EMBED_ORIGIN=ALPHA_SITE)
    assert session.status_code == 200
    from tenants.conversations.models import VisitorSession

    with alpha.schema():
        assert list(VisitorSession.objects.values_list("origin", flat=True)) == [ALPHA_SITE]


def test_own_iframe_without_embed_origin_is_refused(alpha: WidgetSetup) -> None:
    _refused(alpha.get("/config", origin=_own_origin()), 403, "origin_not_allowed")
    _refused(alpha.post("/sessions", {"visitor_id": VISITOR}, origin=_own_origin()), 403, "origin_not_allowed")
    assert row_counts(alpha.client) == NOTHING


def test_own_iframe_with_a_disallowed_embed_origin_is_refused(alpha: WidgetSetup) -> None:
    _refused(alpha.get("/config", origin=_own_origin(), HTTP_X_SHORELINE_EMBED_ORIGIN="https://evil.example"),
             403, "origin_not_allowed")


def test_embed_origin_header_is_ignored_from_any_other_origin(alpha: WidgetSetup) -> None:
    """Only our own iframe may vouch for the embedding page; anyone else is judged on its Origin."""
    _refused(alpha.get("/config", origin="https://evil.example", HTTP_X_SHORELINE_EMBED_ORIGIN=ALPHA_SITE),
             403, "origin_not_allowed")


# --- the schema ---------------------------------------------------------------------------------------------

def test_openapi_schema_is_served(http: Any) -> None:
    response = http(None).get("/widget/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Shoreline widget API"
    assert set(schema["paths"]) >= {
        "/widget/v1/config", "/widget/v1/sessions", "/widget/v1/messages", "/widget/v1/messages/stream",
        "/widget/v1/events/booking-click", "/widget/v1/feedback", "/widget/v1/events/load",
    }


def test_every_operation_in_the_openapi_schema_requires_the_widget_token(http: Any) -> None:
    schema = http(None).get("/widget/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes == {"WidgetTokenAuth": {"type": "http", "scheme": "bearer",
                                           "description": "The bot's widget token, from its embed snippet."}}
    unsecured = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not any(requirement.keys() & schemes.keys() for requirement in operation.get("security", []))
    ]
    assert unsecured == []
    # The schema names every refusal so widget authors can handle them.
    message = schema["paths"]["/widget/v1/messages"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "413", "422", "429"} <= set(message)


def test_the_schema_and_config_leak_no_secret(alpha: WidgetSetup, http: Any) -> None:
    from django.conf import settings

    bodies = http(None).get("/widget/v1/openapi.json").content + alpha.get("/config").content
    for secret in [settings.SECRET_KEY, alpha.token, alpha.token_row.token_hash]:
        assert secret.encode() not in bodies
