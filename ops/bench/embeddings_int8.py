"""Would int8 MiniLM weights pay? CPU per visitor message, closeness to the model, and answer quality.

    .venv/bin/python -m ops.bench.embeddings_int8 [--messages 300]

The float32 graph (agents/embeddings/onnx_graph.py) against the same graph with int8 weights
(onnxruntime dynamic quantisation, per output channel, MatMul + fused Attention), on onnxruntime with
one intra-op thread, as the web process runs it. Prints:

1. CPU milliseconds per short message (distinct ~20-token sentences, batch 1, no cache) for each;
2. cosine of int8 vectors to float32 vectors of the same texts (min / median);
3. the engine quality set (agents/evaluation/engine_eval.py: dev and held-out) with each embedder.

Reports, asserts nothing. The int8 graph is built here only: the product ships float32
(docs/decisions/0036-graph-supersteps-and-float32-embeddings.md says why).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from agents.embeddings import CachingEmbedder, MiniLMEmbedder  # noqa: E402
from agents.embeddings.onnx_graph import build_minilm_onnx  # noqa: E402
from agents.evaluation.engine_eval import evaluate  # noqa: E402

OPENERS = ("", "Hi! ", "Quick question: ", "Hello, ", "Sorry to bother you, ")
QUESTIONS = ("is the patio heated in winter", "do you have vegan dishes on the menu", "can I book a table for {n}",
             "what time do you close on day {n}", "can I bring my dog to table {n}", "do you deliver to zone {n}")


def int8_model(model: bytes) -> bytes:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="bench-minilm-") as scratch:
        source, target = Path(scratch) / "float.onnx", Path(scratch) / "int8.onnx"
        source.write_bytes(model)
        quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Attention"],
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})
        return target.read_bytes()


def session(model: bytes) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


class SessionEmbedder(MiniLMEmbedder):
    """The shipped tokenizer, batching and pooling, on another onnxruntime session."""

    def __init__(self, onnx_session: Any, label: str) -> None:
        super().__init__(runtime="onnxruntime")
        self._session, self._label = onnx_session, label

    @property
    def name(self) -> str:
        return f"all-MiniLM-L6-v2-{self._label}"  # prototype caches must not mix the two

    def _forward(self) -> Any:
        def run(ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
            return np.asarray(self._session.run(["pooled"], {"input_ids": ids, "attention_mask": mask})[0],
                              dtype=np.float32)

        return run


def cpu_ms_per_message(embedder: MiniLMEmbedder, texts: list[str]) -> float:
    embedder.embed(["warm up"])
    started = time.process_time()
    for text in texts:
        embedder.embed([text])
    return (time.process_time() - started) / len(texts) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    texts = [OPENERS[i % len(OPENERS)] + QUESTIONS[i % len(QUESTIONS)].format(n=i) + "?" for i in range(args.messages)]
    started = time.process_time()
    float_model = build_minilm_onnx(Path(MiniLMEmbedder()._model_dir))
    quantised = int8_model(float_model)
    build_s = time.process_time() - started
    embedders = {"float32": SessionEmbedder(session(float_model), "float32"),
                 "int8": SessionEmbedder(session(quantised), "int8")}
    load = os.getloadavg()[0]
    print(f"Machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()} · "
          f"{datetime.now(UTC):%Y-%m-%dT%H:%M}+00:00 · load {load:.2f} · both graphs built in {build_s:.1f} s CPU")
    cpu = {label: cpu_ms_per_message(embedder, texts) for label, embedder in embedders.items()}
    a, b = embedders["float32"].embed(texts), embedders["int8"].embed(texts)
    cosines = np.sum(a * b, axis=1)
    print(f"CPU ms per message: float32 {cpu['float32']:.2f}, int8 {cpu['int8']:.2f} "
          f"({cpu['float32'] / cpu['int8']:.1f}x less)")
    print(f"cosine int8 vs float32 over {len(texts)} messages: min {cosines.min():.4f}, "
          f"median {np.median(cosines):.4f}")
    keys = ("answer_rate", "wrong_fact_count", "crisis_recall", "at_risk_recall", "false_alarm_rate")
    print("| embedder | split | " + " | ".join(keys) + " |")
    print("|---|---|" + "---:|" * len(keys))
    for label, embedder in embedders.items():
        for split in ("dev", "heldout"):
            result = evaluate(split, embedder=CachingEmbedder(embedder))
            print(f"| {label} | {split} | " + " | ".join(json.dumps(result.get(k)) for k in keys) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
