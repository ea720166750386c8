"""Building blocks shared by the pack schema and the industry sections.

Every name that points at code is an ``Annotated`` type whose validator checks a registry, so
the error a pack author sees names the registry ("unknown trigger action 'show_bookng_link'")
instead of pydantic's generic literal error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import Annotated, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from industry_modes.registry import (
    CRISIS_SENSITIVITIES,
    INDUSTRY_MODES,
    LEAD_FIELDS,
    LEAD_SCORES,
    LEAD_TYPES,
    PLACEHOLDERS,
    TRIGGER_ACTIONS,
    URL_PLACEHOLDERS,
    VEHICLE_CLASSES,
    CrisisSensitivity,
    IndustryModeKey,
    LeadField,
    LeadScore,
    LeadType,
    NameRegistry,
    TriggerAction,
    VehicleClass,
)

# Root-level and cross-field checks cannot set pydantic's ``loc``; they put the path of the
# offending value, relative to the model that raised, in this context key. The loader joins it
# to ``loc`` so every problem is reported at its real field path.
PROBLEM_PATH_KEY: Final = "pack_problem_path"


def pack_problem(error_type: str, message: str, at: str = "") -> PydanticCustomError:
    """A validation error whose message is final text (no pydantic template substitution)."""
    # pydantic-core replaces "{name}" for every context key, and pack text is full of braces
    # ({business_name}); the only context key is our path key, which pack text never uses.
    context = {PROBLEM_PATH_KEY: at} if at else None
    return PydanticCustomError(error_type, message, context)


class PackModel(BaseModel):
    """Base for every pack model: unknown keys are errors, loaded packs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _registry_check(registry: NameRegistry) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, str) and value in registry:
            return value
        known = ", ".join(registry.names())
        raise pack_problem(
            f"unknown_{registry.kind.replace(' ', '_')}",
            f"unknown {registry.kind} {value!r} (known: {known})",
        )

    return check


LeadTypeName = Annotated[LeadType, BeforeValidator(_registry_check(LEAD_TYPES))]
LeadScoreName = Annotated[LeadScore, BeforeValidator(_registry_check(LEAD_SCORES))]
TriggerActionName = Annotated[TriggerAction, BeforeValidator(_registry_check(TRIGGER_ACTIONS))]
LeadFieldName = Annotated[LeadField, BeforeValidator(_registry_check(LEAD_FIELDS))]
IndustryModeName = Annotated[IndustryModeKey, BeforeValidator(_registry_check(INDUSTRY_MODES))]
CrisisSensitivityName = Annotated[CrisisSensitivity, BeforeValidator(_registry_check(CRISIS_SENSITIVITIES))]
VehicleClassName = Annotated[VehicleClass, BeforeValidator(_registry_check(VEHICLE_CLASSES))]

Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
# Quick-reply chips and button labels must fit on a phone screen (WID-5).
ShortLabel = Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]
Money = Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)]
WholeDollars = Annotated[int, Field(ge=0, le=100_000)]
Minutes = Annotated[int, Field(ge=5, le=480)]

_URL_PATTERN: Final = re.compile(r"^https://[^\s{}]+$")
_PLACEHOLDER_ONLY: Final = re.compile(r"^\{([a-z_]+)\}$")


def _check_link(value: object) -> object:
    """A link is a real https URL, or a URL placeholder the client's details fill in later."""
    if not isinstance(value, str):
        return value  # let the str type report it
    placeholder = _PLACEHOLDER_ONLY.match(value)
    if placeholder is not None:
        if placeholder.group(1) in URL_PLACEHOLDERS:
            return value
        known = ", ".join(sorted(URL_PLACEHOLDERS))
        raise pack_problem("unknown_url_placeholder", f"unknown URL placeholder {value!r} (known: {known})")
    if not _URL_PATTERN.match(value):
        raise pack_problem("invalid_link", f"{value!r} is not an https:// URL or a {{..._url}} placeholder")
    return value


Link = Annotated[str, BeforeValidator(_check_link)]

_CLOCK_TIME: Final = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _check_clock_time(value: object) -> object:
    # YAML 1.1 reads an unquoted 18:30 as the base-60 integer 1110, and pydantic would happily
    # turn that into 00:18:30, so times are quoted strings checked here.
    if isinstance(value, int) and not isinstance(value, bool):
        raise pack_problem(
            "unquoted_time",
            f'time read as the number {value}; quote it in YAML, e.g. "18:30"',
        )
    if not isinstance(value, str) or not _CLOCK_TIME.match(value):
        raise pack_problem("invalid_time", f"{value!r} is not a 24-hour HH:MM time")
    return value


ClockTime = Annotated[str, BeforeValidator(_check_clock_time)]

PLACEHOLDER_IN_TEXT: Final = re.compile(r"\{([^{}]*)\}")
KNOWN_PLACEHOLDERS: Final = frozenset(PLACEHOLDERS.names())


def first_duplicate(values: Iterable[Hashable]) -> tuple[int, Hashable] | None:
    """Index and value of the first repeat, so the error can point at it."""
    seen: set[Hashable] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index, value
        seen.add(value)
    return None


def require_unique(values: Iterable[Hashable], *, what: str, list_path: str, field: str = "") -> None:
    """Raise a pack problem at ``list_path.<index>[.field]`` for the first repeated value."""
    duplicate = first_duplicate(values)
    if duplicate is None:
        return
    index, value = duplicate
    at = f"{list_path}.{index}" + (f".{field}" if field else "")
    raise pack_problem("duplicate", f"duplicate {what} {value!r}", at=at)
