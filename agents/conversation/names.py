"""Node names of the conversation graph: one spelling, used by graph.py and tests."""

from typing import Final

DETECT: Final = "detect"
CRISIS_REPLY: Final = "crisis_reply"
APPROVED_ANSWER: Final = "approved_answer"
# A fixed sequence is one node (LangGraph costs ~0.25 ms of CPU per superstep; issue 17):
# retrieve, then answer from what was found.
RETRIEVE_AND_ANSWER: Final = "retrieve_and_answer"
# lead capture, then the fallback check, then the visitor-facing reply.
WRAP_UP: Final = "wrap_up"
AT_RISK_REPLY: Final = "at_risk_reply"
DIRECT_ANSWER: Final = "direct_answer"
PACK_ACTION: Final = "pack_action"
