"""Every shipped industry pack loads and carries the content its feature (IND-1..6) promises."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from typing import Literal

import pytest

from industry_modes import (
    AutoServiceSection,
    BarbershopSection,
    GymSection,
    IndustryPack,
    PackError,
    PackRenderError,
    RealtorSection,
    RestaurantSection,
    SoberLivingSection,
    available_modes,
    listing_summary_render,
    load_all,
    load_pack,
    pack_placeholders,
    pack_render,
    quote_range,
    repair_for_issue,
)
from industry_modes.loader import PACKS_DIR
from industry_modes.registry import PLACEHOLDERS, NameRegistry

ALL_DETAILS = {
    name: (f"https://example.com/{name}" if name.endswith("_url") else f"<{name}>") for name in PLACEHOLDERS
}


def test_available_modes_are_the_six_industry_keys_and_each_has_a_file() -> None:
    assert available_modes() == ("sober_living", "restaurant", "barbershop", "gym", "realtor", "auto_service")
    assert sorted(path.stem for path in PACKS_DIR.glob("*.yaml")) == sorted(available_modes())


@pytest.mark.parametrize("key", available_modes())
def test_pack_loads_with_the_common_content_every_bot_needs(key: str) -> None:
    pack = load_pack(key)

    assert pack.key == key
    assert pack.version == 1
    assert pack.industry.kind == key
    assert len(pack.faqs) >= 8
    assert len(pack.intents) >= 5
    assert len(pack.quick_replies) >= 4
    assert pack.dragon_mode.enabled is False
    contacts = " ".join(resource.contact for resource in pack.crisis.resources)
    assert "988" in contacts
    assert "911" in contacts
    if key == "sober_living":
        assert (pack.crisis.enabled, pack.crisis.sensitivity) == (True, "medium")
    else:
        assert (pack.crisis.enabled, pack.crisis.sensitivity) == (False, "low")


@pytest.mark.parametrize("key", available_modes())
def test_pack_renders_with_a_clients_business_details(key: str) -> None:
    rendered = pack_render(load_pack(key), ALL_DETAILS)

    assert pack_placeholders(rendered) == frozenset()
    assert "<business_name>" in rendered.persona.greeting or "<agent_name>" in rendered.persona.greeting


def test_render_names_the_missing_business_details() -> None:
    with pytest.raises(PackRenderError) as raised:
        pack_render(load_pack("barbershop"), {"business_name": "Fade Factory"})

    assert str(raised.value) == "barbershop pack needs business details for: booking_url, business_phone"


def test_load_all_returns_every_pack_from_one_cache() -> None:
    first, second = load_all(), load_all()

    assert list(first) == list(available_modes())
    assert first is not second  # callers may edit their dict without touching the cache
    assert all(first[key] is second[key] is load_pack(key) for key in first)


def test_load_pack_rejects_an_unknown_mode() -> None:
    with pytest.raises(PackError) as raised:
        load_pack("florist")

    assert str(raised.value) == (
        "florist.yaml: unknown industry mode 'florist' "
        "(known: sober_living, restaurant, barbershop, gym, realtor, auto_service)"
    )


def test_pack_schema_exports_as_json_schema_for_the_admin_ui() -> None:
    schema = IndustryPack.model_json_schema()

    assert schema["additionalProperties"] is False
    assert "industry" in schema["required"]


# --- industry-specific content ------------------------------------------------------------


def test_sober_living_lists_real_crisis_resources_and_safe_wording() -> None:
    pack = load_pack("sober_living")
    section = pack.industry
    assert isinstance(section, SoberLivingSection)

    resources = {resource.name: resource.contact for resource in pack.crisis.resources}
    assert resources["988 Suicide & Crisis Lifeline"] == "Call or text 988, or chat at 988lifeline.org"
    assert resources["SAMHSA National Helpline"] == "1-800-662-4357 (1-800-662-HELP)"
    assert resources["Crisis Text Line"] == "Text HOME to 741741"
    assert resources["Emergency services"] == "Call 911"
    assert {rule.avoid: rule.prefer for rule in pack.persona.safe_wording}["addict"] == "person in recovery"
    assert [script.situation for script in section.crisis_scripts] == [
        "suicidal_thoughts",
        "overdose_emergency",
        "return_to_use",
    ]
    assert len(section.admissions_questions) == 7
    assert {t.action for t in pack.triggers} >= {"crisis_script", "start_admissions"}


def test_restaurant_has_priced_menu_and_delivery_platforms() -> None:
    section = load_pack("restaurant").industry
    assert isinstance(section, RestaurantSection)

    assert [menu.name for menu in section.menu_sections] == ["Starters", "Mains", "Desserts", "Kids"]
    burger = section.menu_sections[1].items[0]
    assert (burger.name, burger.price) == ("House Burger", Decimal("16.5"))
    assert [link.platform for link in section.delivery_links] == ["DoorDash", "Uber Eats", "Grubhub"]
    assert section.ordering_link == "{ordering_url}"


def test_barbershop_styles_have_prices_and_durations() -> None:
    section = load_pack("barbershop").industry
    assert isinstance(section, BarbershopSection)

    styles = {style.key: (style.price, style.duration_minutes) for style in section.styles}
    assert styles["skin_fade"] == (Decimal(35), 45)
    assert styles["kids_cut"] == (Decimal(22), 30)
    assert section.booking_link == "{booking_url}"


def test_gym_has_class_schedule_and_memberships() -> None:
    section = load_pack("gym").industry
    assert isinstance(section, GymSection)

    first = section.class_schedule[0]
    assert (first.weekday, first.time, first.class_name, first.coach) == (
        "monday",
        "06:00",
        "HIIT Bootcamp",
        "Alex",
    )
    plans = {plan.key: plan.monthly_price for plan in section.memberships}
    assert plans == {
        "basic": Decimal("29.99"),
        "unlimited": Decimal("59.99"),
        "founding_12": Decimal("49.99"),
    }


def test_realtor_summarises_a_listing_and_skips_lines_with_missing_optional_fields() -> None:
    pack = load_pack("realtor")
    section = pack.industry
    assert isinstance(section, RealtorSection)

    summary = listing_summary_render(
        pack,
        {"address": "42 Maple St", "price": "$425,000", "beds": 3, "baths": 2, "sqft": "1,650", "hoa": None},
    )

    assert summary == "42 Maple St, listed at $425,000\n3 bed, 2 bath, 1,650 sq ft"
    assert [step.lead_field for step in section.showing_request.steps] == [
        "property_address",
        "preferred_time",
        "name",
        "phone",
        "financing_status",
    ]


def test_realtor_summary_refuses_a_listing_without_its_price() -> None:
    with pytest.raises(PackRenderError) as raised:
        listing_summary_render(load_pack("realtor"), {"address": "42 Maple St"})

    assert str(raised.value) == "listing is missing required fields: price"


def test_auto_service_quote_builder_asks_in_order_and_prices_known_repairs() -> None:
    pack = load_pack("auto_service")
    section = pack.industry
    assert isinstance(section, AutoServiceSection)

    asked = [question.lead_field for question in section.quote_builder.questions]
    assert asked[:4] == ["vehicle_make", "vehicle_model", "vehicle_year", "issue_description"]
    assert quote_range(pack, "brake_pads") == (250, 450)
    assert quote_range(pack, "brake_pads", vehicle_class="truck_suv") == (300, 550)
    assert quote_range(pack, "brake_pads", vehicle_make=" BMW ") == (400, 800)
    # 2005 is before the pack's 2010 cut-off: the top end goes up 20%.
    assert quote_range(pack, "brake_pads", vehicle_year=2005) == (250, 540)
    assert quote_range(pack, "brake_pads", vehicle_year=2018) == (250, 450)
    # A class the repair has no price for falls back to the base range.
    assert quote_range(pack, "check_engine_diagnostic", vehicle_class="luxury_european") == (100, 180)
    for repair in section.common_repairs:
        price = quote_range(pack, repair.key)
        assert price is not None, repair.key
        assert price[0] < price[1], repair.key


def test_quote_range_is_none_for_unknown_repairs_and_other_industries() -> None:
    assert quote_range(load_pack("auto_service"), "flux_capacitor") is None
    assert quote_range(load_pack("gym"), "brake_pads") is None


def test_repair_for_issue_matches_the_visitors_words() -> None:
    pack = load_pack("auto_service")

    assert repair_for_issue(pack, "My brakes are grinding when I stop") == "brake_pads"
    assert repair_for_issue(pack, "The A/C is blowing warm air") == "ac_recharge"
    assert repair_for_issue(pack, "I want a new paint job") is None


def test_registry_refuses_to_drift_from_its_literal_type() -> None:
    with pytest.raises(RuntimeError) as raised:
        NameRegistry("colour", Literal["red", "blue"], {"red": "warm"})

    assert str(raised.value) == "colour registry and its Literal type disagree on: ['blue']"


def test_loading_packs_imports_no_django_and_none_of_our_apps() -> None:
    # import-linter checks the static imports; this checks what actually gets loaded.
    probe = (
        "import sys, industry_modes; industry_modes.load_all(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'controlplane', 'tenants', 'widget', 'agents'}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
