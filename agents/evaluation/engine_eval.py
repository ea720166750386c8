"""Engine quality on the public-sourced development set (docs/quality.md).

    python -m agents.evaluation.engine_eval [--split dev|heldout|all] [--show-misses]

Runs the real conversation graph offline (MiniLM, extractive answers) over each industry pack's own
data: its FAQs as approved answers and knowledge, its structured section as pack data, and a fixed
set of business facts per pack. In-memory ports stand in for Postgres: retrieval here is pure cosine,
so the live hybrid (vector + full-text) search can only do better on the same questions.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from agents.conversation import ApprovedAnswer, BotRunContext, KnowledgeHit, Ports, conversation_reply
from agents.conversation.context import CrisisSettings, QuickReply, Trigger
from agents.conversation.facts import BusinessFacts, DayHours, FactNote, ServiceFact
from agents.conversation.paraphrase import rule_paraphrases
from agents.detection.intent import IntentRule
from agents.embeddings import CachingEmbedder, Embedder, MiniLMEmbedder
from agents.providers import OfflineModelProvider

DEVSET = Path(__file__).with_name("engine_devset.jsonl")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Facts per pack, as an agency would enter them (the same shape as the demo clients).
FACTS: dict[str, dict[str, Any]] = {
    "barbershop": {"phone": "(555) 422-9031", "address": "77 Congress St, Portland, ME", "hours": "tue-fri 10:00-19:00; sat 09:00-17:00",
                   "notes": [("parking", ("park", "parking"), "Free parking in the lot behind the shop; enter from Oak St.")]},
    "restaurant": {"phone": "(555) 318-2207", "address": "210 Commercial St, Portland, ME", "hours": "mon-thu 11:00-21:00; fri-sat 11:00-22:30; sun 10:00-20:00",
                   "notes": [("parking", ("park", "parking"), "Metered street parking, and the Fore St garage is a two-minute walk.")]},
    "gym": {"phone": "(555) 630-1180", "address": "5 Marginal Way, Portland, ME", "hours": "mon-fri 05:00-22:00; sat-sun 07:00-19:00",
            "notes": [("parking", ("park", "parking"), "Free member parking in our own lot.")]},
    "realtor": {"phone": "(555) 774-5521", "address": "120 Exchange St, Portland, ME", "hours": "mon-fri 09:00-18:00; sat 10:00-16:00", "notes": []},
    "auto_service": {"phone": "(555) 889-3302", "address": "402 Forest Ave, Portland, ME", "hours": "mon-fri 07:30-18:00; sat 08:00-13:00",
                     "notes": [("drop off", ("drop off", "drop my car off", "after hours", "key drop"),
                                "Yes: use the key drop box by the office door after hours.")]},
    "sober_living": {"phone": "(555) 201-4410", "address": "48 Linden Ave, Portland, ME", "hours": "mon-fri 09:00-18:00; sat-sun 10:00-16:00",
                     "notes": [("parking", ("park", "parking"), "Free street parking on Linden Ave and two visitor spots."),
                               ("rent", ("rent", "cost", "how much", "weekly"), "Rent is $225 a week for a shared room, utilities included.")]},
}
LINKS = {"booking_url": "https://example.test/book", "menu_url": "https://example.test/menu", "ordering_url": "https://example.test/order",
         "doordash_url": "https://example.test/dd", "ubereats_url": "https://example.test/ue", "grubhub_url": "https://example.test/gh",
         "listings_url": "https://example.test/listings", "agent_name": "Dana Reyes"}


def _hours(text: str) -> tuple[DayHours, ...]:
    out = []
    for part in text.split(";"):
        days, span = part.strip().split(" ")
        first, _, last = days.partition("-")
        opens, closes = span.split("-")
        for day in range(_DAYS.index(first), _DAYS.index(last or first) + 1):
            out.append(DayHours(day, opens, closes))
    return tuple(out)


def _fill(value: Any, details: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{([a-z_]+)\}", lambda m: details.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _fill(v, details) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, details) for v in value]
    return value


class MemoryKnowledge:
    def __init__(self, embedder: Embedder, items: list[tuple[str, str]], *, paraphrases: bool = True) -> None:
        self.items = items
        self.vectors = embedder.embed([f"{title}\n{body}" for title, body in items])
        # Each FAQ is matched by its question and (as stored at approval) its paraphrases.
        owners = [(i, title) for i, (title, _) in enumerate(items)]
        if paraphrases:
            owners += [(i, p) for i, (title, _) in enumerate(items) for p in rule_paraphrases(title)]
        self.owner: list[int] = [i for i, _ in owners]
        self.questions = embedder.embed([text for _, text in owners])

    def search(self, query: str, embedding: list[float], k: int) -> list[KnowledgeHit]:
        scores = self.vectors @ np.asarray(embedding, dtype=np.float32)
        return [KnowledgeHit(str(i), f"{self.items[i][0]}\n{self.items[i][1]}", self.items[i][0], None, float(scores[i]))
                for i in np.argsort(-scores)[:k]]

    def match(self, query: str, embedding: list[float]) -> ApprovedAnswer | None:
        scores = self.questions @ np.asarray(embedding, dtype=np.float32)
        per_faq: dict[int, float] = {}
        for owner, score in zip(self.owner, (float(x) for x in scores), strict=True):
            per_faq[owner] = max(score, per_faq.get(owner, -1.0))
        ranked = sorted(per_faq, key=lambda i: -per_faq[i])
        best = ranked[0]
        return ApprovedAnswer(str(best), self.items[best][0], self.items[best][1], per_faq[best],
                              alternatives=tuple((self.items[i][0], per_faq[i]) for i in ranked[1:2]))


def pack_bot(mode: str, embedder: Embedder, *, paraphrases: bool = True) -> tuple[BotRunContext, Ports]:
    from industry_modes import load_pack  # no Django: packs are plain data

    pack = load_pack(mode)
    facts_in = FACTS[mode]
    details = {"business_name": f"Test {mode}", "business_phone": facts_in["phone"], **LINKS}
    section = _fill(pack.industry.model_dump(mode="json"), details)
    services = [ServiceFact(s["name"], float(s["price"]), "from" if s.get("price_is_starting") else "", s.get("duration_minutes"),
                            s.get("description") or "") for s in section.get("styles") or []]
    services += [ServiceFact(f"{p['name']} membership", float(p["monthly_price"]), "per month") for p in section.get("memberships") or []]
    services += [ServiceFact(i["name"], float(i["price"]), "", None, i.get("description") or "")
                 for m in section.get("menu_sections") or [] for i in m.get("items") or [] if i.get("price") is not None]
    facts = BusinessFacts(phone=facts_in["phone"], address=facts_in["address"], hours=_hours(facts_in["hours"]),
                          booking_url=LINKS["booking_url"], services=tuple(services),
                          notes=tuple(FactNote(t, k, x) for t, k, x in facts_in["notes"]))
    faqs = [(_fill(f.question, details), _fill(f.answer, details)) for f in pack.faqs]
    knowledge = MemoryKnowledge(embedder, faqs, paraphrases=paraphrases)
    context = BotRunContext(
        client_slug=mode, bot_id="eval", business_name=f"Test {mode}", booking_url=LINKS["booking_url"],
        fallback_message="FALLBACK", industry_mode=mode, facts=facts, pack_data=section,  # type: ignore[arg-type]
        crisis=CrisisSettings(keywords=tuple(pack.crisis.keywords) if pack.crisis.enabled else (),
                              sensitivity=pack.crisis.sensitivity),
        quick_replies=tuple(QuickReply(q.label, _fill(q.message, details) if q.message else None, q.action) for q in pack.quick_replies),
        triggers=tuple(Trigger(t.key, tuple(t.phrases), t.action, _fill(t.reply, details)) for t in pack.triggers),
        # The pack's intents, as a live bot gets them (tenants/conversations/agent_runtime.bot_run_context).
        intents=tuple(IntentRule(name=i.name, lead_type=i.lead_type, keywords=tuple(i.keywords)) for i in pack.intents),
    )
    return context, Ports(knowledge=knowledge, approved_answers=knowledge)


def evaluate(split: str = "all", show_misses: bool = False, *, paraphrases: bool = True,
             embedder: Embedder | None = None) -> dict[str, Any]:
    """`embedder` replaces the shipped MiniLM, to measure what another embedder would change (ops/bench)."""
    from agents.detection import classify_text

    embedder = embedder or CachingEmbedder(MiniLMEmbedder())
    model = OfflineModelProvider(embedder)
    rows = [json.loads(line) for line in DEVSET.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if split == "all" or r["split"] == split]
    bots: dict[str, tuple[BotRunContext, Ports]] = {}
    counts: Counter[str] = Counter()
    misses: list[str] = []
    for row in rows:
        kind = row["kind"]
        if kind in ("crisis", "at_risk", "none"):
            level = classify_text(row["text"], embedder=embedder, crisis_sensitivity="medium").crisis_level
            counts[f"{kind}_total"] += 1
            hit = level == kind if kind != "at_risk" else level in ("at_risk", "crisis")
            counts[f"{kind}_ok"] += int(hit)
            if not hit:
                misses.append(f"{kind:8} got {level:8} | {row['text']}")
            continue
        mode = row["pack"]
        if mode not in bots:
            bots[mode] = pack_bot(mode, embedder, paraphrases=paraphrases)
        context, ports = bots[mode]
        result = conversation_reply(message=row["text"], history=[], context=context, ports=ports, model=model)
        fell_back = result.is_fallback or result.answered_by in ("fallback", "did_you_mean")
        counts[f"{kind}_total"] += 1
        counts[f"{kind}_by_{result.answered_by}"] += 1
        if kind == "answer":
            if fell_back:
                misses.append(f"fallback          | {mode}: {row['text']}")
            elif row["expect"] and row["expect"].lower() not in result.reply.lower():
                counts["wrong_fact"] += 1
                misses.append(f"wrong/unexpected  | {mode}: {row['text']} -> {result.reply[:100]!r}")
            else:
                counts["answer_ok"] += 1
        else:
            counts["fallback_ok"] += int(fell_back)
            if not fell_back:
                misses.append(f"answered OOD      | {mode}: {row['text']} -> {result.reply[:100]!r}")
    def rate(ok: str, total: str) -> float:
        return round(counts[ok] / counts[total], 3) if counts[total] else 0.0
    report = {
        "split": split, "items": len(rows), "paraphrases": paraphrases,
        "answer_rate": rate("answer_ok", "answer_total"),
        "answered_any": round((counts["answer_ok"] + counts["wrong_fact"]) / max(1, counts["answer_total"]), 3),
        "wrong_fact_count": counts["wrong_fact"],
        "correct_fallback_rate": rate("fallback_ok", "fallback_total"),
        "crisis_recall": rate("crisis_ok", "crisis_total"),
        "at_risk_recall": rate("at_risk_ok", "at_risk_total"),
        "false_alarm_rate": round(1 - rate("none_ok", "none_total"), 3) if counts["none_total"] else 0.0,
        "counts": dict(counts),
    }
    if show_misses:
        report["misses"] = misses
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--no-paraphrases", action="store_true", help="match FAQ questions only (for the lift)")
    args = parser.parse_args()
    print(json.dumps(evaluate(args.split, args.show_misses, paraphrases=not args.no_paraphrases), indent=2))


if __name__ == "__main__":
    main()
