"""Demo-only setup of a client's bot: widget token, allowed demo origins, starter knowledge."""

from __future__ import annotations

from django_tenants.utils import schema_context

from controlplane.clients.models import Client, Domain
from controlplane.widgets.services import allowed_origin_add, widget_token_issue, widget_token_resolve
from tenants.bots.selectors import bot_primary
from tenants.demo.clients import DEMO_SITE_ORIGINS
from tenants.knowledge.services import knowledge_seed_from_pack


def demo_widget_setup(*, client: Client, details: dict[str, str], existing: str | None) -> str:
    """Returns the bot's raw widget token (kept in the local demo credentials file)."""
    with schema_context(client.schema_name):
        bot = bot_primary()
        assert bot is not None
        knowledge_seed_from_pack(bot_id=bot.pk, pack_key=client.industry_mode,
                                 details={"business_name": client.name, **details})
    for origin in DEMO_SITE_ORIGINS:
        allowed_origin_add(client=client, bot_id=bot.pk, origin=origin)
    if existing and widget_token_resolve(existing) is not None:
        return existing
    return widget_token_issue(client=client, bot_id=bot.pk).raw


DEMO_SITE_HOST = "demo-site.localhost"


def demo_site_domain_ensure() -> str:
    """The pretend client website of `make demo` (widget.frame_views.widget_demo) is served by the public
    URL conf on its own host, an allow-listed origin; django-tenants needs that host as a public Domain."""
    public = Client.objects.get(schema_name="public")
    Domain.objects.get_or_create(domain=DEMO_SITE_HOST, defaults={"tenant": public, "is_primary": False})
    return DEMO_SITE_HOST
