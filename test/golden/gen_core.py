"""Writes test/fixtures/core_golden.json: torch 1.13 printing of tensors and values of var/logsumexp/pow/gelu/softmax.

Run: /usr/bin/python3 test/golden/gen_core.py  (deterministic; no random draws).
Each print case is rebuilt on the TypeScript side from its flat values, shape, dtype and requires_grad.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float32)
INF, NAN = float("inf"), float("nan")


def enc(v):
    return "nan" if math.isnan(v) else ("inf" if v == INF else ("-inf" if v == -INF else v))


def case(name, values, shape, dtype="float32", requires_grad=False, op=None):
    tdtype = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int64}[dtype]
    t = torch.tensor(values, dtype=tdtype).reshape(shape)
    if requires_grad:
        t.requires_grad_()
    if op == "mul2":
        t = t * 2
    elif op == "exp":
        t = t.exp()
    return {"name": name, "values": [enc(float(v)) for v in values], "shape": shape, "dtype": dtype,
            "requiresGrad": requires_grad, "op": op, "expected": str(t)}


r = lambda n, scale=1.0, off=0.0: [off + scale * i for i in range(n)]
prints = [
    case("floats integral", [1, 2, 3], [3]),
    case("fixed point", [1.5, 2], [1, 2]),
    case("int", [1, 2, 3], [3], "int32"),
    case("requires grad", [1, 2], [2], requires_grad=True),
    case("scalar fixed", [1.5], []),
    case("scalar integral", [2], []),
    case("scalar int", [3], [], "int32"),
    case("sci by ratio", [1, 10000], [2]),
    case("sci by small", [0.00001, 1], [2]),
    case("wrapped line", r(30), [30]),
    case("wrapped fixed", r(30, 0.5, 0.25), [30]),
    case("negative pad", [-1, 2], [2]),
    case("non-finite", [NAN, 1, INF], [3]),
    case("nan with fixed", [1.5, NAN], [2]),
    case("summarised 2d", r(2000), [40, 50]),
    case("3d", r(24), [2, 3, 4]),
    case("empty 1d", [], [0]),
    case("empty 2d", [], [2, 0]),
    case("float64", [1, 2], [2], "float64"),
    case("float64 grad", [0.5, 2], [2], "float64", True),
    case("sci by big", [1e9, 1], [2]),
    case("big fixed", [123456.789], [1]),
    case("int matrix", r(12), [3, 4], "int32"),
    case("int summarised", r(1001), [1001], "int32"),
    case("zeros", [0, 0], [2]),
    case("zero with tiny", [1e-5, 0], [2]),
    case("mixed widths", [-0.5, 100.25], [2]),
    case("grad_fn mul", [1, 2], [2], requires_grad=True, op="mul2"),
    case("grad_fn exp", [1, 2], [2], requires_grad=True, op="exp"),
    case("negative ints", [-3, 10, 0], [3], "int32"),
    case("3d summarised", r(1200), [12, 10, 10]),
    case("ties to even", [0.03125, 0.09375, 1.15625], [3]),
]

x = torch.tensor([[0.3, -1.2, 2.5, 0.7], [1.1, 0.0, -0.4, 3.3], [-2.2, 0.9, 1.7, -0.1]], dtype=torch.float64)
pos = x.abs() + 0.5
ops = {
    "x": x.flatten().tolist(),
    "var_all": x.var().item(),
    "var_dim1": x.var(1).tolist(),
    "var_dim0_unbiased0_keep": x.var(0, unbiased=False, keepdim=True).flatten().tolist(),
    "logsumexp_dim1": torch.logsumexp(x, 1).tolist(),
    "logsumexp_dim01": torch.logsumexp(x, (0, 1)).item(),
    "pow_pos_x": pos.pow(x).flatten().tolist(),
    "pow_x_3": x.pow(3).flatten().tolist(),
    "gelu": torch.nn.functional.gelu(x).flatten().tolist(),
    "gelu_tanh": torch.nn.functional.gelu(x, approximate="tanh").flatten().tolist(),
    "softmax_dim0": torch.softmax(x, 0).flatten().tolist(),
    "log_softmax_dim1": torch.log_softmax(x, 1).flatten().tolist(),
}

out = os.path.join(os.path.dirname(__file__), "..", "fixtures", "core_golden.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "prints": prints, "ops": ops}, f, indent=1)
print("wrote", out)
