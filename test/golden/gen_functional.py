"""Golden fixtures for engine/functional.ts, written by PyTorch.

Rerun (from the repository root) after changing a case:
    /usr/bin/python3 test/golden/gen_functional.py
It rewrites test/fixtures/functional_golden.json; test/engine/functional/golden.test.ts reads it,
so the TypeScript tests never need Python.

For every case the inputs are float32 values (drawn with a fixed seed), the reference is computed
in float64 from exactly those values (so it is the true answer, not PyTorch's own float32 rounding),
and the input gradients are those of sum(out * w) for a fixed random w of the output's shape.
The TS test runs the engine in float32 and checks it within 1e-5 relative error of this reference.

JSON layout: {"torch": version, "cases": [{"name", "fn", "args", "inputs", "w", "out", "grads"}]}
where a tensor is {"shape": [...], "dtype": "float32" | "int32", "data": [flat row-major values]}
and "grads" maps the name of each differentiable input to its gradient.
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "functional_golden.json")
torch.manual_seed(20221126)  # the paper's arXiv month; any fixed value works


def rand(*shape, lo=-2.0, hi=2.0):
    """Uniform float32 values, held as float64 so the reference is computed exactly from them."""
    return (torch.rand(shape, dtype=torch.float32) * (hi - lo) + lo).double()


def encode(t):
    is_int = t.dtype in (torch.int32, torch.int64)
    flat = t.detach().reshape(-1).tolist()
    # 9 significant digits round-trip any float32; the reference is float64 but only float32 accuracy is tested.
    data = [int(v) for v in flat] if is_int else [float(f"{v:.9g}") for v in flat]
    return {"shape": list(t.shape), "dtype": "int32" if is_int else "float32", "data": data}


cases = []


def case(name, fn, args, inputs, compute):
    """Runs compute(**inputs) in float64, backpropagates sum(out * w) and records everything."""
    leaves = {k: (v.clone().requires_grad_(True) if v.is_floating_point() else v) for k, v in inputs.items()}
    out = compute(**leaves)
    w = rand(*out.shape, lo=-1.0, hi=1.0)
    (out * w).sum().backward()
    cases.append({
        "name": name,
        "fn": fn,
        "args": args,
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "w": encode(w),
        "out": encode(out),
        "grads": {k: encode(v.grad) for k, v in leaves.items() if v.is_floating_point() and v.grad is not None},
    })


def class_targets(shape, classes, ignored=0):
    """int32 class indices with `ignored` positions set to -100 (PyTorch's default ignore_index)."""
    t = torch.randint(0, classes, shape, dtype=torch.int64)
    flat = t.view(-1)
    flat[torch.randperm(flat.numel())[:ignored]] = -100
    return t.to(torch.int32)


ce = lambda x, target, **kw: F.cross_entropy(x, target.long() if not target.is_floating_point() else target, **kw)

# ---- softmax family ----
for dim in (0, -1):
    case(f"softmax_dim{dim}", "softmax", {"dim": dim}, {"x": rand(3, 4, 5, lo=-4, hi=4)}, lambda x: F.softmax(x, dim))
    case(f"logSoftmax_dim{dim}", "logSoftmax", {"dim": dim}, {"x": rand(3, 4, 5, lo=-4, hi=4)}, lambda x: F.log_softmax(x, dim))

# ---- layerNorm ----
case("layerNorm_eps1e-5", "layerNorm", {"normalizedShape": [8], "eps": 1e-5},
     {"x": rand(2, 3, 8), "weight": rand(8), "bias": rand(8)},
     lambda x, weight, bias: F.layer_norm(x, [8], weight, bias, 1e-5))
case("layerNorm_2d_eps1e-6", "layerNorm", {"normalizedShape": [3, 8], "eps": 1e-6},
     {"x": rand(2, 3, 8), "weight": rand(3, 8), "bias": rand(3, 8)},
     lambda x, weight, bias: F.layer_norm(x, [3, 8], weight, bias, 1e-6))

# ---- gelu ----
for approx in ("none", "tanh"):
    case(f"gelu_{approx}", "gelu", {"approximate": approx}, {"x": rand(40, lo=-5, hi=5)}, lambda x: F.gelu(x, approximate=approx))

# ---- linear and batched broadcasting matmul ----
case("linear", "linear", {}, {"x": rand(2, 3, 5), "weight": rand(4, 5), "bias": rand(4)}, lambda x, weight, bias: F.linear(x, weight, bias))
case("matmul_broadcast", "matmul", {}, {"a": rand(2, 1, 3, 4), "b": rand(5, 4, 2)}, lambda a, b: torch.matmul(a, b))

# ---- crossEntropy ----
case("crossEntropy_plain", "crossEntropy", {}, {"x": rand(6, 5, lo=-3, hi=3), "target": class_targets([6], 5)},
     lambda x, target: ce(x, target))
case("crossEntropy_ignore", "crossEntropy", {}, {"x": rand(7, 4, lo=-3, hi=3), "target": class_targets([7], 4, ignored=3)},
     lambda x, target: ce(x, target))
case("crossEntropy_soft", "crossEntropy", {}, {"x": rand(5, 6, lo=-3, hi=3), "target": F.softmax(rand(5, 6, lo=-3, hi=3), 1).float().double()},
     lambda x, target: ce(x, target))
case("crossEntropy_smoothing", "crossEntropy", {"labelSmoothing": 0.1},
     {"x": rand(6, 5, lo=-3, hi=3), "target": class_targets([6], 5, ignored=2)},
     lambda x, target: ce(x, target, label_smoothing=0.1))
case("crossEntropy_smoothing_weight_sum", "crossEntropy", {"labelSmoothing": 0.1, "reduction": "sum", "useWeight": True},
     {"x": rand(6, 5, lo=-3, hi=3), "target": class_targets([6], 5, ignored=2), "weight": rand(5, lo=0.2, hi=2)},
     lambda x, target, weight: ce(x, target, weight=weight.detach(), label_smoothing=0.1, reduction="sum"))
case("crossEntropy_smoothing_weight_mean", "crossEntropy", {"labelSmoothing": 0.1, "useWeight": True},
     {"x": rand(6, 5, lo=-3, hi=3), "target": class_targets([6], 5, ignored=2), "weight": rand(5, lo=0.2, hi=2)},
     lambda x, target, weight: ce(x, target, weight=weight.detach(), label_smoothing=0.1))
case("crossEntropy_weight_mean", "crossEntropy", {"useWeight": True},
     {"x": rand(6, 5, lo=-3, hi=3), "target": class_targets([6], 5, ignored=1), "weight": rand(5, lo=0.2, hi=2)},
     lambda x, target, weight: ce(x, target, weight=weight.detach()))
case("crossEntropy_NCd", "crossEntropy", {}, {"x": rand(3, 5, 4, lo=-3, hi=3), "target": class_targets([3, 4], 5, ignored=3)},
     lambda x, target: ce(x, target))
case("crossEntropy_NCd_none", "crossEntropy", {"reduction": "none", "labelSmoothing": 0.2},
     {"x": rand(2, 4, 3, lo=-3, hi=3), "target": class_targets([2, 3], 4, ignored=2)},
     lambda x, target: ce(x, target, reduction="none", label_smoothing=0.2))

# ---- normalize and cosine similarity ----
case("normalize_dim1", "normalize", {"dim": 1}, {"x": rand(3, 4, 5)}, lambda x: F.normalize(x, dim=1))
case("normalize_dim-1", "normalize", {"dim": -1}, {"x": rand(4, 6)}, lambda x: F.normalize(x, dim=-1))
case("cosineSimilarity", "cosineSimilarity", {"dim": -1}, {"a": rand(3, 1, 6), "b": rand(4, 6)}, lambda a, b: F.cosine_similarity(a, b, dim=-1))

# ---- pooling and patch-embedding convolution ----
case("avgPool2d_14_k5_s4", "avgPool2d", {"kernelSize": 5, "stride": 4}, {"x": rand(2, 3, 14, 14)}, lambda x: F.avg_pool2d(x, 5, 4))
case("avgPool2d_4_k2", "avgPool2d", {"kernelSize": 2}, {"x": rand(1, 2, 4, 4)}, lambda x: F.avg_pool2d(x, 2))
case("conv2d_patch", "conv2d", {"stride": 4}, {"x": rand(2, 3, 8, 12), "weight": rand(5, 3, 4, 4, lo=-0.5, hi=0.5), "bias": rand(5)},
     lambda x, weight, bias: F.conv2d(x, weight, bias, stride=4))

# ---- attention with bias and key mask ----
def attention(q, k, v, bias, keyMask):
    scores = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5 + bias
    scores = scores.masked_fill(keyMask.unsqueeze(-2) == 0, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, -1) @ v


key_mask = torch.tensor([[[1, 1, 1, 0, 0]], [[1, 0, 1, 1, 1]]], dtype=torch.int32)  # [B, 1, Lk]: heads broadcast
case("attention_bias_mask", "scaledDotProductAttention", {},
     {"q": rand(2, 2, 3, 4), "k": rand(2, 2, 5, 4), "v": rand(2, 2, 5, 3), "bias": rand(2, 3, 5), "keyMask": key_mask},
     attention)

# ---- embedding with a padding row ----
case("embedding_padding", "embedding", {"paddingIdx": 1},
     {"indices": torch.tensor([[0, 1, 3, 1, 5], [2, 2, 4, 1, 0]], dtype=torch.int32), "weight": rand(6, 4)},
     lambda indices, weight: F.embedding(indices.long(), weight, padding_idx=1))

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)} ({os.path.getsize(OUT) // 1024} KB)")
