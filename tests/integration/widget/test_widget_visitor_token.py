"""SEC-6: signed visitor tokens; inventing visitor ids or spoofing X-Forwarded-For opens no new bucket."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.widget.support import VISITOR, WidgetSetup

pytestmark = pytest.mark.django_db


def _fresh(n: int) -> str:
    return f"script_{n:020d}"


def _click(alpha: WidgetSetup, visitor: str, **kwargs: Any) -> Any:
    return alpha.post("/events/booking-click", {"visitor_id": visitor, "url": "https://alpha.example/book"}, **kwargs)


def test_a_script_sending_fresh_visitor_ids_is_limited(alpha: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_VISITOR_BURST = 3
    settings.WIDGET_RATE_VISITOR_PER_MINUTE = 1
    statuses = [_click(alpha, _fresh(n), signed=False).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]
    body = _click(alpha, _fresh(99), signed=False).json()
    assert body["error"] == "rate_limited"
    assert "visitor limit" in body["detail"]
    # A real visitor holding its signed token is not in the script's bucket.
    assert _click(alpha, VISITOR).status_code == 200


def test_forged_or_borrowed_tokens_count_as_unsigned(alpha: WidgetSetup, bravo: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_VISITOR_BURST = 2
    settings.WIDGET_RATE_VISITOR_PER_MINUTE = 1
    other = alpha.visitor_token(VISITOR)  # a real token, but for another visitor
    from_bravo = bravo.visitor_token(_fresh(1))  # the right visitor, but another bot's token
    tampered = alpha.visitor_token(_fresh(2))[:-2] + "xx"
    tokens = [other, from_bravo, tampered, "garbage"]
    statuses = [_click(alpha, _fresh(n), HTTP_X_SHORELINE_VISITOR=tokens[n - 1]).status_code for n in range(1, 5)]
    assert statuses == [200, 200, 429, 429]


def test_sessions_hand_out_the_token_and_a_script_cannot_mint_them_without_limit(alpha: WidgetSetup,
                                                                                 settings: Any) -> None:
    settings.WIDGET_RATE_VISITOR_BURST = 3
    settings.WIDGET_RATE_VISITOR_PER_MINUTE = 1
    responses = [alpha.post("/sessions", {"visitor_id": _fresh(n)}, signed=False) for n in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    token = responses[0].json()["visitor_token"]
    # The token works: that visitor has its own bucket again, the unsigned one is empty.
    assert _click(alpha, _fresh(0), HTTP_X_SHORELINE_VISITOR=token).status_code == 200
    assert _click(alpha, _fresh(5), signed=False).status_code == 429


def test_one_address_is_limited_across_signed_visitors(alpha: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_IP_BURST = 4
    settings.WIDGET_RATE_IP_PER_MINUTE = 1
    statuses = [_click(alpha, _fresh(n)).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert "network limit" in _click(alpha, _fresh(9)).json()["detail"]


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(alpha: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_IP_BURST = 2
    settings.WIDGET_RATE_IP_PER_MINUTE = 1
    settings.TRUSTED_PROXIES = []
    spoofed = [_click(alpha, _fresh(n), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    assert spoofed == [200, 200, 429]
    # Behind our proxy (the test client's peer is 127.0.0.1) the forwarded address is the client.
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    behind = [_click(alpha, _fresh(n), HTTP_X_FORWARDED_FOR="198.51.100.7, 127.0.0.2").status_code for n in range(3)]
    assert behind == [200, 200, 429]
    # A visitor forging an extra hop in front of ours still lands on its real address.
    forged = _click(alpha, _fresh(5), HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    assert forged.status_code == 429
    assert _click(alpha, _fresh(6), HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
