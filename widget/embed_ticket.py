"""Signed, short-lived embed tickets: the chat iframe opens only for the website that asked (SEC-2).

The loader, running on the client's page, asks `POST /widget/v1/embed-ticket`; the server checks the
browser-set Origin against the bot's allowlist and signs (widget token, that origin) with a timestamp.
The iframe page refuses without a valid ticket for its `host`, and refuses top-level navigations
(`Sec-Fetch-Dest: document`): a popup opened by another site with `host=<allowed origin>` gets
nothing. The iframe's script also refuses to run as a top-level window or under a foreign parent.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

_SALT = "shoreline.widget.embed"


def embed_ticket_issue(*, token_id: int, host: str) -> str:
    return signing.dumps({"t": token_id, "h": host}, salt=_SALT)


def embed_ticket_valid(ticket: str | None, *, token_id: int, host: str) -> bool:
    if not ticket or len(ticket) > 512:
        return False
    try:
        data = signing.loads(ticket, salt=_SALT, max_age=settings.WIDGET_EMBED_TICKET_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return isinstance(data, dict) and data.get("t") == token_id and data.get("h") == host
