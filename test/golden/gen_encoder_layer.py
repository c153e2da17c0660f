"""Writes test/fixtures/encoder_layer_golden.json: torch.nn.TransformerEncoderLayer (post-LN and pre-LN)
forward outputs and gradients of sum(out * w), with weights exported under the engine's key names.

Run: /usr/bin/python3 test/golden/gen_encoder_layer.py  (torch 1.13)
"""
import json
import os

import torch

D, H, FF, B, T = 16, 4, 32, 2, 5


def r(t):
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def engine_keys(layer):
    """torch state dict -> engine keys (in_proj split into query/key/value)."""
    sd = layer.state_dict()
    out = {}
    for name, w, b in [("query", 0, 0), ("key", 1, 1), ("value", 2, 2)]:
        out[f"selfAttn.{name}.weight"] = sd["self_attn.in_proj_weight"][w * D:(w + 1) * D]
        out[f"selfAttn.{name}.bias"] = sd["self_attn.in_proj_bias"][b * D:(b + 1) * D]
    out["selfAttn.out.weight"] = sd["self_attn.out_proj.weight"]
    out["selfAttn.out.bias"] = sd["self_attn.out_proj.bias"]
    for k in ["linear1", "linear2", "norm1", "norm2"]:
        out[f"{k}.weight"] = sd[f"{k}.weight"]
        out[f"{k}.bias"] = sd[f"{k}.bias"]
    return out


def engine_grads(layer):
    g = {}
    ipw, ipb = layer.self_attn.in_proj_weight.grad, layer.self_attn.in_proj_bias.grad
    for i, name in enumerate(["query", "key", "value"]):
        g[f"selfAttn.{name}.weight"] = ipw[i * D:(i + 1) * D]
        g[f"selfAttn.{name}.bias"] = ipb[i * D:(i + 1) * D]
    g["selfAttn.out.weight"] = layer.self_attn.out_proj.weight.grad
    g["selfAttn.out.bias"] = layer.self_attn.out_proj.bias.grad
    for k in ["linear1", "linear2", "norm1", "norm2"]:
        m = getattr(layer, k)
        g[f"{k}.weight"], g[f"{k}.bias"] = m.weight.grad, m.bias.grad
    return g


def main():
    torch.manual_seed(0)
    base = torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation="gelu", batch_first=True)
    with torch.no_grad():  # non-trivial LayerNorm affine and biases so every gradient path is exercised
        for n in ["norm1", "norm2"]:
            getattr(base, n).weight.copy_(1 + 0.2 * torch.randn(D))
            getattr(base, n).bias.copy_(0.1 * torch.randn(D))
        base.self_attn.in_proj_bias.copy_(0.1 * torch.randn(3 * D))
        base.self_attn.out_proj.bias.copy_(0.1 * torch.randn(D))
    x0 = torch.randn(B, T, D)
    w = torch.randn(B, T, D)
    keep = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.float32)  # engine: 1 = keep
    cases = {}
    for norm_first in [False, True]:
        layer = torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation="gelu", batch_first=True, norm_first=norm_first)
        layer.load_state_dict(base.state_dict())
        layer.train()  # the slow (differentiable) path; dropout is 0 anyway
        x = x0.clone().requires_grad_()
        out = layer(x, src_key_padding_mask=keep == 0)  # torch: True = pad
        (out * w).sum().backward()
        cases["pre_ln" if norm_first else "post_ln"] = {
            "out": r(out),
            "grad_x": r(x.grad),
            "grad_params": {k: r(v) for k, v in engine_grads(layer).items()},
        }
    fixture = {
        "config": {"d_model": D, "nhead": H, "dim_feedforward": FF, "batch": B, "seq": T, "activation": "gelu", "eps": 1e-5},
        "params": {k: {"shape": list(v.shape), "data": r(v)} for k, v in engine_keys(base).items()},
        "x": r(x0),
        "w": r(w),
        "key_padding_mask": r(keep),
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "encoder_layer_golden.json")
    with open(path, "w") as f:
        json.dump(fixture, f)
    print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
