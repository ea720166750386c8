"""Fill a pack's {placeholders} with one client's business details, and render listing summaries.

Packs are written once per industry, so text like "Call {business_name} at {business_phone}"
stays generic until the admin applies the pack to a client. Rendering re-validates the result,
so a rendered pack obeys the same schema (links must then be real https URLs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from industry_modes.industry_sections import RealtorSection
from industry_modes.schema import OWN_TEMPLATE_PATHS, IndustryPack, iter_pack_text
from industry_modes.schema_types import KNOWN_PLACEHOLDERS, PLACEHOLDER_IN_TEXT

_KNOWN_PLACEHOLDER: Final = re.compile(r"\{(" + "|".join(sorted(KNOWN_PLACEHOLDERS)) + r")\}")


class PackRenderError(ValueError):
    """Business details missing for placeholders the pack uses, or listing fields missing."""


def pack_placeholders(pack: IndustryPack) -> frozenset[str]:
    """Placeholder names the pack uses: the business details ``pack_render`` will need."""
    used: set[str] = set()
    for path, text in iter_pack_text(pack):
        if not _is_own_template(path):
            used.update(PLACEHOLDER_IN_TEXT.findall(text))
    return frozenset(used)


def pack_render(pack: IndustryPack, details: Mapping[str, str]) -> IndustryPack:
    """A copy of ``pack`` with every placeholder replaced by the client's detail."""
    missing = sorted(pack_placeholders(pack) - set(details))
    if missing:
        raise PackRenderError(f"{pack.key} pack needs business details for: {', '.join(missing)}")
    rendered = _substitute(pack.model_dump(), details, path="")
    return IndustryPack.model_validate(rendered)


def _substitute(value: object, details: Mapping[str, str], path: str) -> object:
    if isinstance(value, str):
        if _is_own_template(path):
            return value
        return _KNOWN_PLACEHOLDER.sub(lambda match: details[match.group(1)], value)
    if isinstance(value, dict):
        return {
            key: _substitute(item, details, f"{path}.{key}" if path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, tuple | list):
        return [_substitute(item, details, f"{path}.{index}") for index, item in enumerate(value)]
    return value


def _is_own_template(path: str) -> bool:
    return any(path.startswith(own) for own in OWN_TEMPLATE_PATHS)


def listing_summary_render(pack: IndustryPack, listing: Mapping[str, object]) -> str:
    """The realtor pack's listing summary for one listing (IND-5).

    A line is kept when all its fields have values; a line missing an optional field is left
    out (no "None sq ft"); a missing required field is an error, since the summary would mislead.
    """
    section = pack.industry
    if not isinstance(section, RealtorSection):
        raise PackRenderError(f"{pack.key} pack has no listing summary")
    template = section.listing_summary
    absent = {key for key, value in listing.items() if value is None or value == ""}
    present = set(listing) - absent
    missing_required = sorted(f.key for f in template.fields if f.required and f.key not in present)
    if missing_required:
        raise PackRenderError(f"listing is missing required fields: {', '.join(missing_required)}")
    lines = []
    for line in template.lines:
        names = PLACEHOLDER_IN_TEXT.findall(line)
        if all(name in present for name in names):
            lines.append(PLACEHOLDER_IN_TEXT.sub(lambda match: str(listing[match.group(1)]), line))
    return "\n".join(lines)
