"""Embedder benchmark: numpy vs onnxruntime on the same MiniLM weights, and the batch shape.

    .venv/bin/python -m ops.bench.embeddings [--short 200] [--long 64] [--threads 1,2]

Reports, asserts nothing. No database, no Django: the agents' embedder only.

* short: visitor-message-sized sentences (~12 tokens), one text per call (batch 1), the web path.
* long: document chunks of ~200 tokens (the knowledge chunker's size), as ingestion embeds them:
  fixed batch sizes 1/4/8/16/32 (sorted by length, padded per batch), and the shipped batching
  (`MiniLMEmbedder.embed`, capped by BATCH_SIZE texts and BATCH_TOKENS padded tokens).

Every text is distinct and no cache sits in front, so each figure is a real forward pass. Each row
gives wall-clock throughput and CPU throughput (texts per CPU-second of this process): on a shared
machine the wall figure moves with the load average and the CPU figure much less.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

# As in production (platform/config/__init__.py): one BLAS thread per process. Set before numpy loads;
# several OpenBLAS threads spin on a shared 2-core machine and burn CPU for nothing.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from agents.embeddings import minilm  # noqa: E402

WORDS = ("our kitchen serves fresh pasta every morning and the heated patio seats forty guests while dogs are "
         "welcome outside members ask about parking prices opening hours holiday closures guest passes lockers "
         "towel service personal training sauna rules booking tables for large groups birthday dinners").split()


def _texts(count: int, low: int, high: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{n}: " + " ".join(rng.choice(WORDS, int(rng.integers(low, high)))) for n in range(count)]


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _fixed_batches(embedder: minilm.MiniLMEmbedder, texts: list[str], size: int) -> None:
    forward = embedder._forward()  # noqa: SLF001 - the benchmark measures the runtime under fixed batch sizes
    encodings = minilm._load_tokenizer(embedder._model_dir).encode_batch(texts)  # noqa: SLF001
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    for start in range(0, len(order), size):
        chunk = order[start: start + size]
        length = max(len(encodings[i].ids) for i in chunk)
        ids = np.zeros((len(chunk), length), dtype=np.int64)
        mask = np.zeros((len(chunk), length), dtype=np.int64)
        for row, i in enumerate(chunk):
            ids[row, : len(encodings[i].ids)] = encodings[i].ids
            mask[row, : len(encodings[i].ids)] = 1
        forward(ids, mask)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", type=int, default=200, help="short sentences embedded one at a time")
    parser.add_argument("--long", type=int, default=64, help="~200-token chunks")
    parser.add_argument("--threads", default="1,2", help="onnxruntime intra-op threads to try")
    parser.add_argument("--batches", default="1,4,8,16,32")
    parser.add_argument("--runtimes", default="numpy,onnxruntime")
    args = parser.parse_args()

    short = _texts(args.short, 6, 12, seed=1)
    long = _texts(args.long, 150, 175, seed=2)  # ~185-200 tokens with the word pieces
    tokenizer = minilm._load_tokenizer(str(minilm.default_model_dir()))  # noqa: SLF001
    short_tokens = np.mean([len(e.ids) for e in tokenizer.encode_batch(short)])
    long_tokens = np.mean([len(e.ids) for e in tokenizer.encode_batch(long)])
    rows: list[str] = []

    def row(label: str, count: int, wall: float, cpu: float) -> None:
        load = os.getloadavg()[0]
        line = f"| {label} | {count} | {count / wall:.1f} | {count / cpu:.1f} | {load:.1f} |"
        rows.append(line)
        print(line, flush=True)

    configs: list[tuple[str, int]] = []
    for runtime in args.runtimes.split(","):
        if runtime == "numpy":
            configs.append(("numpy", 1))
        else:
            configs.extend(("onnxruntime", int(t)) for t in args.threads.split(","))
    for runtime, threads in configs:
        embedder = minilm.MiniLMEmbedder(runtime=runtime, threads=threads)  # type: ignore[arg-type]
        setup_wall, setup_cpu = _timed(embedder.warm_up)
        tag = runtime if runtime == "numpy" else f"onnxruntime {threads} thread{'s' if threads > 1 else ''}"
        print(f"{tag}: load/build {setup_wall:.2f} s wall, {setup_cpu:.2f} s CPU", flush=True)
        embedder.embed(short[:3])
        wall, cpu = _timed(lambda e=embedder: [e.embed([text]) for text in short])  # type: ignore[misc]
        row(f"{tag}, short sentences, batch 1", len(short), wall, cpu)
        for size in (int(b) for b in args.batches.split(",")):
            wall, cpu = _timed(lambda e=embedder, s=size: _fixed_batches(e, long, s))  # type: ignore[misc]
            row(f"{tag}, 200-token chunks, batch {size}", len(long), wall, cpu)
        wall, cpu = _timed(lambda e=embedder: e.embed(long))  # type: ignore[misc]
        row(f"{tag}, 200-token chunks, shipped batching (≤{minilm.BATCH_SIZE} texts, ≤{minilm.BATCH_TOKENS} "
            f"tokens)", len(long), wall, cpu)

    load = os.getloadavg()
    print(f"\nMachine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()} · "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · load average at end {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}")
    print(f"short ≈ {short_tokens:.0f} tokens, long ≈ {long_tokens:.0f} tokens\n")
    print("| runtime, texts, batch | texts | texts/s (wall) | texts per CPU-second | load (1 min) |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
