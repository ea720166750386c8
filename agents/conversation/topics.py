"""ADM-4/VAL-5: a small topic lexicon per industry mode, for conversation tags.

Topic → regular expressions matched on the lower-cased visitor messages. Topics name the services
and products a client's dashboard shows as "popular topics", so they are nouns a client recognises.
"""

from __future__ import annotations

from typing import Final

TOPIC_LEXICON: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "restaurant": {
        "delivery": (r"\bdeliver(?:y|ies|s|ing)?\b", r"\bdoordash\b", r"\buber\s?eats\b", r"\bgrubhub\b"),
        "pickup": (r"\bpick\s?-?up\b", r"\btake\s?-?out\b", r"\bto\s?go\b"),
        "reservations": (r"\breserv(?:e|ation|ations)\b", r"\bbook\s+a\s+table\b", r"\btable\s+for\b"),
        "menu": (r"\bmenu\b", r"\bdish(?:es)?\b", r"\bspecials?\b"),
        "dietary": (r"\bvegan\b", r"\bvegetarian\b", r"\bgluten\b", r"\ballerg(?:y|ies|ic)\b", r"\bdairy\b",
                    r"\bnuts?\b"),
        "catering": (r"\bcater(?:ing|er)?\b",),
        "private_events": (r"\bprivate\s+(?:event|room|party)\b", r"\bbirthday\b", r"\bparty\s+of\b"),
        "gift_cards": (r"\bgift\s?cards?\b",),
        "parking": (r"\bpark(?:ing)?\b",),
    },
    "barbershop": {
        "haircut": (r"\bhair\s?cuts?\b", r"\bcuts?\b", r"\btrim\b"),
        "fade": (r"\bfades?\b", r"\btaper\b"),
        "beard": (r"\bbeard\b", r"\bshave\b", r"\blineup\b", r"\bline\s?up\b"),
        "kids_cuts": (r"\bkids?\b", r"\bchild(?:ren)?\b", r"\bson\b"),
        "walk_ins": (r"\bwalk[\s-]?ins?\b",),
        "booking": (r"\bbook(?:ing)?\b", r"\bappointment\b"),
    },
    "gym": {
        "membership": (r"\bmembership\b", r"\bjoin\b", r"\bsign\s?up\b", r"\bcancel\b"),
        "classes": (r"\bclass(?:es)?\b", r"\byoga\b", r"\bspin\b", r"\bhiit\b", r"\bpilates\b", r"\bschedule\b"),
        "personal_training": (r"\bpersonal\s+train(?:er|ing)\b", r"\bpt\s+session\b", r"\bcoach(?:ing)?\b"),
        "trial": (r"\bfree\s+(?:trial|class|day|pass)\b", r"\btrial\b", r"\bday\s+pass\b", r"\bguest\s+pass\b"),
        "facilities": (r"\bpool\b", r"\bsauna\b", r"\blockers?\b", r"\bshowers?\b", r"\bequipment\b"),
    },
    "sober_living": {
        "admissions": (r"\badmi(?:t|ssions?|tted)\b", r"\bintake\b", r"\bbeds?\b", r"\bopening\b", r"\bmove\s+in\b",
                       r"\bavailab(?:le|ility)\b"),
        "cost": (r"\brent\b", r"\bcost\b", r"\bprice\b", r"\bfees?\b", r"\binsurance\b", r"\bpay\b"),
        "house_rules": (r"\brules?\b", r"\bcurfew\b", r"\bdrug\s+test(?:s|ing)?\b", r"\bvisitors?\b", r"\bchores\b"),
        "family": (r"\bmy\s+(?:son|daughter|husband|wife|brother|sister|mom|dad|mother|father)\b", r"\bfamily\b"),
        "recovery_support": (r"\bmeetings?\b", r"\baa\b", r"\bna\b", r"\bsponsor\b", r"\bdetox\b", r"\btreatment\b"),
    },
    "realtor": {
        "buying": (r"\bbuy(?:ing)?\b", r"\bpurchase\b", r"\bfirst[\s-]time\b", r"\bmortgage\b", r"\bpre-?approv"),
        "selling": (r"\bsell(?:ing)?\b", r"\blist(?:ing)?\s+my\b", r"\bhome\s+value\b", r"\bwhat'?s\s+my\s+home\b"),
        "showings": (r"\bshowings?\b", r"\btour\b", r"\bopen\s+house\b", r"\bsee\s+the\s+(?:house|home|place)\b"),
        "listings": (r"\blistings?\b", r"\bbedrooms?\b", r"\bcondo\b", r"\btownhouse\b", r"\bsquare\s+feet\b"),
        "rentals": (r"\brent(?:al|ing)?\b", r"\blease\b"),
    },
    "auto_service": {
        "oil_change": (r"\boil\b",),
        "brakes": (r"\bbrakes?\b", r"\brotors?\b", r"\bpads\b", r"\bsqueal"),
        "tires": (r"\btires?\b", r"\btyres?\b", r"\balignment\b", r"\brotation\b", r"\bflat\b"),
        "diagnostics": (r"\bcheck\s+engine\b", r"\bdiagnos", r"\bwarning\s+light\b", r"\bnoise\b"),
        "ac_heating": (r"\ba/?c\b", r"\bair\s+condition", r"\bheater\b", r"\bheating\b"),
        "inspection": (r"\binspection\b", r"\bemissions?\b", r"\bsmog\b"),
        "quote": (r"\bquote\b", r"\bestimate\b", r"\bhow\s+much\b"),
    },
}
