"""Price ranges for the auto-service quote builder (IND-6). Pure functions over a loaded pack."""

from __future__ import annotations

from industry_modes.industry_sections import AutoServiceSection, PriceRange
from industry_modes.schema import IndustryPack


def quote_range(
    pack: IndustryPack,
    repair_key: str,
    vehicle_year: int | None = None,
    vehicle_make: str | None = None,
    vehicle_class: str | None = None,
) -> tuple[int, int] | None:
    """(low, high) in whole USD for a repair, or None when the pack cannot quote it.

    The range comes from the vehicle class given, else the class the pack maps the make to,
    else the repair's base range. A class without its own price falls back to the base range
    too, because quoting something is better than nothing when a shop has not priced every class.
    Vehicles built before the pack's ``older_vehicle_rule.built_before`` get a higher top end.
    """
    section = pack.industry
    if not isinstance(section, AutoServiceSection):
        return None
    builder = section.quote_builder
    price = builder.price_table.get(repair_key)
    if price is None:
        return None
    resolved_class = vehicle_class
    if resolved_class is None and vehicle_make is not None:
        resolved_class = builder.vehicle_class_by_make.get(vehicle_make.strip().lower())
    chosen: PriceRange = next(
        (class_price for name, class_price in price.by_vehicle_class.items() if name == resolved_class), price
    )
    low, high = chosen.low, chosen.high
    rule = builder.older_vehicle_rule
    if rule is not None and vehicle_year is not None and vehicle_year < rule.built_before:
        high = high + (high * rule.high_increase_percent + 99) // 100  # round the increase up
    return low, high


def repair_for_issue(pack: IndustryPack, issue_description: str) -> str | None:
    """The repair key whose keywords best match the visitor's words, or None.

    A plain keyword count: good enough to pre-fill the quote builder, and the bot still
    confirms the repair with the visitor before giving a price.
    """
    section = pack.industry
    if not isinstance(section, AutoServiceSection):
        return None
    words = issue_description.lower()
    best_key, best_hits = None, 0
    for repair in section.common_repairs:
        hits = sum(1 for keyword in repair.keywords if keyword.lower() in words)
        if hits > best_hits:
            best_key, best_hits = repair.key, hits
    return best_key
