"""`knowledge_import`: a client's business facts, services, FAQs and articles from one YAML file.

The file is checked completely before anything is written, and every problem names its line.
The import itself runs in one transaction: it lands whole or not at all.

    business: {name, industry, phone, email, address, hours: {mon..sun: "HH:MM-HH:MM" | closed}, booking_url}
    services: [{name, price, duration?, description?}]
    faqs: [{question, answer}]
    articles: [{title, body}]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction
from pydantic import ValidationError as PydanticValidationError

from tenants.bots.config import (
    BotConfig,
    OpeningHours,
    ServiceItem,
    missing_business_facts,
    parse_day_hours,
)
from tenants.bots.models import Bot

_TOP_KEYS = {"business": "mapping", "services": "list", "faqs": "list", "articles": "list"}
_BUSINESS_KEYS = {"name", "industry", "phone", "email", "address", "hours", "booking_url", "timezone"}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_DURATION = re.compile(r"^(\d{1,4})\s*(?:m|min|mins|minutes)?$", re.I)
_PRICE = re.compile(r"^\$?\s*(\d+(?:\.\d{1,2})?)$")


class ImportFileError(ValueError):
    """The file is refused; the message names the line that is wrong."""


class CliActor:
    """Who a management command acts as, in the audit log."""

    is_authenticated = True
    is_platform_admin = True
    role = "cli"

    def __init__(self, command: str) -> None:
        self.email = f"cli:{command}"


@dataclass
class ImportPayload:
    business: dict[str, Any] = field(default_factory=dict)
    hours: tuple[OpeningHours, ...] | None = None
    services: list[ServiceItem] | None = None
    faqs: list[tuple[str, str]] = field(default_factory=list)
    articles: list[tuple[str, str]] = field(default_factory=list)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _fail(node: yaml.Node, message: str) -> ImportFileError:
    return ImportFileError(f"line {_line(node)}: {message}")


def _scalar(node: yaml.Node, what: str, *, allow_empty: bool = False) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(node, f"{what} must be a single value")
    value = str(node.value).strip()
    if not value and not allow_empty:
        raise _fail(node, f"{what} is empty")
    return value


def _mapping(node: yaml.Node, what: str, allowed: set[str], required: set[str] = frozenset()) -> dict[str, yaml.Node]:  # type: ignore[assignment]
    if not isinstance(node, yaml.MappingNode):
        raise _fail(node, f"{what} must be a mapping of keys to values")
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in allowed:
            raise _fail(key_node, f"unknown key '{key}' in {what} (allowed: {', '.join(sorted(allowed))})")
        if key in out:
            raise _fail(key_node, f"'{key}' appears twice in {what}")
        out[key] = value_node
    absent = sorted(required - set(out))
    if absent:
        raise _fail(node, f"{what} is missing {', '.join(absent)}")
    return out


def _items(node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise _fail(node, f"{what} must be a list (items starting with '-')")
    return list(node.value)


def parse_import_file(text: str) -> ImportPayload:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ImportFileError(f"{where}not valid YAML ({getattr(error, 'problem', error)})") from None
    if root is None:
        raise ImportFileError("line 1: the file is empty")
    top = _mapping(root, "the file", set(_TOP_KEYS))
    payload = ImportPayload()
    if "business" in top:
        _parse_business(top["business"], payload)
    if "services" in top:
        payload.services = [_parse_service(item) for item in _items(top["services"], "services")]
    for item in _items(top["faqs"], "faqs") if "faqs" in top else []:
        fields = _mapping(item, "an FAQ", {"question", "answer"}, {"question", "answer"})
        question = _scalar(fields["question"], "question")
        if len(question) > 500:
            raise _fail(fields["question"], "question is longer than 500 characters")
        payload.faqs.append((question, _scalar(fields["answer"], "answer")))
    for item in _items(top["articles"], "articles") if "articles" in top else []:
        fields = _mapping(item, "an article", {"title", "body"}, {"title", "body"})
        title = _scalar(fields["title"], "title")
        if len(title) > 300:
            raise _fail(fields["title"], "title is longer than 300 characters")
        payload.articles.append((title, _scalar(fields["body"], "body")))
    return payload


def _parse_business(node: yaml.Node, payload: ImportPayload) -> None:
    fields = _mapping(node, "business", _BUSINESS_KEYS)
    for key, value_node in fields.items():
        if key == "hours":
            days = _mapping(value_node, "hours", set(_DAYS))
            hours: list[OpeningHours] = []
            for day, day_node in days.items():
                try:
                    hours.extend(parse_day_hours(day, _scalar(day_node, f"hours.{day}")))
                except ValueError as error:
                    raise _fail(day_node, str(error)) from None
            payload.hours = tuple(hours)
            continue
        value = _scalar(value_node, f"business.{key}", allow_empty=True)
        if key == "email" and value and not _EMAIL.fullmatch(value):
            raise _fail(value_node, f"'{value}' is not an email address")
        if key == "booking_url" and value and not value.startswith(("https://", "http://")):
            raise _fail(value_node, "booking_url must start with https://")
        if key == "phone" and value and sum(ch.isdigit() for ch in value) < 7:
            raise _fail(value_node, f"'{value}' is not a phone number")
        if key == "name" and not value:
            raise _fail(value_node, "business.name is empty")
        if key == "industry":
            from industry_modes import available_modes

            if value and value not in available_modes():
                raise _fail(value_node, f"unknown industry '{value}' (use one of {', '.join(available_modes())})")
        if key == "timezone":
            import zoneinfo

            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise _fail(value_node, f"unknown time zone '{value}'") from None
        payload.business[key] = value


def _parse_service(node: yaml.Node) -> ServiceItem:
    fields = _mapping(node, "a service", {"name", "price", "duration", "description"}, {"name", "price"})
    price_text = _scalar(fields["price"], "price")
    price = _PRICE.fullmatch(price_text.replace(",", ""))
    if price is None:
        raise _fail(fields["price"], f"price '{price_text}' is not an amount like 35 or 35.50")
    duration = None
    if "duration" in fields:
        duration_text = _scalar(fields["duration"], "duration")
        match = _DURATION.fullmatch(duration_text)
        if match is None or not 1 <= int(match.group(1)) <= 1440:
            raise _fail(fields["duration"], f"duration '{duration_text}' is not a number of minutes like 45")
        duration = int(match.group(1))
    try:
        return ServiceItem(name=_scalar(fields["name"], "name"), price=float(price.group(1)), duration_minutes=duration,
                           description=_scalar(fields["description"], "description", allow_empty=True)
                           if "description" in fields else "")
    except PydanticValidationError as error:
        raise _fail(node, error.errors()[0]["msg"]) from None


@dataclass(frozen=True)
class ImportResult:
    version_number: int
    published: bool
    faqs: int
    articles: int


def _config_with(base: BotConfig, payload: ImportPayload) -> BotConfig:
    business = base.business
    updates: dict[str, Any] = {k: v for k, v in payload.business.items() if k in ("name", "phone", "email", "address", "timezone")}
    if payload.hours is not None:
        updates["hours"] = payload.hours
    if payload.services is not None:
        updates["services"] = tuple(payload.services)
    config = base.model_copy(update={"business": business.model_copy(update=updates)})
    if "booking_url" in payload.business:
        config = config.model_copy(update={"booking_url": payload.business["booking_url"]})
    if payload.business.get("industry"):
        config = config.model_copy(update={"industry_mode": payload.business["industry"]})
    return BotConfig.model_validate(config.model_dump(mode="json"))


def knowledge_import(*, bot: Bot, payload: ImportPayload, publish: bool, actor: Any, source_name: str) -> ImportResult:
    """Load the file's facts as a new draft version (and, with `publish`, approve it and make FAQs
    and articles live). One transaction: a failure anywhere leaves nothing behind."""
    from django.core.exceptions import ValidationError

    from tenants.bots.services import (
        bot_config_approve,
        bot_config_draft_create,
        bot_config_submit,
        bot_latest_config,
    )
    from tenants.knowledge.rebuild import knowledge_rebuild_request, knowledge_rebuild_run
    from tenants.knowledge.services import article_upsert, faq_upsert

    config = _config_with(bot_latest_config(bot), payload)
    if publish:
        missing = missing_business_facts(config.business)
        if missing:
            raise ValidationError("Not published: the business facts have no " + " and no ".join(missing)
                                  + ". Add them to the file, or import without --publish to keep a draft.")
    with transaction.atomic():
        version = bot_config_draft_create(bot=bot, config=config, actor=actor, note=f"Imported from {source_name}",
                                          action="knowledge.imported",
                                          data={"file": source_name, "faqs": len(payload.faqs),
                                                "articles": len(payload.articles), "publish": publish})
        for question, answer in payload.faqs:
            faq_upsert(bot_id=bot.pk, question=question, answer=answer, approved=publish, actor=actor, new=not publish)
        if publish:
            for title, body in payload.articles:
                article_upsert(bot_id=bot.pk, title=title, body=body, actor=actor)
            bot_config_submit(version=version, actor=actor)
            if version.requires_rebuild:
                rebuild, _ = knowledge_rebuild_request(bot_id=bot.pk, actor=actor)
                knowledge_rebuild_run(rebuild_id=rebuild.pk)
            bot_config_approve(version=version, actor=actor, comment=f"Published by knowledge_import from {source_name}")
    return ImportResult(version.number, publish, len(payload.faqs), len(payload.articles) if publish else 0)
