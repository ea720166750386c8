"""Word and phrase lexicons behind the offline classifiers.

Lexicon hits are high-precision evidence; embedding similarity to prototypes covers the wording the
lexicons miss. Patterns are matched case-insensitively on word boundaries.
"""

from __future__ import annotations

import re
from typing import Final

from agents.detection.labels import LeadType

# Each lead type: (pattern, weight). Weights add to the embedding score of that type.
LEAD_TYPE_LEXICON: Final[dict[LeadType, tuple[tuple[str, float], ...]]] = {
    "appointment": (
        (r"\b(?:book|booking|schedule|scheduling|reschedule|appointment|appt|reserve|reservation|slot|opening|openings)\b", 0.22),
        (r"\b(?:tour|showing|walk-?through|test\s+drive|trial\s+class|free\s+class|consultation|consult)\b", 0.12),
        (r"\b(?:today|tomorrow|tonight|this\s+(?:week|weekend|afternoon|morning|evening)|next\s+(?:week|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|at\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?)\b", 0.08),
        (r"\b(?:drop\s+(?:it|my\s+car|the\s+car)\s+off|come\s+in|fit\s+me\s+in|squeeze\s+me\s+in|table\s+for)\b", 0.12),
    ),
    "pricing": (
        (r"\b(?:how\s+much|price|prices|pricing|cost|costs|rate|rates|fee|fees|quote|estimate|deposit|charge|rent|\$\s?\d+|dollars|cheap|expensive|afford|discount|special|specials|commission|per\s+month|monthly)\b", 0.25),
    ),
    "hours_location": (
        (r"\b(?:hours|open|opens|close|closes|closing|closed|what\s+time|when\s+do\s+you|located|location|address|directions|parking|park|where\s+are\s+you|where\s+is|near|zip|neighborhood|holiday)\b", 0.22),
    ),
    "complaint": (
        (r"\b(?:unhappy|disappointed|terrible|awful|horrible|worst|rude|refund|overcharged|ripped\s+off|unacceptable|never\s+again|complain|complaint|still\s+broken|messed\s+up|ruined|cold\s+food|wrong\s+order|waited\s+(?:over\s+)?an?\s+hour|no\s+one\s+called|nobody\s+called|not\s+happy|charged\s+me\s+twice|scam|manager)\b", 0.3),
    ),
    "service_request": (
        (r"\b(?:i\s+need|we\s+need|need\s+(?:a|an|my|to\s+get)|looking\s+for\s+(?:a|an)|i\s+want\s+(?:a|an|to\s+(?:get|buy|sell|order|join|sign\s+up|enroll|move\s+in|list))|i'?d\s+like\s+(?:a|an|to\s+(?:get|buy|sell|order|join))|can\s+you\s+(?:fix|replace|repair|check|do|make|deliver|cater|help\s+me\s+(?:find|sell|buy)))\b", 0.18),
        (r"\b(?:order|delivery|catering|takeout|pickup|repair|fix|replace|brakes?|oil\s+change|tires?|engine|transmission|diagnostic|inspection|haircut|fade|trim|shave|line\s*up|membership|sign\s+up|join|personal\s+trainer|training|bed|room|admission|admissions|intake|move\s+in|sell\s+my|buy\s+a|listing|pre-?approved)\b", 0.1),
    ),
    "general_question": (
        (r"\b(?:do\s+you|does\s+the|is\s+there|are\s+there|can\s+i|can\s+residents|do\s+residents|allowed|policy|policies|rules|offer|accept|insurance|include|included|options|menu|vegan|gluten|kids|pets)\b", 0.1),
    ),
    "other": (
        (r"^\s*(?:hi|hello|hey|yo|thanks|thank\s+you|thx|ok|okay|cool|bye|good\s+(?:morning|afternoon|evening)|lol|test|\?)[\s!.?]*$", 0.4),
    ),
}

BUYING_SIGNAL_PATTERNS: Final[tuple[tuple[str, float, str], ...]] = (
    (r"\b(?:book|booking|schedule|reserve|sign\s+(?:me\s+)?up|sign\s+up|enroll|get\s+started|set\s+(?:it|one|that)\s+up|put\s+me\s+down|count\s+me\s+in|move\s+in|make\s+an\s+offer|pre-?approved)\b", 0.2, "wants to book or sign up"),
    (r"\b(?:today|tonight|asap|right\s+away|right\s+now|as\s+soon\s+as\s+possible|this\s+(?:week|weekend|afternoon|evening|morning)|tomorrow|immediately|urgent|urgently)\b", 0.15, "wants it soon"),
    (r"\b(?:ready\s+to|i'?m\s+interested|very\s+interested|definitely|i'?ll\s+take|let'?s\s+do\s+it|want\s+to\s+(?:buy|join|order|come\s+in|start))\b", 0.15, "ready to commit"),
    (r"\b(?:call\s+me|text\s+me|email\s+me|reach\s+me|contact\s+me|give\s+me\s+a\s+call|my\s+(?:number|phone|cell|email)\s+is)\b", 0.2, "asked to be contacted"),
    (r"\b(?:do|does|can)\s+(?:you|y'?all|you\s+guys)\s+(?:do|offer|have|take|accept|cut|sell|work\s+on|handle|help|allow|deliver|cater)\b", 0.15, "asked whether a service is offered"),
    (r"\b(?:how\s+much|price|cost|quote|estimate|availability|available|openings?|any\s+(?:beds|rooms|spots|tables))\b", 0.1, "asked about price or availability"),
)

SOON_PATTERN: Final = re.compile(
    r"\b(?:today|tonight|asap|right\s+away|right\s+now|this\s+(?:week|weekend|afternoon|evening|morning)|tomorrow|immediately|urgent)\b",
    re.I,
)

POSITIVE_WORDS: Final[frozenset[str]] = frozenset(
    """
    great awesome amazing love loved lovely excellent fantastic thanks thank appreciate appreciated
    perfect wonderful best happy glad nice helpful friendly delicious fresh clean recommend
    recommended impressed excited beautiful incredible stellar fast quick superb enjoyed enjoy
    pleasure grateful sweet fabulous outstanding
    honest fair welcoming welcomed supportive professional reliable trustworthy courteous polite
    knowledgeable friendliest tasty yummy spotless comfortable favorite favourite thrilled pleased
    """.split()
)
NEGATIVE_WORDS: Final[frozenset[str]] = frozenset(
    """
    bad terrible awful horrible worst rude angry upset unhappy disappointed disappointing cold late
    overcharged refund scam broken wrong dirty slow never hate hated useless ridiculous unacceptable
    frustrated frustrating annoyed poor nasty gross ruined messed sucks sucked problem problems
    issue issues hopeless scared afraid worried sad lonely depressed struggling hurt pain
    complaint complain ripped disgusting mess fail failed lousy
    disrespectful misleading misled waste wasted failing annoying unhelpful unprofessional filthy
    stale bland overpriced dishonest incompetent ignored careless sloppy smelly
    """.split()
)
NEGATORS: Final[frozenset[str]] = frozenset({"not", "no", "never", "isn't", "wasn't", "don't", "didn't", "aren't", "nothing", "hardly", "won't", "can't"})
# "No problem", "not bad" read as mildly positive or neutral, not negative.
NEUTRALISING_PHRASES: Final = re.compile(r"\b(?:no\s+problem|no\s+worries|not\s+bad|no\s+issue|any\s+issues?)\b", re.I)

WORD_PATTERN: Final = re.compile(r"[a-z']+")
