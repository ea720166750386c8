"""Signed visitor tokens: the server vouches for a visitor id it handed out (SEC-6).

`POST /sessions` answers with a token signed with the server's secret that binds the visitor id to
one bot; the widget sends it back in `X-Shoreline-Visitor`. Rate limits key on the signed id; a call
without a valid token for the id it names shares one bucket per network address, so inventing
visitor ids does not open new buckets (docs/decisions/0010-rate-limit-fallback.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

VISITOR_HEADER = "X-Shoreline-Visitor"
_SALT = "shoreline.widget.visitor"


def visitor_token_issue(*, scope: str, visitor_id: str) -> str:
    return signing.dumps({"s": scope, "v": visitor_id}, salt=_SALT)


def visitor_token_valid(token: str | None, *, scope: str, visitor_id: str) -> bool:
    """True when `token` was signed by us for exactly this visitor of this bot, and is not too old."""
    if not token or len(token) > 512:
        return False
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.WIDGET_VISITOR_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("s") == scope and data.get("v") == visitor_id
