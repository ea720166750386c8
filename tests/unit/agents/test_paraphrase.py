"""FAQ paraphrases written at approval time: deterministic, offline, never the question itself."""

from __future__ import annotations

from agents.conversation.paraphrase import MAX_PARAPHRASES, merge_paraphrases, rule_paraphrases
from agents.conversation.results import ReviewItem
from agents.conversation.state import add_effects, add_review_items


def test_common_question_shapes_get_the_short_forms_visitors_type() -> None:
    assert {"can you deliver", "do you guys deliver", "deliver"} <= set(rule_paraphrases("Do you deliver?"))
    assert "free trial" in rule_paraphrases("Is there a free trial?")
    assert "price of a haircut" in rule_paraphrases("How much is a haircut?") or \
        "price of haircut" in rule_paraphrases("How much is a haircut?")
    assert "do you guarantee your work" in rule_paraphrases("Do you warranty your work?")


def test_paraphrases_are_deterministic_bounded_and_never_the_question() -> None:
    question = "Do you offer rides or loaner cars?"
    first = rule_paraphrases(question)
    assert first == rule_paraphrases(question)
    assert 0 < len(first) <= MAX_PARAPHRASES
    assert question.lower().rstrip("?") not in first
    assert len(set(first)) == len(first)
    assert rule_paraphrases("   ") == ()


def test_model_paraphrases_are_merged_after_the_rules_without_duplicates() -> None:
    merged = merge_paraphrases("Do you deliver?", ["Can you deliver", "Do you do home delivery?", "Do you deliver?"])
    assert merged[: len(rule_paraphrases("Do you deliver?"))] == rule_paraphrases("Do you deliver?")
    assert "Do you do home delivery" in merged
    assert sum(1 for m in merged if m.lower() == "can you deliver") == 1
    assert "Do you deliver" not in merged


def test_state_reducers_only_accumulate() -> None:
    fallback, crisis = ReviewItem("fallback", "x"), ReviewItem("crisis", "y")
    assert add_review_items((crisis,), (fallback, crisis)) == (crisis, fallback)
    assert add_effects((), ()) == ()
