"""Widget tokens, allowlists and usage metering (public schema)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.clients.models import Client
from controlplane.widgets.models import AllowedOrigin, UsagePeriod, WidgetToken
from controlplane.widgets.origins import normalize_origin

TOKEN_PREFIX = "shl_"  # noqa: S105 — the public marker of a widget token, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: WidgetToken
    raw: str  # shown once, never stored


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def widget_token_issue(*, client: Client, bot_id: int, actor: Any = None) -> IssuedToken:
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = WidgetToken.objects.create(client=client, bot_id=bot_id, prefix=prefix, token_hash=_hash(raw))
        audit_record(action="widget.token_issued", actor=actor, target=token, client_slug=client.slug,
                     data={"bot_id": bot_id, "prefix": prefix})
    return IssuedToken(token=token, raw=raw)


def widget_token_revoke(*, token: WidgetToken, actor: Any = None) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="widget.token_revoked", actor=actor, target=token, client_slug=token.client.slug,
                     data={"prefix": token.prefix})


def widget_token_rotate(*, token: WidgetToken, actor: Any = None) -> IssuedToken:
    """Issue a new token for the same bot and revoke the old one at once."""
    with transaction.atomic():
        issued = widget_token_issue(client=token.client, bot_id=token.bot_id, actor=actor)
        widget_token_revoke(token=token, actor=actor)
    return issued


def widget_token_resolve(raw: str) -> WidgetToken | None:
    """The active token matching `raw`, with its client, or None. Constant-time comparison."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    prefix = raw[len(TOKEN_PREFIX):].split("_", 1)[0]
    token = (
        WidgetToken.objects.select_related("client", "client__plan")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, _hash(raw)):
        return None
    return token


def allowed_origin_add(*, client: Client, bot_id: int, origin: str, actor: Any = None) -> AllowedOrigin:
    normalized = normalize_origin(origin)
    with transaction.atomic():
        row, created = AllowedOrigin.objects.get_or_create(client=client, bot_id=bot_id, origin=normalized)
        if created:
            audit_record(action="widget.origin_added", actor=actor, client_slug=client.slug,
                         data={"bot_id": bot_id, "origin": normalized})
    return row


def allowed_origin_remove(*, client: Client, bot_id: int, origin: str, actor: Any = None) -> None:
    with transaction.atomic():
        deleted, _ = AllowedOrigin.objects.filter(client=client, bot_id=bot_id, origin=origin).delete()
        if deleted:
            audit_record(action="widget.origin_removed", actor=actor, client_slug=client.slug,
                         data={"bot_id": bot_id, "origin": origin})


def current_period() -> str:
    return timezone.now().strftime("%Y-%m")


def usage_record_reply(*, client_id: int, input_tokens: int = 0, output_tokens: int = 0) -> None:
    """One bot reply counted against this month's quota. A single UPSERT, safe under concurrency."""
    period = current_period()
    updated = UsagePeriod.objects.filter(client_id=client_id, period=period).update(
        messages=F("messages") + 1,
        input_tokens=F("input_tokens") + input_tokens,
        output_tokens=F("output_tokens") + output_tokens,
    )
    if not updated:

        try:
            with transaction.atomic():
                UsagePeriod.objects.create(client_id=client_id, period=period, messages=1,
                                           input_tokens=input_tokens, output_tokens=output_tokens)
        except IntegrityError:
            usage_record_reply(client_id=client_id, input_tokens=input_tokens, output_tokens=output_tokens)
