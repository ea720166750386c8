"""Names that industry packs may use because code exists behind them.

A pack is data written by people. Every name in it that the bot engine acts on (a lead type,
a trigger action, a lead field, a placeholder) must be one of the names below, so a typo in a
YAML file fails at load time instead of silently doing nothing in a visitor's chat.

Each vocabulary exists twice on purpose: as a ``Literal`` type, so consumers get exhaustive
``match`` checks from mypy, and as a ``NameRegistry`` with a description per name, which the
schema validates against and the admin UI can show (BOT-3). ``NameRegistry`` refuses to build
when the two drift apart, so the module fails at import rather than in production.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

SCHEMA_VERSION: Final = 1


@dataclass(frozen=True)
class NameRegistry:
    """A closed set of names with a human description each."""

    kind: str  # the noun used in error messages: "unknown {kind} 'x'"
    literal: object  # the Literal type that must list exactly the same names
    descriptions: Mapping[str, str]

    def __post_init__(self) -> None:
        literal_names = set(get_args(self.literal))
        if literal_names != set(self.descriptions):
            drift = sorted(literal_names.symmetric_difference(self.descriptions))
            raise RuntimeError(f"{self.kind} registry and its Literal type disagree on: {drift}")

    def __contains__(self, name: object) -> bool:
        return name in self.descriptions

    def __iter__(self) -> Iterator[str]:
        return iter(self.descriptions)

    def names(self) -> tuple[str, ...]:
        return tuple(self.descriptions)


IndustryModeKey = Literal["sober_living", "restaurant", "barbershop", "gym", "realtor", "auto_service"]
INDUSTRY_MODES: Final = NameRegistry(
    "industry mode",
    IndustryModeKey,
    {
        "sober_living": "IND-1 sober-living homes: crisis scripts, safe wording, admissions",
        "restaurant": "IND-2 restaurants: menus, ordering, delivery links",
        "barbershop": "IND-3 barbershops: styles, prices, booking",
        "gym": "IND-4 gyms: class schedules, memberships",
        "realtor": "IND-5 realtors: listing summaries, showings",
        "auto_service": "IND-6 auto shops: common repairs, quote builder",
    },
)

# Shared vocabulary from PRODUCT.md: classifiers, exports and dashboards use these exact labels.
LeadType = Literal[
    "service_request", "appointment", "pricing", "hours_location", "complaint", "general_question", "other"
]
LEAD_TYPES: Final = NameRegistry(
    "lead type",
    LeadType,
    {
        "service_request": "visitor wants a service performed",
        "appointment": "visitor wants to book or change a time",
        "pricing": "visitor asks what something costs",
        "hours_location": "visitor asks when or where",
        "complaint": "visitor is unhappy about something that happened",
        "general_question": "any other question the business can answer",
        "other": "does not fit any label above",
    },
)

LeadScore = Literal["hot", "warm", "cold"]
LEAD_SCORES: Final = NameRegistry(
    "lead score",
    LeadScore,
    {"hot": "ready to buy or book now", "warm": "interested, not yet ready", "cold": "browsing"},
)

TriggerAction = Literal[
    "show_booking_link",
    "ask_contact",
    "offer_handoff",
    "show_menu_link",
    "show_ordering_link",
    "show_delivery_links",
    "show_price_list",
    "show_class_schedule",
    "show_memberships",
    "show_listings_link",
    "request_showing",
    "start_admissions",
    "start_quote_builder",
    "crisis_script",
]
TRIGGER_ACTIONS: Final = NameRegistry(
    "trigger action",
    TriggerAction,
    {
        "show_booking_link": "send the client's booking link as a button",
        "ask_contact": "ask for the lead fields the pack captures",
        "offer_handoff": "offer a human follow-up (BEY-1) and flag the conversation",
        "show_menu_link": "send the menu link or list menu sections",
        "show_ordering_link": "send the online ordering link",
        "show_delivery_links": "list the delivery platforms with their links",
        "show_price_list": "list services with prices and durations",
        "show_class_schedule": "show this week's class schedule",
        "show_memberships": "compare membership plans",
        "show_listings_link": "send the current listings page",
        "request_showing": "run the showing request flow",
        "start_admissions": "walk through the admissions questions",
        "start_quote_builder": "ask the quote questions and give a price range",
        "crisis_script": "stop selling, show the crisis script and resources, alert the owner",
    },
)

# Actions whose data only one industry section provides. Any other action works for every pack.
TRIGGER_ACTION_INDUSTRIES: Final[Mapping[str, frozenset[str]]] = {
    "show_menu_link": frozenset({"restaurant"}),
    "show_ordering_link": frozenset({"restaurant"}),
    "show_delivery_links": frozenset({"restaurant"}),
    "show_price_list": frozenset({"barbershop", "auto_service"}),
    "show_class_schedule": frozenset({"gym"}),
    "show_memberships": frozenset({"gym"}),
    "show_listings_link": frozenset({"realtor"}),
    "request_showing": frozenset({"realtor"}),
    "start_admissions": frozenset({"sober_living"}),
    "start_quote_builder": frozenset({"auto_service"}),
}

LeadField = Literal[
    "name",
    "phone",
    "email",
    "preferred_time",
    "party_size",
    "move_in_date",
    "insurance_provider",
    "vehicle_make",
    "vehicle_model",
    "vehicle_year",
    "issue_description",
    "budget",
    "membership_interest",
    "service_interest",
    "property_address",
    "financing_status",
]
LEAD_FIELDS: Final = NameRegistry(
    "lead field",
    LeadField,
    {
        "name": "visitor's name",
        "phone": "phone number, stored E.164 when parseable",
        "email": "email address",
        "preferred_time": "when the visitor would like to come in or be called",
        "party_size": "number of guests",
        "move_in_date": "when a resident hopes to move in",
        "insurance_provider": "insurance carrier, if the visitor offers it",
        "vehicle_make": "vehicle make, e.g. Toyota",
        "vehicle_model": "vehicle model, e.g. Camry",
        "vehicle_year": "vehicle model year",
        "issue_description": "what is wrong, in the visitor's words",
        "budget": "price range the visitor mentions",
        "membership_interest": "which membership or class the visitor asked about",
        "service_interest": "which service or style the visitor wants",
        "property_address": "address of a listing or of the visitor's home",
        "financing_status": "cash, pre-approved, or not yet",
    },
)

# A lead nobody can call or email back is not a lead.
CONTACT_LEAD_FIELDS: Final = frozenset({"phone", "email"})

CrisisSensitivity = Literal["low", "medium", "high"]
CRISIS_SENSITIVITIES: Final = NameRegistry(
    "crisis sensitivity",
    CrisisSensitivity,
    {
        "low": "only explicit statements of danger",
        "medium": "explicit statements and strong indirect signals",
        "high": "any signal; expect more false alarms",
    },
)

VehicleClass = Literal["compact", "midsize", "truck_suv", "luxury_european"]
VEHICLE_CLASSES: Final = NameRegistry(
    "vehicle class",
    VehicleClass,
    {
        "compact": "small cars, cheapest parts",
        "midsize": "mainstream sedans and crossovers",
        "truck_suv": "pickups and body-on-frame SUVs",
        "luxury_european": "luxury and European makes, dearer parts and labor",
    },
)

# Placeholders a pack may write as {name}; the client's business details fill them in
# (see industry_modes.render). Anything else in braces is a typo.
Placeholder = Literal[
    "business_name",
    "business_phone",
    "business_email",
    "business_address",
    "website_url",
    "booking_url",
    "menu_url",
    "ordering_url",
    "doordash_url",
    "ubereats_url",
    "grubhub_url",
    "listings_url",
    "agent_name",
]
PLACEHOLDERS: Final = NameRegistry(
    "placeholder",
    Placeholder,
    {
        "business_name": "the client's business name",
        "business_phone": "main phone number, as shown to visitors",
        "business_email": "public contact email",
        "business_address": "street address",
        "website_url": "the client's website",
        "booking_url": "online booking page",
        "menu_url": "online menu",
        "ordering_url": "online ordering page",
        "doordash_url": "the restaurant's DoorDash store page",
        "ubereats_url": "the restaurant's Uber Eats store page",
        "grubhub_url": "the restaurant's Grubhub store page",
        "listings_url": "the realtor's current listings page",
        "agent_name": "the realtor's name",
    },
)
URL_PLACEHOLDERS: Final = frozenset(name for name in PLACEHOLDERS if name.endswith("_url"))
