"""Industry modes (IND-1..6): declarative packs the admin applies to a client's bot.

Data plus a schema: this package imports no Django and none of the project's apps, so the
agent engine, the admin UI and tests can all read packs the same way.
"""

from industry_modes.industry_sections import (
    AutoServiceSection,
    BarbershopSection,
    GymSection,
    IndustrySection,
    RealtorSection,
    RestaurantSection,
    SoberLivingSection,
)
from industry_modes.loader import PackError, PackProblem, available_modes, load_all, load_pack, load_pack_file
from industry_modes.quote_builder import quote_range, repair_for_issue
from industry_modes.registry import SCHEMA_VERSION
from industry_modes.render import PackRenderError, listing_summary_render, pack_placeholders, pack_render
from industry_modes.schema import IndustryPack

__all__ = [
    "SCHEMA_VERSION",
    "AutoServiceSection",
    "BarbershopSection",
    "GymSection",
    "IndustryPack",
    "IndustrySection",
    "PackError",
    "PackProblem",
    "PackRenderError",
    "RealtorSection",
    "RestaurantSection",
    "SoberLivingSection",
    "available_modes",
    "listing_summary_render",
    "load_all",
    "load_pack",
    "load_pack_file",
    "pack_placeholders",
    "pack_render",
    "quote_range",
    "repair_for_issue",
]
