"""The industry pack schema (IND-1..6): one YAML file per mode validates into ``IndustryPack``.

A pack is the starting configuration the admin applies to a client's bot (BOT-1..3): persona,
intents, triggers, lead capture, FAQs, crisis settings, Dragon Mode defaults (PRM-5), quick
replies, canned messages, plus one industry-specific section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Final, Self

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from industry_modes.industry_sections import SECTION_MODELS, IndustrySection
from industry_modes.registry import (
    CONTACT_LEAD_FIELDS,
    SCHEMA_VERSION,
    TRIGGER_ACTION_INDUSTRIES,
)
from industry_modes.schema_types import (
    KNOWN_PLACEHOLDERS,
    PLACEHOLDER_IN_TEXT,
    CrisisSensitivityName,
    IndustryModeName,
    LeadFieldName,
    LeadScoreName,
    LeadTypeName,
    PackModel,
    ShortLabel,
    Slug,
    Text,
    TriggerActionName,
    pack_problem,
    require_unique,
)


class SafeWordingRule(PackModel):
    avoid: Text
    prefer: Text
    why: str = ""


class Persona(PackModel):
    name: Text
    tone: Text
    greeting: Text  # the widget's welcome message (WID-3)
    safe_wording: tuple[SafeWordingRule, ...] = ()

    @model_validator(mode="after")
    def _unique_rules(self) -> Self:
        require_unique(
            (r.avoid.lower() for r in self.safe_wording),
            what="avoided phrase",
            list_path="safe_wording",
            field="avoid",
        )
        return self


class Intent(PackModel):
    name: Slug
    lead_type: LeadTypeName
    description: Text
    keywords: Annotated[tuple[Text, ...], Field(min_length=1)]
    examples: Annotated[tuple[Text, ...], Field(min_length=2)]


class Trigger(PackModel):
    key: Slug
    phrases: Annotated[tuple[Text, ...], Field(min_length=1)]
    action: TriggerActionName
    reply: str = ""  # said together with the action; empty lets the engine use its default


class LeadCapture(PackModel):
    fields: Annotated[tuple[LeadFieldName, ...], Field(min_length=1)]
    required: tuple[LeadFieldName, ...] = ()
    prompt: Text  # how the bot asks for details

    @model_validator(mode="after")
    def _capturable(self) -> Self:
        require_unique(self.fields, what="lead field", list_path="fields")
        for index, required_field in enumerate(self.required):
            if required_field not in self.fields:
                raise pack_problem(
                    "required_not_captured",
                    f"required lead field {required_field!r} is not in fields",
                    at=f"required.{index}",
                )
        if not CONTACT_LEAD_FIELDS & set(self.fields):
            raise pack_problem("no_contact_field", "fields must include phone or email", at="fields")
        return self


class Faq(PackModel):
    question: Text
    answer: Text


class CrisisResource(PackModel):
    name: Text
    contact: Text
    available: Text


class CrisisSettings(PackModel):
    enabled: bool
    sensitivity: CrisisSensitivityName
    keywords: Annotated[tuple[Text, ...], Field(min_length=1)]
    script: Text
    resources: Annotated[tuple[CrisisResource, ...], Field(min_length=1)]
    alert_owner: bool = True

    @model_validator(mode="after")
    def _emergency_numbers_listed(self) -> Self:
        # Even a barbershop bot must be able to point someone at 988 and 911 if it comes to that.
        contacts = " ".join(r.contact for r in self.resources)
        for number in ("988", "911"):
            if number not in contacts:
                raise pack_problem(
                    "missing_crisis_resource", f"resources must include {number}", at="resources"
                )
        return self


class DragonModeDefaults(PackModel):
    enabled: bool = False
    applies_to_scores: Annotated[tuple[LeadScoreName, ...], Field(min_length=1)] = ("hot",)
    style_notes: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _admin_opt_in(self) -> Self:
        if self.enabled:
            raise pack_problem(
                "dragon_mode_enabled",
                "Dragon Mode is admin opt-in per client (PRM-5); a pack must ship it disabled",
                at="enabled",
            )
        return self


class QuickReply(PackModel):
    label: ShortLabel
    message: str | None = None  # sent as if the visitor typed it
    action: TriggerActionName | None = None

    @model_validator(mode="after")
    def _message_or_action(self) -> Self:
        if (self.message is None) == (self.action is None):
            raise pack_problem("message_xor_action", "give exactly one of message or action", at="label")
        return self


# Sober-living bots talk to people at risk; these four lines are the floor (IND-1).
SOBER_LIVING_REQUIRED_CONTACTS: Final = {
    "988": "988 Suicide & Crisis Lifeline",
    "1-800-662-4357": "SAMHSA National Helpline",
    "741741": "Crisis Text Line",
    "911": "emergency services",
}

# Fields whose text is what visitors type, not what the bot says. Safe-wording rules do not
# apply there: the bot has to recognise the words people actually use.
VISITOR_LANGUAGE_FIELDS: Final = frozenset({"keywords", "examples", "phrases"})
# Listing-summary lines have their own {field} names, checked by ListingSummaryTemplate.
OWN_TEMPLATE_PATHS: Final = frozenset({"industry.listing_summary.lines"})


class IndustryPack(PackModel):
    version: int
    key: IndustryModeName
    display_name: Text
    description: Text
    persona: Persona
    intents: Annotated[tuple[Intent, ...], Field(min_length=5)]
    triggers: Annotated[tuple[Trigger, ...], Field(min_length=1)]
    lead_capture: LeadCapture
    faqs: Annotated[tuple[Faq, ...], Field(min_length=8)]
    crisis: CrisisSettings
    dragon_mode: DragonModeDefaults = DragonModeDefaults()
    quick_replies: Annotated[tuple[QuickReply, ...], Field(min_length=4)]
    fallback_message: Text  # when the bot cannot answer (AN-6)
    paused_message: Text  # shown without a model call while paused or over limit (CX-6)
    industry: IndustrySection

    @field_validator("version")
    @classmethod
    def _supported_version(cls, version: int) -> int:
        if version != SCHEMA_VERSION:
            raise pack_problem(
                "unsupported_version",
                f"unsupported schema version {version}; this code reads version {SCHEMA_VERSION}",
            )
        return version

    @field_validator("industry", mode="before")
    @classmethod
    def _section_follows_key(cls, section: object, info: ValidationInfo) -> object:
        key = info.data.get("key")
        if key is None:
            raise pack_problem("industry_unchecked", "cannot check the industry section until key is valid")
        if not isinstance(section, dict):
            return section  # the union reports the wrong type
        declared = section.get("kind", key)
        if declared != key:
            raise pack_problem(
                "industry_section_mismatch",
                f"section kind {declared!r} does not match pack key {key!r}",
                at="kind",
            )
        lookalike = _other_industry_section(key, section)
        if lookalike is not None:
            needed = ", ".join(
                name for name, info_ in SECTION_MODELS[key].model_fields.items() if info_.is_required()
            )
            raise pack_problem(
                "industry_section_mismatch",
                f"pack key is {key!r} but this is a {lookalike!r} section; a {key} section needs: {needed}",
            )
        return {**section, "kind": key}

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        require_unique((i.name for i in self.intents), what="intent", list_path="intents", field="name")
        require_unique((t.key for t in self.triggers), what="trigger", list_path="triggers", field="key")
        require_unique(
            (f.question.lower() for f in self.faqs), what="FAQ question", list_path="faqs", field="question"
        )
        require_unique(
            (q.label.lower() for q in self.quick_replies),
            what="quick reply label",
            list_path="quick_replies",
            field="label",
        )
        self._check_actions_fit_industry()
        self._check_flows_capture_their_fields()
        self._check_sober_living_crisis_floor()
        self._check_text()
        return self

    def _check_actions_fit_industry(self) -> None:
        uses = [(f"triggers.{i}.action", t.action) for i, t in enumerate(self.triggers)]
        uses += [
            (f"quick_replies.{i}.action", q.action) for i, q in enumerate(self.quick_replies) if q.action
        ]
        for path, action in uses:
            industries = TRIGGER_ACTION_INDUSTRIES.get(action)
            if industries is not None and self.key not in industries:
                raise pack_problem(
                    "action_not_for_industry",
                    f"trigger action {action!r} only works in {', '.join(sorted(industries))} packs",
                    at=path,
                )

    def _check_flows_capture_their_fields(self) -> None:
        # A flow that asks for a field the lead record does not keep would lose the answer.
        for path, lead_field in _section_lead_fields(self):
            if lead_field not in self.lead_capture.fields:
                raise pack_problem(
                    "flow_field_not_captured",
                    f"lead field {lead_field!r} is asked for but missing from lead_capture.fields",
                    at=path,
                )

    def _check_sober_living_crisis_floor(self) -> None:
        if self.key != "sober_living":
            return
        if not self.crisis.enabled:
            raise pack_problem(
                "crisis_disabled", "crisis detection must be enabled for sober_living", at="crisis.enabled"
            )
        contacts = " ".join(r.contact for r in self.crisis.resources)
        for number, name in SOBER_LIVING_REQUIRED_CONTACTS.items():
            if number not in contacts:
                raise pack_problem(
                    "missing_crisis_resource",
                    f"sober_living resources must include {name} ({number})",
                    at="crisis.resources",
                )

    def _check_text(self) -> None:
        avoided = [
            (rule, re.compile(rf"\b{re.escape(rule.avoid)}\b", re.IGNORECASE))
            for rule in self.persona.safe_wording
        ]
        for path, text in iter_pack_text(self):
            if path.startswith("persona.safe_wording."):
                continue
            if not any(path.startswith(own) for own in OWN_TEMPLATE_PATHS):
                for name in PLACEHOLDER_IN_TEXT.findall(text):
                    if name not in KNOWN_PLACEHOLDERS:
                        raise pack_problem(
                            "unknown_placeholder",
                            f"unknown placeholder {{{name}}} (known: {', '.join(sorted(KNOWN_PLACEHOLDERS))})",
                            at=path,
                        )
            if _is_visitor_language(path):
                continue
            for rule, pattern in avoided:
                found = pattern.search(text)
                if found is not None:
                    raise pack_problem(
                        "avoided_phrase",
                        f"says {found.group(0)!r}; safe wording: say {rule.prefer!r}",
                        at=path,
                    )


def _other_industry_section(key: str, section: dict[object, object]) -> str | None:
    """The one other industry whose section this looks like, for a clearer mismatch message."""
    own_fields = set(SECTION_MODELS[key].model_fields)
    given = {name for name in section if isinstance(name, str)} - {"kind"}
    foreign = given - own_fields
    if not foreign:
        return None
    candidates = [
        other
        for other, model in SECTION_MODELS.items()
        if other != key and foreign <= set(model.model_fields)
    ]
    if len(candidates) != 1:
        return None
    other_fields = set(SECTION_MODELS[candidates[0]].model_fields)
    if given & (own_fields - other_fields):
        return None  # it has fields only this industry knows: a typo, not a swapped section
    return candidates[0]


def _section_lead_fields(pack: IndustryPack) -> Iterator[tuple[str, str]]:
    section = pack.industry
    if section.kind == "sober_living":
        for index, question in enumerate(section.admissions_questions):
            if question.lead_field is not None:
                yield f"industry.admissions_questions.{index}.lead_field", question.lead_field
    elif section.kind == "realtor":
        for index, step in enumerate(section.showing_request.steps):
            yield f"industry.showing_request.steps.{index}.lead_field", step.lead_field
    elif section.kind == "auto_service":
        for index, quote_question in enumerate(section.quote_builder.questions):
            yield f"industry.quote_builder.questions.{index}.lead_field", quote_question.lead_field


def _is_visitor_language(path: str) -> bool:
    return any(part in VISITOR_LANGUAGE_FIELDS for part in path.split("."))


def iter_pack_text(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a pack with its dotted path, for whole-pack text checks and rendering."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name != "kind":
                yield from iter_pack_text(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from iter_pack_text(item, f"{path}.{index}")
    elif isinstance(value, dict):
        for dict_key, item in value.items():
            yield from iter_pack_text(item, f"{path}.{dict_key}")
