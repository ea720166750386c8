"""Node names of the conversation graph: one spelling, used by graph.py and tests."""

from typing import Final

DETECT: Final = "detect"
CRISIS_REPLY: Final = "crisis_reply"
APPROVED_ANSWER: Final = "approved_answer"
RETRIEVE: Final = "retrieve"
ANSWER: Final = "answer"
LEAD_CAPTURE: Final = "lead_capture"
FALLBACK_CHECK: Final = "fallback_check"
AT_RISK_REPLY: Final = "at_risk_reply"
DIRECT_ANSWER: Final = "direct_answer"
COMPOSE_REPLY: Final = "compose_reply"
PACK_ACTION: Final = "pack_action"
