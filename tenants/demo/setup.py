"""Demo-only setup of a client's bot: widget token, allowed demo origins, starter knowledge."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import schema_context

from controlplane.accounts.models import User
from controlplane.clients.models import Client, Domain
from controlplane.widgets.services import allowed_origin_add, widget_token_issue, widget_token_resolve
from industry_modes import load_pack
from tenants.bots.config import BotConfig, FactNoteConfig, pack_services, parse_hours_detail
from tenants.bots.models import Bot
from tenants.bots.selectors import bot_primary, bot_published_config
from tenants.bots.services import (
    bot_config_approve,
    bot_config_draft_create,
    bot_config_submit,
    bot_set_status,
)
from tenants.demo.clients import DEMO_NOTES, DEMO_STAFF_EMAIL, demo_site_origins
from tenants.knowledge.drafts import article_save_by, knowledge_pending
from tenants.knowledge.models import Faq
from tenants.knowledge.services import faq_save_by, knowledge_seed_from_pack


def demo_facts_ensure(*, bot: Bot, details: dict[str, str], notes: list[tuple[str, tuple[str, ...], str]]) -> bool:
    """BOT-1: the demo bot's business facts (hours, address, email, notes), published by the system when
    the published version lacks them (clients seeded before facts existed). True when a version was made."""
    config = bot_published_config(bot)
    business = config.business
    wanted = business.model_copy(update={
        "hours": business.hours or parse_hours_detail(details.get("business_hours", "")),
        "address": business.address or details.get("business_address", ""),
        "email": business.email or details.get("business_email", ""),
        "phone": business.phone or details.get("business_phone", ""),
        # Demo notes added since the client was seeded join the ones it has (matched by topic).
        "notes": (*business.notes, *(FactNoteConfig(topic=t, keywords=k, text=x) for t, k, x in notes
                                     if t not in {n.topic for n in business.notes})),
        "services": business.services or pack_services(load_pack(config.industry_mode)),
    })
    if wanted == business:
        return False
    status = bot.status
    updated = BotConfig.model_validate(config.model_copy(update={"business": wanted}).model_dump(mode="json"))
    version = bot_config_draft_create(bot=bot, config=updated, note="Demo business facts")
    bot_config_submit(version=version, run_regression=False)
    bot_config_approve(version=version, system=True, comment="Demo business facts")
    bot.refresh_from_db()
    # Facts are read from the approved version itself; no knowledge rebuild is waiting on them.
    bot_set_status(bot=bot, status=status, reason="Demo business facts published")
    return True


def demo_widget_setup(*, client: Client, details: dict[str, str], existing: str | None) -> str:
    """Returns the bot's raw widget token (kept in the local demo credentials file)."""
    with schema_context(client.schema_name):
        bot = bot_primary()
        assert bot is not None
        demo_facts_ensure(bot=bot, details=details, notes=DEMO_NOTES.get(client.slug, []))
        knowledge_seed_from_pack(bot_id=bot.pk, pack_key=client.industry_mode,
                                 details={"business_name": client.name, **details})
        demo_pending_changes_ensure(bot=bot)
    for origin in demo_site_origins(settings.SHORELINE_PUBLIC_PORT):
        allowed_origin_add(client=client, bot_id=bot.pk, origin=origin)
    if existing and widget_token_resolve(existing) is not None:
        return existing
    return widget_token_issue(client=client, bot_id=bot.pk).raw


def demo_pending_changes_ensure(*, bot: Bot) -> int:
    """BOT-4 in the demo: the staff member's edit of a live FAQ and a new article wait for the admin,
    so the approval page (diff, chunk impact) has something to show. Made once; returns how many wait."""
    staff = User.objects.filter(email=DEMO_STAFF_EMAIL).first()
    pending = knowledge_pending(bot_id=bot.pk)
    if staff is None or pending.count:
        return pending.count
    live = Faq.objects.filter(bot_id=bot.pk, approved=True).order_by("id").first()
    if live is not None:
        faq_save_by(actor=staff, bot_id=bot.pk, question=live.question,
                    answer=live.answer + " (Updated for this season: ask us about weekday specials.)", faq=live)
    article_save_by(actor=staff, bot_id=bot.pk, title="Accessibility",
                    body="Step-free entrance at the front door.\n\nAn accessible restroom is on the ground floor. "
                         "Service animals are always welcome.")
    return knowledge_pending(bot_id=bot.pk).count


DEMO_SITE_HOST = "demo-site.localhost"


def demo_site_domain_ensure() -> str:
    """The pretend client website of `make demo` (widget.frame_views.widget_demo) is served by the public
    URL conf on its own host, an allow-listed origin; django-tenants needs that host as a public Domain."""
    public = Client.objects.get(schema_name="public")
    Domain.objects.get_or_create(domain=DEMO_SITE_HOST, defaults={"tenant": public, "is_primary": False})
    return DEMO_SITE_HOST


DEMO_AGENCY = {"name": "Harborlight Digital", "accent_color": "#2563eb", "support_email": "help@harborlight.example",
               "website": "harborlight.example"}
# `make demo`: Harbor Grill's dashboard on its own host, with its own logo and colour.
DEMO_CUSTOM_DOMAIN = ("harbor-grill", "dashboard.harborgrill.localhost", "#b45309")


def _demo_logo(initials: str, rgb: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 116, 116), radius=24, fill=rgb)
    draw.text((38, 48), initials, fill=(255, 255, 255))
    draw.rectangle((136, 44, 340, 60), fill=rgb)
    draw.rectangle((136, 70, 280, 80), fill=(148, 163, 184))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_branding_ensure() -> str:
    """The demo agency's white label, Harbor Grill's logo and colour, and its custom domain. Returns the host."""
    from controlplane.clients.branding import agency_brand_update, client_branding_update
    from controlplane.clients.domains import custom_domain_activate_local, custom_domain_add
    from controlplane.clients.models import AgencyBrand, CustomDomain

    if not AgencyBrand.objects.exists():
        agency_brand_update(actor=None, **DEMO_AGENCY)
    slug, host, color = DEMO_CUSTOM_DOMAIN
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        return ""
    if not client.logo_name:
        client_branding_update(client=client, actor=None, logo=_demo_logo("HG", (180, 83, 9)), accent_color=color)
    custom = CustomDomain.objects.filter(hostname=host).first() or custom_domain_add(
        client=client, hostname=host, actor=None)
    custom_domain_activate_local(custom=custom)
    return host
