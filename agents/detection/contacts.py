"""Contact details in a visitor message (ADM-6): names, phone numbers, email addresses.

Spans use Python `str` offsets with `end` exclusive, so `text[start:end] == span.text` always holds.
Phones are found by libphonenumber (default region US) and normalised to E.164 in `normalised`.
Names are only taken from explicit self-introductions ("my name is …", "I'm …", "this is …",
a sign-off like "Thanks, Dana"): guessing names from any capitalised word would flag places and
products, and a wrong name on a lead is worse than a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import phonenumbers

ContactLabel = Literal["name", "phone", "email"]
DEFAULT_PHONE_REGION = "US"


@dataclass(frozen=True, slots=True)
class ContactSpan:
    label: ContactLabel
    text: str
    start: int
    end: int
    # E.164 for phones ("+14155550132"), lower-cased address for emails, the name as written.
    normalised: str


EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")

# Words that follow "I'm"/"this is" but are not names ("I'm looking", "this is Tuesday").
NOT_NAME_WORDS = frozenset(
    """
    a an the and or but so just not very really also still here there now today tomorrow tonight
    looking interested wondering trying calling asking hoping going coming new sorry sure fine good
    great ok okay glad happy sad ready available free busy done back home open closed late early
    thinking curious confused frustrated upset angry disappointed tired sick worried scared afraid
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december hi hello hey thanks thank please yes no
    in on at from with for about of to into by my your our their his her its is was are were be been
    mr mrs ms dr sir madam a1 interested moving relocating selling buying renting planning
    him her them me it he she they we you i um uh yeah yep nope
    can could would will should shall might must need want like love have has had do does did
    get got call text email reach number phone cell mobile contact if when where what who how why
    that this these those which looking calling
    """.split()
)

# Unicode letters ("José", "Zoë"); capitalisation is checked in `_trim_name`.
_NAME_TOKEN = r"[^\W\d_](?:[^\W\d_]|['\-])+"  # noqa: S105 — a regex, not a password
# Title-cased 1-3 tokens: "Dana", "Dana Lopez", "Mary-Jo O'Neil".
_CAPITALISED_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}}"
# After an unambiguous cue we also accept lower-case names ("my name is dana lopez").
_ANY_CASE_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,1}}"

_STRONG_CUES = re.compile(
    rf"\b(?:my name is|my name's|name is|name's|names|the name is|you can call me|call me)\s+(?P<name>{_ANY_CASE_NAME})",
    re.IGNORECASE,
)
_WEAK_CUES = re.compile(
    rf"\b(?:i'm|i am|im|this is|it's|its)\s+(?P<name>{_CAPITALISED_NAME})",
    re.IGNORECASE,
)
# Sign-offs at the end of a message: "Thanks, Dana" / "- Marcus" / "Regards, Ana Ruiz".
_SIGN_OFF = re.compile(
    rf"(?:\b(?:thanks|thank you|thx|regards|best|cheers|sincerely)[,!.]?\s+|(?:^|\s)[-–—]\s*)(?P<name>{_CAPITALISED_NAME})[.!\s]*$",
    re.IGNORECASE,
)


# "Dana Whitfield here" / "hi, Dana here": a self-introduction at the start of a message.
_NAME_HERE = re.compile(rf"^\s*(?:(?:hi|hey|hello)[,!.]?\s+)?(?P<name>{_CAPITALISED_NAME})\s+here\b", re.IGNORECASE)
# A bare "Dana, 207-555-0199" or "Dana Whitfield - dana@x.com": a name right before a phone or email.
_NAME_BEFORE_CONTACT = re.compile(
    rf"^\s*(?P<name>{_CAPITALISED_NAME})\s*[,:\-–—]\s*(?=\+?[\d(]|[A-Za-z0-9._%+-]+@)", re.IGNORECASE)


def _trim_name(candidate: str, *, allow_lowercase: bool) -> str:
    """Keep leading tokens that look like a name; stop at the first ordinary word."""
    kept: list[str] = []
    for token in candidate.split():
        if token.lower().strip("'-") in NOT_NAME_WORDS:
            break
        if not allow_lowercase and not token[0].isupper():
            break
        kept.append(token)
    return " ".join(kept)


def _name_spans(text: str) -> list[ContactSpan]:
    spans: list[ContactSpan] = []

    def add(match: re.Match[str], *, allow_lowercase: bool) -> None:
        start = match.start("name")
        raw = match.group("name")
        # Cues like "call me" take names only when what follows is not a phone number or a word
        # like "tomorrow"; `_trim_name` drops those.
        name = _trim_name(raw, allow_lowercase=allow_lowercase)
        if not name or len(name) < 2:
            return
        # Keep the original spacing: find the trimmed prefix inside the raw match.
        end = start + len(raw[: len(name)]) if raw.startswith(name) else start + len(name)
        if text[start:end] != name:
            return
        spans.append(ContactSpan("name", name, start, end, name))

    for match in _STRONG_CUES.finditer(text):
        add(match, allow_lowercase=True)
    for match in _WEAK_CUES.finditer(text):
        # The cue itself may be lower case ("i'm Dana") but the name must be capitalised.
        if match.group("name")[0].isupper():
            add(match, allow_lowercase=False)
    for pattern in (_NAME_HERE, _NAME_BEFORE_CONTACT):
        found = pattern.search(text)
        # Every word must look like a name ("Café owner here" is not a name).
        if found is not None and all(t[0].isupper() and t.lower() not in NOT_NAME_WORDS for t in found.group("name").split()):
            add(found, allow_lowercase=False)
    sign_off = _SIGN_OFF.search(text)
    if sign_off is not None:
        add(sign_off, allow_lowercase=False)
    return spans


def _phone_spans(text: str, region: str) -> list[ContactSpan]:
    spans = []
    # POSSIBLE (not VALID) leniency: visitors type numbers the metadata calls unassigned, and a
    # lead with a slightly odd number is still a lead. Years, prices and zip codes do not match.
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        reason = phonenumbers.is_possible_number_with_reason(match.number)
        if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
            normalised = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        else:
            # A 7-digit local number has no area code, so it has no E.164 form: keep the digits.
            normalised = "".join(ch for ch in match.raw_string if ch.isdigit())
        spans.append(ContactSpan("phone", match.raw_string, match.start, match.end, normalised))
    return spans


def _email_spans(text: str) -> list[ContactSpan]:
    return [ContactSpan("email", m.group(0), m.start(), m.end(), m.group(0).lower()) for m in EMAIL_PATTERN.finditer(text)]


def find_contacts(text: str, *, default_region: str = DEFAULT_PHONE_REGION) -> list[ContactSpan]:
    """All contact spans in `text`, ordered by position, without overlaps (emails win over names)."""
    candidates = _email_spans(text) + _phone_spans(text, default_region) + _name_spans(text)
    chosen: list[ContactSpan] = []
    for span in candidates:  # earlier kinds take precedence on overlap
        if any(span.start < other.end and other.start < span.end for other in chosen):
            continue
        chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)
