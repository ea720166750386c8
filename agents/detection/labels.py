"""The shared label vocabulary from PRODUCT.md, as types. Every classifier and export uses these."""

from __future__ import annotations

from typing import Final, Literal, get_args

LeadType = Literal[
    "service_request", "appointment", "pricing", "hours_location", "complaint", "general_question", "other"
]
LeadScore = Literal["hot", "warm", "cold"]
Sentiment = Literal["positive", "neutral", "negative"]
CrisisLevel = Literal["none", "at_risk", "crisis"]
CrisisSensitivity = Literal["low", "medium", "high"]
IndustryMode = Literal["sober_living", "restaurant", "barbershop", "gym", "realtor", "auto_service"]

LEAD_TYPES: Final[tuple[LeadType, ...]] = get_args(LeadType)
LEAD_SCORES: Final[tuple[LeadScore, ...]] = get_args(LeadScore)
SENTIMENTS: Final[tuple[Sentiment, ...]] = get_args(Sentiment)
CRISIS_LEVELS: Final[tuple[CrisisLevel, ...]] = get_args(CrisisLevel)
INDUSTRY_MODES: Final[tuple[IndustryMode, ...]] = get_args(IndustryMode)
