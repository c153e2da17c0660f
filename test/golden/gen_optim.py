"""Writes test/fixtures/optim_golden.json: torch.optim.SGD / AdamW trajectories over 5 steps on fixed
params and per-step grads (two parameter groups), and torch.nn.utils.clip_grad_norm_ results.

Run: /usr/bin/python3 test/golden/gen_optim.py  (torch 1.13)
"""
import json
import math
import os

import torch

STEPS = 5
SHAPES = [[3, 4], [4], [2, 3]]


def r(t):
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def trajectory(make_opt, params0, grads):
    params = [p.clone().requires_grad_() for p in params0]
    opt = make_opt(params)
    out = []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = g.clone()
        opt.step()
        out.append([r(p) for p in params])
    return out


def main():
    torch.manual_seed(0)
    params0 = [torch.randn(s) for s in SHAPES]
    grads = [[torch.randn(s) for s in SHAPES] for _ in range(STEPS)]
    groups = lambda ps, **kw: [{"params": ps[:2], **kw}, {"params": ps[2:]}]  # noqa: E731
    cases = {
        "sgd_momentum_nesterov_wd": {
            "options": {"lr": 0.1, "momentum": 0.9, "weightDecay": 0.01, "nesterov": True},
            "group0": {"lr": 0.05},
            "steps": trajectory(lambda ps: torch.optim.SGD(groups(ps, lr=0.05), lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True), params0, grads),
        },
        "sgd_momentum_dampening": {
            "options": {"lr": 0.1, "momentum": 0.8, "dampening": 0.3, "weightDecay": 0.05},
            "group0": {"weightDecay": 0.0},
            "steps": trajectory(lambda ps: torch.optim.SGD(groups(ps, weight_decay=0.0), lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05), params0, grads),
        },
        "sgd_plain": {
            "options": {"lr": 0.2},
            "group0": {},
            "steps": trajectory(lambda ps: torch.optim.SGD(groups(ps), lr=0.2), params0, grads),
        },
        "adamw_wd": {
            "options": {"lr": 0.01, "betas": [0.8, 0.95], "eps": 1e-6, "weightDecay": 0.1},
            "group0": {"weightDecay": 0.0, "lr": 0.02},
            "steps": trajectory(lambda ps: torch.optim.AdamW(groups(ps, weight_decay=0.0, lr=0.02), lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1), params0, grads),
        },
        "adamw_defaults": {
            "options": {},
            "group0": {},
            "steps": trajectory(lambda ps: torch.optim.AdamW(groups(ps)), params0, grads),
        },
    }
    clip = []
    for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (0.3, math.inf), (2.0, 3.0)]:
        ps = [p.clone().requires_grad_() for p in params0]
        for p, g in zip(ps, grads[0]):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        clip.append({"maxNorm": max_norm, "normType": "inf" if norm_type == math.inf else norm_type,
                     "total": float(total), "grads": [r(p.grad) for p in ps]})
    fixture = {
        "shapes": SHAPES,
        "params0": [r(p) for p in params0],
        "grads": [[r(g) for g in step] for step in grads],
        "cases": cases,
        "clip": clip,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "optim_golden.json")
    with open(path, "w") as f:
        json.dump(fixture, f)
    print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
