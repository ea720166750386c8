"""Issue 17: per-process caches of the widget's hot path, and changes that still take effect at once.

Each web process keeps token → client, the allowlist, the public host and the bot with its published
configuration in memory, stamped with a config version kept in Valkey. The only signal a process gets
of a change made elsewhere is that version: these tests prove a revocation, a rotation, a removed
origin and a paused bot are refused on the very next request, and that it is the version (not some
local clearing) that does it — a change that bypasses the bump stays invisible until a bump.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.integration.widget.support import ALPHA_SITE, WidgetSetup

pytestmark = pytest.mark.django_db


def _reads_token(setup: WidgetSetup) -> bool:
    with CaptureQueriesContext(connection) as ctx:
        assert setup.get("/config").status_code == 200
    return any("widgets_widgettoken" in q["sql"] for q in ctx.captured_queries)


def test_a_warm_process_does_not_read_the_token_again(alpha: WidgetSetup) -> None:
    assert _reads_token(alpha) is True
    assert _reads_token(alpha) is False


def test_revocation_takes_effect_on_the_next_request(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import widget_token_revoke

    _reads_token(alpha)
    assert _reads_token(alpha) is False  # served from the cache
    widget_token_revoke(token=alpha.token_row)
    response = alpha.get("/config")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert alpha.send("hello").status_code == 401


def test_rotation_takes_effect_on_the_next_request(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import widget_token_rotate

    _reads_token(alpha)
    issued = widget_token_rotate(token=alpha.token_row)
    assert alpha.get("/config").status_code == 401
    assert alpha.get("/config", token=issued.raw).status_code == 200


def test_a_removed_origin_is_refused_on_the_next_request(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import allowed_origin_remove

    _reads_token(alpha)
    allowed_origin_remove(client=alpha.client, bot_id=alpha.bot_id, origin=ALPHA_SITE)
    response = alpha.get("/config")
    assert response.status_code == 403
    assert response.json()["error"] == "origin_not_allowed"


def test_a_paused_bot_is_seen_on_the_next_request(alpha: WidgetSetup) -> None:
    from tenants.bots.models import Bot, BotStatus
    from tenants.bots.services import bot_set_status

    assert alpha.get("/config").json()["status"] == "active"
    with alpha.schema():
        bot_set_status(bot=Bot.objects.get(pk=alpha.bot_id), status=BotStatus.PAUSED, reason="test")
    assert alpha.get("/config").json()["status"] == "paused"


def test_the_version_in_valkey_is_what_invalidates_other_processes(alpha: WidgetSetup) -> None:
    """What another web process sees: a row changed without the bump (a raw UPDATE sends no signal)
    is not noticed by a warm process; the bump alone — a write to Valkey, no call into this
    process — makes it reload and refuse the token."""
    from django.utils import timezone

    from controlplane.core.config_versions import PUBLIC, version_bump
    from controlplane.widgets.models import WidgetToken

    _reads_token(alpha)
    WidgetToken.objects.filter(pk=alpha.token_row.pk).update(revoked_at=timezone.now())
    assert alpha.get("/config").status_code == 200  # still cached: nothing told this process
    version_bump(PUBLIC)
    assert alpha.get("/config").status_code == 401


def test_without_valkey_every_request_reads_the_database(alpha: WidgetSetup, settings: object) -> None:
    from django.utils import timezone

    from controlplane.core import config_versions
    from controlplane.widgets.models import WidgetToken

    _reads_token(alpha)
    settings.WIDGET_RATELIMIT_REDIS_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]
    config_versions._down_until = 0.0
    try:
        WidgetToken.objects.filter(pk=alpha.token_row.pk).update(revoked_at=timezone.now())
        assert alpha.get("/config").status_code == 401  # no version to trust: not served from memory
    finally:
        config_versions._down_until = 0.0
