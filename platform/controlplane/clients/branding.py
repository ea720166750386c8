"""White label (UX-2 and the agency's own brand): the agency's name, logo, colour, support email and
domain; each client's logo and brand colour. Services write (audited), selectors read (cached).

Logos are validated like the widget avatar (widget/avatar.py): only raster images Pillow decodes, never
SVG; the stored file is a fresh PNG we encode ourselves, named by its content hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from controlplane.audit.services import audit_record
from controlplane.clients.models import AgencyBrand, Client
from controlplane.core.images import image_upload_png

LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT = 640, 200
LOGO_NAME = re.compile(r"^[0-9a-f]{20}\.png$")
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#0ea5b7"


class LogoRejected(ValueError):
    """The upload is not an image we accept; the message is shown to the admin."""


def _logo_fit(image: Image.Image) -> Image.Image:
    image.thumbnail((LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT), Image.Resampling.LANCZOS)  # never enlarged
    return image


def logo_image_prepare(data: bytes) -> bytes:
    """The upload as a PNG that fits in 640×200 (aspect kept, never enlarged), or LogoRejected."""
    return image_upload_png(data, rejected=LogoRejected, resize=_logo_fit)


def logo_path(name: str) -> str:
    return f"branding/logos/{name}"


def _logo_store(upload: bytes) -> str:
    png = logo_image_prepare(upload)
    name = hashlib.sha256(png).hexdigest()[:20] + ".png"
    if not default_storage.exists(logo_path(name)):
        default_storage.save(logo_path(name), ContentFile(png))
    return name


def logo_open(name: str) -> Any | None:
    """The stored logo file (binary), or None for a name that is not a stored logo."""
    if not LOGO_NAME.match(name) or not default_storage.exists(logo_path(name)):
        return None
    return default_storage.open(logo_path(name), "rb")


def logo_bytes(name: str) -> bytes | None:
    handle = logo_open(name) if name else None
    if handle is None:
        return None
    with handle:
        data: bytes = handle.read()
    return data


# --- The agency -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Brand:
    """What a shell, the widget or a PDF needs of the agency's brand."""

    name: str
    accent_color: str
    support_email: str
    website: str
    logo_name: str
    show_powered_by: bool

    @property
    def powered_by(self) -> str:
        """The "Powered by" name, or "" when the agency hides it."""
        return self.name if self.show_powered_by else ""


def _brand_of(row: AgencyBrand) -> Brand:
    return Brand(name=row.name, accent_color=row.accent_color if HEX_COLOR.match(row.accent_color) else DEFAULT_ACCENT,
                 support_email=row.support_email, website=row.website, logo_name=row.logo_name,
                 show_powered_by=row.show_powered_by)


def agency_brand() -> Brand:
    """The agency's brand: one primary-key-ordered read of a one-row table per page.

    Not in the cache on purpose: the cache keys are per schema (django-tenants' key function), so a
    change made on the portal could not clear what every client host had cached.
    """
    return _brand_of(AgencyBrand.objects.order_by("id").first() or AgencyBrand())


BRAND_FIELDS = ("name", "accent_color", "support_email", "website", "show_powered_by")


def agency_brand_update(*, actor: Any, request: Any = None, logo: bytes | None = None, **fields: Any) -> Brand:
    """Change the agency's brand (platform admin). Audited with what changed."""
    unknown = set(fields) - set(BRAND_FIELDS)
    if unknown:
        raise ValueError(f"unknown brand fields: {sorted(unknown)}")
    if "accent_color" in fields and not HEX_COLOR.match(fields["accent_color"]):
        raise ValueError("accent_color must be #rrggbb")
    with transaction.atomic():
        row = AgencyBrand.objects.select_for_update().order_by("id").first() or AgencyBrand()
        changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
        for key, value in changed.items():
            setattr(row, key, value)
        if logo is not None:
            row.logo_name = _logo_store(logo)
            changed["logo_name"] = row.logo_name
        row.save()
        audit_record(action="branding.agency_updated", actor=actor, request=request, target_type="clients.AgencyBrand",
                     target_id=row.pk, data={"changed": sorted(changed)})
    return _brand_of(row)


# --- A client ----------------------------------------------------------------------------------

def client_branding_update(*, client: Client, actor: Any, request: Any = None, logo: bytes | None = None,
                           accent_color: str | None = None, remove_logo: bool = False) -> Client:
    """UX-2: a client's logo and brand colour (dashboard top bar, login, PDF reports). Audited."""
    changed: list[str] = []
    if accent_color is not None and accent_color != client.accent_color:
        if not HEX_COLOR.match(accent_color):
            raise ValueError("accent_color must be #rrggbb")
        client.accent_color = accent_color
        changed.append("accent_color")
    if logo is not None:
        client.logo_name = _logo_store(logo)
        changed.append("logo")
    elif remove_logo and client.logo_name:
        client.logo_name = ""
        changed.append("logo_removed")
    if changed:
        with transaction.atomic():
            Client.objects.filter(pk=client.pk).update(accent_color=client.accent_color, logo_name=client.logo_name)
            audit_record(action="branding.client_updated", actor=actor, request=request, client_slug=client.slug,
                         target_type="clients.Client", target_id=client.pk, data={"changed": changed})
    return client


def logo_url(name: str) -> str:
    """Where a browser fetches a stored logo, on whichever host it is on (a relative URL)."""
    from django.urls import reverse

    return reverse("brand_logo", kwargs={"name": name}) if name else ""
