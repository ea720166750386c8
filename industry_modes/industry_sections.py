"""The industry-specific section of a pack: one typed model per industry mode.

Each section carries ``kind``, the discriminator. Pack authors do not write it: the pack copies
its own ``key`` into the section before validation, so a restaurant section in a gym pack is
validated as a gym section and fails on every restaurant field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Final, Literal, Self

from pydantic import Field, model_validator

from industry_modes.registry import CONTACT_LEAD_FIELDS
from industry_modes.schema_types import (
    PLACEHOLDER_IN_TEXT,
    ClockTime,
    LeadFieldName,
    Link,
    Minutes,
    Money,
    PackModel,
    Slug,
    Text,
    VehicleClassName,
    WholeDollars,
    pack_problem,
    require_unique,
)

# --- IND-1 sober living -------------------------------------------------------------------


class AdmissionsQuestion(PackModel):
    question: Text
    # The lead field the answer fills in, when it is one we store; many admissions answers
    # (time in recovery, current supports) are for the house manager's call, not the CRM.
    lead_field: LeadFieldName | None = None


class CrisisScript(PackModel):
    situation: Slug
    when: Text  # what the bot is reacting to, for the admin reviewing the pack
    script: Text
    alert_owner: bool = True


class SoberLivingSection(PackModel):
    kind: Literal["sober_living"] = "sober_living"
    admissions_questions: Annotated[tuple[AdmissionsQuestion, ...], Field(min_length=3)]
    crisis_scripts: Annotated[tuple[CrisisScript, ...], Field(min_length=1)]
    house_rules: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        require_unique(
            (s.situation for s in self.crisis_scripts),
            what="crisis situation",
            list_path="crisis_scripts",
            field="situation",
        )
        require_unique(
            (q.question.lower() for q in self.admissions_questions),
            what="admissions question",
            list_path="admissions_questions",
            field="question",
        )
        return self


# --- IND-2 restaurant ---------------------------------------------------------------------

DietaryTag = Literal["vegetarian", "vegan", "gluten_free", "dairy_free", "spicy", "contains_nuts"]


class MenuItem(PackModel):
    name: Text
    description: str = ""
    price: Money
    dietary: tuple[DietaryTag, ...] = ()


class MenuSection(PackModel):
    name: Text
    items: Annotated[tuple[MenuItem, ...], Field(min_length=1)]


class DeliveryLink(PackModel):
    platform: Text
    url: Link


class RestaurantSection(PackModel):
    kind: Literal["restaurant"] = "restaurant"
    menu_sections: Annotated[tuple[MenuSection, ...], Field(min_length=1)]
    menu_link: Link
    ordering_link: Link
    delivery_links: tuple[DeliveryLink, ...] = ()
    reservations_link: Link | None = None
    # Above this party size the bot collects contact details instead of sending the booking link.
    large_party_size: Annotated[int, Field(ge=2, le=200)] = 8

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        require_unique(
            (s.name.lower() for s in self.menu_sections),
            what="menu section",
            list_path="menu_sections",
            field="name",
        )
        require_unique(
            (d.platform.lower() for d in self.delivery_links),
            what="delivery platform",
            list_path="delivery_links",
            field="platform",
        )
        return self


# --- IND-3 barbershop ---------------------------------------------------------------------


class HaircutStyle(PackModel):
    key: Slug
    name: Text
    description: str = ""
    price: Money
    price_is_starting: bool = False  # "from $35": final price depends on hair length
    duration_minutes: Minutes


class BarbershopSection(PackModel):
    kind: Literal["barbershop"] = "barbershop"
    styles: Annotated[tuple[HaircutStyle, ...], Field(min_length=3)]
    booking_link: Link
    walk_ins_welcome: bool = True
    cancellation_policy: Text

    @model_validator(mode="after")
    def _unique_styles(self) -> Self:
        require_unique((s.key for s in self.styles), what="style key", list_path="styles", field="key")
        return self


# --- IND-4 gym ----------------------------------------------------------------------------

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class GymClass(PackModel):
    weekday: Weekday
    time: ClockTime
    class_name: Text
    coach: Text
    duration_minutes: Minutes = 60


class Membership(PackModel):
    key: Slug
    name: Text
    monthly_price: Money
    perks: Annotated[tuple[Text, ...], Field(min_length=1)]
    commitment_months: Annotated[int, Field(ge=0, le=36)] = 0
    signup_fee: Money = Decimal(0)


class GymSection(PackModel):
    kind: Literal["gym"] = "gym"
    class_schedule: Annotated[tuple[GymClass, ...], Field(min_length=1)]
    memberships: Annotated[tuple[Membership, ...], Field(min_length=1)]
    class_booking_link: Link
    trial_offer: str = ""

    @model_validator(mode="after")
    def _no_double_booking(self) -> Self:
        require_unique(
            ((c.weekday, c.time, c.class_name) for c in self.class_schedule),
            what="class slot",
            list_path="class_schedule",
        )
        require_unique(
            ((c.weekday, c.time, c.coach) for c in self.class_schedule),
            what="coach slot (one coach, two classes at once)",
            list_path="class_schedule",
            field="coach",
        )
        require_unique(
            (m.key for m in self.memberships), what="membership key", list_path="memberships", field="key"
        )
        return self


# --- IND-5 realtor ------------------------------------------------------------------------


class ListingField(PackModel):
    key: Slug
    label: Text
    required: bool = False


class ListingSummaryTemplate(PackModel):
    """How the bot summarises a listing: one line per template entry.

    Lines use ``{field_key}`` for listing fields (not business placeholders); a line whose
    optional fields are missing is left out, see ``industry_modes.listing_summary``.
    """

    fields: Annotated[tuple[ListingField, ...], Field(min_length=1)]
    lines: Annotated[tuple[Text, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _lines_use_declared_fields(self) -> Self:
        require_unique((f.key for f in self.fields), what="listing field", list_path="fields", field="key")
        declared = {f.key for f in self.fields}
        used: set[str] = set()
        for index, line in enumerate(self.lines):
            for name in PLACEHOLDER_IN_TEXT.findall(line):
                if name not in declared:
                    raise pack_problem(
                        "unknown_listing_field",
                        f"unknown listing field {{{name}}} (declared: {', '.join(sorted(declared))})",
                        at=f"lines.{index}",
                    )
                used.add(name)
        for index, listing_field in enumerate(self.fields):
            if listing_field.required and listing_field.key not in used:
                raise pack_problem(
                    "unused_required_field",
                    f"required listing field {listing_field.key!r} appears in no line",
                    at=f"fields.{index}.key",
                )
        return self


class ShowingStep(PackModel):
    lead_field: LeadFieldName
    prompt: Text


class ShowingRequestFlow(PackModel):
    steps: Annotated[tuple[ShowingStep, ...], Field(min_length=2)]
    confirmation_message: Text
    min_notice_hours: Annotated[int, Field(ge=0, le=168)] = 2

    @model_validator(mode="after")
    def _steps_reach_a_person(self) -> Self:
        require_unique(
            (s.lead_field for s in self.steps),
            what="showing step field",
            list_path="steps",
            field="lead_field",
        )
        asked = {s.lead_field for s in self.steps}
        if not asked & CONTACT_LEAD_FIELDS:
            raise pack_problem("no_contact_step", "a showing request must ask for phone or email", at="steps")
        if "preferred_time" not in asked:
            raise pack_problem("no_time_step", "a showing request must ask for preferred_time", at="steps")
        return self


class RealtorSection(PackModel):
    kind: Literal["realtor"] = "realtor"
    listing_summary: ListingSummaryTemplate
    showing_request: ShowingRequestFlow
    listings_link: Link
    service_areas: tuple[Text, ...] = ()


# --- IND-6 auto service -------------------------------------------------------------------


class CommonRepair(PackModel):
    key: Slug
    name: Text
    description: Text
    keywords: Annotated[tuple[Text, ...], Field(min_length=1)]  # how visitors describe the problem
    typical_hours: Annotated[float, Field(gt=0, le=40)]


class QuoteQuestion(PackModel):
    lead_field: LeadFieldName
    prompt: Text


class PriceRange(PackModel):
    low: WholeDollars
    high: WholeDollars

    @model_validator(mode="after")
    def _low_below_high(self) -> Self:
        if self.low >= self.high:
            raise pack_problem(
                "inverted_range", f"low ({self.low}) must be below high ({self.high})", at="low"
            )
        return self


class RepairPrice(PriceRange):
    by_vehicle_class: dict[VehicleClassName, PriceRange] = Field(default_factory=dict)


class OlderVehicleRule(PackModel):
    """Older cars take longer (seized bolts, rust), so the top of the range goes up."""

    built_before: Annotated[int, Field(ge=1950, le=2100)]
    high_increase_percent: Annotated[int, Field(ge=0, le=200)]


# The quote builder needs these answers, in this order, to look up a price.
QUOTE_FIELDS_IN_ORDER: Final = ("vehicle_make", "vehicle_model", "vehicle_year", "issue_description")


class QuoteBuilder(PackModel):
    questions: Annotated[tuple[QuoteQuestion, ...], Field(min_length=4)]
    price_table: dict[Slug, RepairPrice]
    # Lower-cased make -> class; a make not listed is priced at the repair's base range.
    vehicle_class_by_make: dict[str, VehicleClassName] = Field(default_factory=dict)
    older_vehicle_rule: OlderVehicleRule | None = None
    disclaimer: Text

    @model_validator(mode="after")
    def _asks_what_it_needs(self) -> Self:
        require_unique(
            (q.lead_field for q in self.questions),
            what="quote question field",
            list_path="questions",
            field="lead_field",
        )
        asked = [q.lead_field for q in self.questions if q.lead_field in QUOTE_FIELDS_IN_ORDER]
        if tuple(asked) != QUOTE_FIELDS_IN_ORDER:
            raise pack_problem(
                "quote_questions_order",
                f"questions must ask {', '.join(QUOTE_FIELDS_IN_ORDER)} in that order (got {', '.join(asked)})",
                at="questions",
            )
        for make in self.vehicle_class_by_make:
            if make != make.lower():
                raise pack_problem(
                    "make_not_lowercase",
                    f"make {make!r} must be lower case",
                    at=f"vehicle_class_by_make.{make}",
                )
        return self


class AutoServiceSection(PackModel):
    kind: Literal["auto_service"] = "auto_service"
    common_repairs: Annotated[tuple[CommonRepair, ...], Field(min_length=3)]
    quote_builder: QuoteBuilder
    booking_link: Link

    @model_validator(mode="after")
    def _every_repair_priced(self) -> Self:
        require_unique(
            (r.key for r in self.common_repairs), what="repair key", list_path="common_repairs", field="key"
        )
        repair_keys = [r.key for r in self.common_repairs]
        for key in self.quote_builder.price_table:
            if key not in repair_keys:
                raise pack_problem(
                    "unknown_repair",
                    f"price for unknown repair {key!r} (not in common_repairs)",
                    at=f"quote_builder.price_table.{key}",
                )
        for index, key in enumerate(repair_keys):
            if key not in self.quote_builder.price_table:
                raise pack_problem(
                    "unpriced_repair",
                    f"repair {key!r} has no price in quote_builder.price_table",
                    at=f"common_repairs.{index}.key",
                )
        return self


IndustrySection = Annotated[
    SoberLivingSection
    | RestaurantSection
    | BarbershopSection
    | GymSection
    | RealtorSection
    | AutoServiceSection,
    Field(discriminator="kind"),
]

SECTION_MODELS: Final[dict[str, type[PackModel]]] = {
    "sober_living": SoberLivingSection,
    "restaurant": RestaurantSection,
    "barbershop": BarbershopSection,
    "gym": GymSection,
    "realtor": RealtorSection,
    "auto_service": AutoServiceSection,
}
