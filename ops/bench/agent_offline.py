"""Per-message latency of the offline conversation graph (detect + retrieve via a fake port + answer).

    .venv/bin/python ops/bench/agent_offline.py [--messages 500]

Reports numbers, asserts nothing. MiniLM load and prototype embedding happen before timing starts;
the embedding cache is disabled so every message pays its forward passes (worst realistic case).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agents.conversation import BotRunContext, KnowledgeHit, Ports, conversation_reply  # noqa: E402
from agents.embeddings import MiniLMEmbedder  # noqa: E402
from agents.providers import OfflineModelProvider  # noqa: E402

KNOWLEDGE = [
    ("hours", "Opening hours", "We are open Monday to Friday from 9am to 7pm. On Saturday we open at 10am and close at 4pm. We are closed on Sundays."),
    ("prices", "Prices", "A classic haircut costs $30. A skin fade is $35. Beard trims are $15, or $40 together with a haircut."),
    ("booking", "Booking", "You can book online any time. Walk-ins are welcome when a chair is free. We hold late arrivals for 10 minutes."),
    ("parking", "Location", "We are at 12 Harbor Street, next to the ferry terminal. Free parking is behind the building."),
    ("kids", "Kids", "Kids cuts for under 12s are $20. Parents can stay with their child in the chair."),
]


class InMemoryKnowledge:
    def __init__(self, provider: OfflineModelProvider) -> None:
        self.vectors = provider.embedder.embed([text for _, _, text in KNOWLEDGE])

    def search(self, query: str, embedding: list[float], k: int) -> list[KnowledgeHit]:
        scores = self.vectors @ np.asarray(embedding, dtype=np.float32)
        return [KnowledgeHit(KNOWLEDGE[i][0], KNOWLEDGE[i][2], KNOWLEDGE[i][1], None, float(scores[i])) for i in np.argsort(-scores)[:k]]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    devset = Path(__file__).resolve().parents[2] / "agents" / "evaluation" / "devset.jsonl"
    texts = [json.loads(line)["text"] for line in devset.read_text().splitlines() if line.strip()]
    messages = [texts[i % len(texts)] for i in range(args.messages)]

    provider = OfflineModelProvider(MiniLMEmbedder())  # uncached on purpose
    ports = Ports(knowledge=InMemoryKnowledge(provider))
    context = BotRunContext(client_slug="bench", bot_id="1", business_name="Harbor Cuts", booking_url="https://book.example")
    conversation_reply(message="warm up", history=[], context=context, ports=ports, model=provider)

    timings = []
    started = time.perf_counter()
    for message in messages:
        t0 = time.perf_counter()
        conversation_reply(message=message, history=[], context=context, ports=ports, model=provider)
        timings.append((time.perf_counter() - t0) * 1000)
    wall = time.perf_counter() - started
    q = statistics.quantiles(timings, n=100)
    print(f"offline graph, {len(messages)} messages, {wall:.1f}s wall")
    print(f"p50 {q[49]:.1f} ms   p95 {q[94]:.1f} ms   max {max(timings):.1f} ms   mean {statistics.fmean(timings):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
