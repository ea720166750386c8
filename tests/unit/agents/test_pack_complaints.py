"""A complaint needs a complaint's words: "cold" weather is not cold food."""

from __future__ import annotations

import pytest

from agents.conversation import conversation_reply
from agents.embeddings import Embedder
from agents.evaluation.engine_eval import pack_bot
from agents.providers import OfflineModelProvider


@pytest.mark.parametrize("message", ["Can we sit outside when it's cold?", "Is anything vegan missing from the menu?"])
def test_restaurant_questions_with_complaint_like_words_are_not_complaints(message: str, embedder: Embedder) -> None:
    context, ports = pack_bot("restaurant", embedder)
    result = conversation_reply(message=message, history=[], context=context, ports=ports,
                                model=OfflineModelProvider(embedder))
    assert result.detection.classification.lead_type != "complaint"
    assert "sorry about that" not in result.reply


@pytest.mark.parametrize("message", ["My food was cold when it got here", "Two sides were missing from my order"])
def test_restaurant_complaints_still_get_the_complaint_reply(message: str, embedder: Embedder) -> None:
    context, ports = pack_bot("restaurant", embedder)
    result = conversation_reply(message=message, history=[], context=context, ports=ports,
                                model=OfflineModelProvider(embedder))
    assert result.detection.classification.lead_type == "complaint"
    assert "sorry about that" in result.reply
