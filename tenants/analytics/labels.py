"""Human wording of the stored values a client or the agency reads (lead types, topic tags, review kinds,
sentiments, statuses). Stored values stay machine-friendly; nothing shows them raw."""

from __future__ import annotations

# Values whose plain "replace underscores, capitalise" wording would read badly.
LABELS: dict[str, str] = {
    "hours_location": "Hours & location",
    "hours_and_location": "Hours & location",
    "general_question": "General question",
    "service_request": "Service request",
    "ac_heating": "A/C & heating",
    "kids_cuts": "Kids' cuts",
    "walk_ins": "Walk-ins",
    "gift_cards": "Gift cards",
    "unknown_question": "Unknown question",
    "thumbs_down": "Thumbs down",
    "handoff": "Handoff request",
    "over_limit": "Over limit",
    "needs_update": "Needs update",
}


def human_label(value: object) -> str:
    """`hours_location` → "Hours & location"; `menu_question` → "Menu question"; "" stays ""."""
    text = "" if value is None else str(value)
    if text in LABELS:
        return LABELS[text]
    words = text.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def human_labels(values: object) -> list[str]:
    """Each value in words, once: two stored tags with the same wording show one label."""
    out: list[str] = []
    for value in values or ():  # type: ignore[attr-defined]
        label = human_label(value)
        if label and label not in out:
            out.append(label)
    return out


def zone_label(tz: object) -> str:
    """A time zone as a reader knows it: "America/New_York" → "New York time"; UTC stays "UTC"."""
    key = str(getattr(tz, "key", tz) or "UTC")
    return "UTC" if key in ("UTC", "Etc/UTC", "GMT") else key.rsplit("/", 1)[-1].replace("_", " ") + " time"
