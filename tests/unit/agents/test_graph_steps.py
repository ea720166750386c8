"""Issue 17: the graph's supersteps and when a turn pays for the forward pass."""

from __future__ import annotations

import pytest

from agents.conversation import BotRunContext, Ports, Turn, TurnResult, conversation_reply, names
from agents.conversation.graph import build_conversation_graph
from agents.conversation.nodes import matching_text
from agents.conversation.state import RunDeps
from agents.embeddings import Embedder, FloatMatrix
from agents.providers import OfflineModelProvider


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: list[str]) -> FloatMatrix:
        self.texts.extend(texts)
        return self.inner.embed(texts)


def counted_reply(message: str, context: BotRunContext, ports: Ports, embedder: Embedder,
                  history: list[Turn] | None = None) -> tuple[TurnResult, list[str]]:
    """One turn on the real embedder; also returns the texts it embedded."""
    counting = CountingEmbedder(embedder)
    result = conversation_reply(message=message, history=history or [], context=context, ports=ports,
                                model=OfflineModelProvider(counting))  # type: ignore[arg-type]
    return result, counting.texts


def steps(message: str, context: BotRunContext, ports: Ports, model: OfflineModelProvider) -> list[str]:
    """The nodes one turn runs, in order (one LangGraph superstep each)."""
    deps = RunDeps(context=context, ports=ports, model=model)
    chunks = build_conversation_graph().stream({"message": message, "history": ()}, context=deps,
                                               stream_mode="updates")
    return [node for chunk in chunks for node in chunk]


def test_fixed_sequences_run_as_one_step_each(context: BotRunContext, ports: Ports,
                                              offline_model: OfflineModelProvider) -> None:
    # The longest path: nothing answers before retrieval, and retrieval finds nothing.
    assert steps("Do you sell motorcycle insurance?", context, ports, offline_model) == [
        names.DETECT, names.DIRECT_ANSWER, names.APPROVED_ANSWER, names.PACK_ACTION, names.RETRIEVE_AND_ANSWER,
        names.WRAP_UP,
    ]
    assert steps("hi", context, ports, offline_model) == [names.DETECT, names.DIRECT_ANSWER, names.WRAP_UP]
    assert steps("I want to end my life tonight", context, ports, offline_model) == [names.DETECT, names.CRISIS_REPLY]


def test_a_sequence_keeps_what_each_step_accumulates(context: BotRunContext, ports: Ports,
                                                     offline_model: OfflineModelProvider) -> None:
    # Contact details on an unanswerable question: lead capture records the lead, the fallback check
    # then sees it and acknowledges the details instead of falling back (both in the wrap-up node).
    result = conversation_reply(message="Do you sell motorcycle insurance? call me on 415-555-0142", history=[],
                                context=context, ports=ports, model=offline_model)
    assert result.lead is not None
    assert [c.label for c in result.lead.contacts] == ["phone"]
    assert (result.answered_by, result.is_fallback) == ("canned", False)
    fallback = conversation_reply(message="Do you sell motorcycle insurance?", history=[], context=context,
                                  ports=ports, model=offline_model)
    assert [item.kind for item in fallback.review_items] == ["unknown_question"]


@pytest.mark.parametrize("message", ["Hi there", "Hi! Hiya Cheers", "One more thing: hey Thank you.",
                                     "Quick question: Good evening. Appreciate it."])
def test_greetings_and_courtesy_get_small_talk_without_a_forward_pass(
    message: str, context: BotRunContext, ports: Ports, embedder: Embedder
) -> None:
    result, embedded = counted_reply(message, context, ports, embedder)
    assert (result.answered_by, result.is_fallback) == ("canned", False)
    assert embedded == []


@pytest.mark.parametrize("message", ["Hi, how much is a skin fade?", "hey I want to end it all",
                                     "Thanks! Do you do beard trims?"])
def test_a_greeting_with_a_question_still_pays_for_the_forward_pass(
    message: str, context: BotRunContext, ports: Ports, embedder: Embedder
) -> None:
    result, embedded = counted_reply(message, context, ports, embedder)
    assert embedded[0] == matching_text(message)
    assert result.answered_by != "canned"


@pytest.mark.parametrize(("message", "embedded"), [
    ("Hi! Sorry to bother you, is the patio heated? Thanks so much!", "is the patio heated?"),
    ("Quick question: do you deliver? Please let me know. Cheers", "do you deliver?"),
    ("ok what about parking", "what about parking"),
    # Content stays: thanks that is the message, words that only look like a greeting, an adjective at the end.
    ("Thank you for nothing", "Thank you for nothing"),
    ("Hi-fi speakers?", "Hi-fi speakers?"),
    ("Is the pasta nice", "Is the pasta nice"),
    ("Thanks", "Thanks"),
])
def test_the_question_is_embedded_without_the_courtesy_around_it(message: str, embedded: str) -> None:
    assert matching_text(message) == embedded


def test_stored_labels_of_earlier_turns_spare_classifying_them_again(
    context: BotRunContext, ports: Ports, embedder: Embedder
) -> None:
    booking = "Can you fit me in for a skin fade tomorrow at 5?"
    labelled = [Turn("visitor", booking, lead_type="appointment", buying_intent=0.9, crisis_level="none"),
                Turn("bot", "Sure, what's your number?")]
    result, embedded = counted_reply("415-555-0199", context, ports, embedder, history=labelled)
    assert result.lead is not None
    assert result.lead.lead_type == "appointment"
    assert matching_text(booking) not in embedded  # the stored labels were used

    bare = [Turn("visitor", booking), Turn("bot", "Sure, what's your number?")]
    again, embedded = counted_reply("415-555-0199", context, ports, embedder, history=bare)
    assert matching_text(booking) in embedded  # no labels: classified again, same lead
    assert again.lead is not None
    assert (again.lead.lead_type, again.lead.score) == (result.lead.lead_type, result.lead.score)
