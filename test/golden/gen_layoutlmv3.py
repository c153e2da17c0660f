"""Golden values for the LayoutLMv3 fusion encoder (src/models/layoutlmv3*.ts, bert_layer.ts, heads.ts).

Plain torch, written from the semantics of HF transformers' modeling_layoutlmv3.py (and AET's vendored
copy: the relative-position tables go through one_hot + Linear, so they receive gradients).
No weights are stored: every parameter and input is filled by `det_values(name, n)`, an integer LCG
seeded with FNV-1a of the name, which the TS test re-implements bit for bit. Because the fill is keyed by
the HF parameter name, a mis-named TS parameter gets different values and the comparison fails.

Writes test/fixtures/layoutlmv3_golden.json and test/fixtures/layoutlmv3_tiny_keys.txt.
Run: /usr/bin/python3 test/golden/gen_layoutlmv3.py   (torch 1.13, CPU, deterministic)
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from rel_pos_bucket import bucket

torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
F32_MIN = torch.finfo(torch.float32).min

# The tiny preset of src/config.ts (fusion part) and the paper's base sizes.
TINY = dict(hidden=48, layers=2, heads=2, intermediate=96, coord=8, shape=8, max2d=1024, bins=32, max_rel=128,
            bins2d=64, max_rel2d=256, eps=1e-5, vocab=512, pad=1, max_pos=130, type_vocab=1, image=56, patch=4,
            channels=3)
BASE = dict(TINY, hidden=768, layers=12, heads=12, intermediate=3072, coord=128, shape=128, vocab=50265,
            max_pos=514, image=224, patch=16)


# ---- deterministic fill shared with the TS test ----

def fnv1a(s):
    h = 2166136261
    for b in s.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def det_values(name, n, amp=1.0, base=0.0):
    """base + amp * u, u uniform in [-1, 1) from an LCG seeded by the name (float64, then float32)."""
    state = fnv1a(name)
    out = []
    for _ in range(n):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(base + amp * (state / 4294967296.0 * 2.0 - 1.0))
    return out


def det_tensor(name, shape, amp=1.0, base=0.0):
    return torch.tensor(det_values(name, math.prod(shape), amp, base), dtype=torch.float32).reshape(shape)


def param_amp(name):
    """(base, amplitude) of a parameter's fill, chosen by its name."""
    low = name.lower()
    if low.endswith("norm.weight"):
        return 1.0, 0.2
    if low.endswith(".bias"):
        return 0.0, 0.1
    if "rel_pos" in low:
        return 0.0, 1.5
    if "embed" in low or low.endswith("cls_token"):
        return 0.0, 0.5
    return 0.0, 0.15


def det_param(name, shape):
    base, amp = param_amp(name)
    return det_tensor(name, shape, amp, base).requires_grad_()


# ---- architecture: parameter names and shapes in torch state-dict order ----

def layer_specs(c, prefix):
    h, i = c["hidden"], c["intermediate"]
    s = []
    for n in ["query", "key", "value"]:
        s += [(f"{prefix}attention.self.{n}.weight", [h, h]), (f"{prefix}attention.self.{n}.bias", [h])]
    s += [(f"{prefix}attention.output.dense.weight", [h, h]), (f"{prefix}attention.output.dense.bias", [h]),
          (f"{prefix}attention.output.LayerNorm.weight", [h]), (f"{prefix}attention.output.LayerNorm.bias", [h]),
          (f"{prefix}intermediate.dense.weight", [i, h]), (f"{prefix}intermediate.dense.bias", [i]),
          (f"{prefix}output.dense.weight", [h, i]), (f"{prefix}output.dense.bias", [h]),
          (f"{prefix}output.LayerNorm.weight", [h]), (f"{prefix}output.LayerNorm.bias", [h])]
    return s


def model_specs(c, p="layoutlmv3."):
    h, g = c["hidden"], c["image"] // c["patch"]
    s = [(p + "cls_token", [1, 1, h]), (p + "pos_embed", [1, g * g + 1, h]),
         (p + "embeddings.word_embeddings.weight", [c["vocab"], h]),
         (p + "embeddings.token_type_embeddings.weight", [c["type_vocab"], h]),
         (p + "embeddings.LayerNorm.weight", [h]), (p + "embeddings.LayerNorm.bias", [h]),
         (p + "embeddings.position_embeddings.weight", [c["max_pos"], h]),
         (p + "embeddings.x_position_embeddings.weight", [c["max2d"], c["coord"]]),
         (p + "embeddings.y_position_embeddings.weight", [c["max2d"], c["coord"]]),
         (p + "embeddings.h_position_embeddings.weight", [c["max2d"], c["shape"]]),
         (p + "embeddings.w_position_embeddings.weight", [c["max2d"], c["shape"]]),
         (p + "patch_embed.proj.weight", [h, c["channels"], c["patch"], c["patch"]]),
         (p + "patch_embed.proj.bias", [h]),
         (p + "LayerNorm.weight", [h]), (p + "LayerNorm.bias", [h]),
         (p + "norm.weight", [h]), (p + "norm.bias", [h])]
    for i in range(c["layers"]):
        s += layer_specs(c, f"{p}encoder.layer.{i}.")
    s += [(p + "encoder.rel_pos_bias.weight", [c["heads"], c["bins"]]),
          (p + "encoder.rel_pos_x_bias.weight", [c["heads"], c["bins2d"]]),
          (p + "encoder.rel_pos_y_bias.weight", [c["heads"], c["bins2d"]])]
    return s


def head_specs(c, num_labels, token):
    h = c["hidden"]
    if token and num_labels < 10:
        return [("classifier.weight", [num_labels, h]), ("classifier.bias", [num_labels])]
    return [("classifier.dense.weight", [h, h]), ("classifier.dense.bias", [h]),
            ("classifier.out_proj.weight", [num_labels, h]), ("classifier.out_proj.bias", [num_labels])]


# ---- LayoutLMv3 pieces ----

def table_bias(rel, weight, bins, max_dist):
    """AET form: one_hot(bucket) @ Wᵀ → [B, heads, T, T]."""
    oh = F.one_hot(bucket(rel, bins, max_dist), bins).float()
    return (oh @ weight.t()).permute(0, 3, 1, 2)


def attention_bias(P, c, pos, bbox, pre):
    """(1-D + 2-D relative bias) / sqrt(head_dim) over the joint sequence."""
    rel = pos[:, None, :] - pos[:, :, None]  # rel[b, i, j] = pos[j] - pos[i]
    b1 = table_bias(rel, P[pre + "rel_pos_bias.weight"], c["bins"], c["max_rel"])
    x, y = bbox[..., 0], bbox[..., 3]
    bx = table_bias(x[:, None, :] - x[:, :, None], P[pre + "rel_pos_x_bias.weight"], c["bins2d"], c["max_rel2d"])
    by = table_bias(y[:, None, :] - y[:, :, None], P[pre + "rel_pos_y_bias.weight"], c["bins2d"], c["max_rel2d"])
    return (b1 + (bx + by)) / math.sqrt(c["hidden"] // c["heads"])


def cogview(s, alpha=32.0):
    scaled = s / alpha
    return torch.softmax((scaled - scaled.amax(dim=-1, keepdim=True)) * alpha, dim=-1)


def layer_forward(P, c, pre, x, bias, ext_mask):
    b, t, h = x.shape
    nh = c["heads"]
    d = h // nh
    lin = lambda n, v: F.linear(v, P[pre + n + ".weight"], P[pre + n + ".bias"])
    heads = lambda v: v.view(b, t, nh, d).permute(0, 2, 1, 3)
    q, k, v = (heads(lin("attention.self." + n, x)) for n in ["query", "key", "value"])
    s = torch.matmul(q / math.sqrt(d), k.transpose(-1, -2))
    if bias is not None:
        s = s + bias
    s = s + ext_mask
    ctx = torch.matmul(cogview(s), v).permute(0, 2, 1, 3).reshape(b, t, h)
    ln = lambda n, v: F.layer_norm(v, (h,), P[pre + n + ".weight"], P[pre + n + ".bias"], c["eps"])
    a = ln("attention.output.LayerNorm", lin("attention.output.dense", ctx) + x)
    inter = F.gelu(lin("intermediate.dense", a))
    return ln("output.LayerNorm", lin("output.dense", inter) + a)


def ext(mask):
    return (1.0 - mask[:, None, None, :].float()) * F32_MIN


def visual_boxes(grid, max_len=1000):
    xs = torch.div(torch.arange(0, max_len * (grid + 1), max_len), grid, rounding_mode="trunc")
    boxes = [[1, 1, max_len - 1, max_len - 1]]
    for r in range(grid):
        for col in range(grid):
            boxes.append([xs[col].item(), xs[r].item(), xs[col + 1].item(), xs[r + 1].item()])
    return torch.tensor(boxes, dtype=torch.long)


def model_forward(P, c, ids, bbox, mask, pixels, align_text=None, align_image=None, p="layoutlmv3."):
    b, t = ids.shape
    h, g = c["hidden"], c["image"] // c["patch"]
    emb = lambda n, i: F.embedding(i, P[p + "embeddings." + n + ".weight"])
    m = (ids != c["pad"]).long()
    pos_ids = torch.cumsum(m, 1) * m + c["pad"]
    spatial = torch.cat([emb("x_position_embeddings", bbox[..., 0]), emb("y_position_embeddings", bbox[..., 1]),
                         emb("x_position_embeddings", bbox[..., 2]), emb("y_position_embeddings", bbox[..., 3]),
                         emb("h_position_embeddings", torch.clip(bbox[..., 3] - bbox[..., 1], 0, c["max2d"] - 1)),
                         emb("w_position_embeddings", torch.clip(bbox[..., 2] - bbox[..., 0], 0, c["max2d"] - 1))], -1)
    text = emb("word_embeddings", ids) + emb("token_type_embeddings", torch.zeros_like(ids)) \
        + emb("position_embeddings", pos_ids) + spatial
    text = F.layer_norm(text, (h,), P[p + "embeddings.LayerNorm.weight"], P[p + "embeddings.LayerNorm.bias"], c["eps"])
    if align_text is not None:
        text = text + align_text
    vis = F.conv2d(pixels, P[p + "patch_embed.proj.weight"], P[p + "patch_embed.proj.bias"], stride=c["patch"])
    vis = vis.flatten(2).transpose(1, 2)
    vis = torch.cat([P[p + "cls_token"].expand(b, -1, -1), vis], 1) + P[p + "pos_embed"]
    vis = F.layer_norm(vis, (h,), P[p + "norm.weight"], P[p + "norm.bias"], 1e-6)
    if align_image is not None:
        vis = vis + align_image
    x = F.layer_norm(torch.cat([text, vis], 1), (h,), P[p + "LayerNorm.weight"], P[p + "LayerNorm.bias"], c["eps"])
    nv = g * g + 1
    full_mask = torch.cat([mask, torch.ones(b, nv, dtype=mask.dtype)], 1)
    final_bbox = torch.cat([bbox, visual_boxes(g).expand(b, -1, -1)], 1)
    pos = torch.cat([torch.arange(t), torch.arange(nv)]).expand(b, -1)
    bias = attention_bias(P, c, pos, final_bbox, p + "encoder.")
    for i in range(c["layers"]):
        x = layer_forward(P, c, f"{p}encoder.layer.{i}.", x, bias, ext(full_mask))
    return x


def head_forward(P, x, token, num_labels):
    if token and num_labels < 10:
        return F.linear(x, P["classifier.weight"], P["classifier.bias"])
    return F.linear(torch.tanh(F.linear(x, P["classifier.dense.weight"], P["classifier.dense.bias"])),
                    P["classifier.out_proj.weight"], P["classifier.out_proj.bias"])


# ---- cases ----

def r(t):
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def params(specs):
    return {n: det_param(n, s) for n, s in specs}


def main():
    out = {"generator_check": det_values("check", 5)}

    # relative_position_bucket over every relative position a 0..1000 layout or a 512+197 sequence produces.
    rel = torch.arange(-1100, 1101)
    out["bucket"] = {"start": -1100, "end": 1100, "b32_128": bucket(rel, 32, 128).tolist(),
                     "b64_256": bucket(rel, 64, 256).tolist()}

    # CogView softmax, including scores far beyond float32 exp range and a masked (finfo.min) entry.
    s = torch.tensor([[0.5, -1.0, 2.0, 0.0, 3.0, -2.0],
                      [1e4, 1e4 - 3.0, -1e4, 2e4, 2e4 + 1.5, 0.0],
                      [-5e3, -5e3 + 0.25, -5e3 - 7.0, F32_MIN, -4e3, -5e3],
                      [88.0, 89.0, 120.0, 119.0, -300.0, 60.0]], dtype=torch.float32)
    s = torch.cat([s, det_tensor("input.cogview", [2, 6], 40.0)]).reshape(2, 3, 6)
    out["cogview"] = {"shape": [2, 3, 6], "input": r(s), "output": r(cogview(s))}

    # 1-D + 2-D attention bias of the encoder (tiny sizes) for a small hand-made batch.
    c = TINY
    P = params(model_specs(c, "layoutlmv3."))
    pos = torch.tensor([[0, 1, 2, 3, 0, 1, 2], [0, 1, 2, 3, 0, 1, 2]])
    bbox = torch.tensor([[[0, 0, 10, 10], [5, 900, 50, 1000], [300, 20, 400, 60], [999, 3, 1000, 4],
                          [1, 1, 999, 999], [0, 0, 71, 71], [71, 0, 142, 71]],
                         [[17, 40, 90, 71], [17, 41, 91, 72], [600, 600, 600, 600], [128, 256, 640, 512],
                          [1, 1, 999, 999], [0, 0, 71, 71], [71, 0, 142, 71]]])
    bias = attention_bias(P, c, pos, bbox, "layoutlmv3.encoder.")
    out["bias"] = {"positions": pos.tolist(), "bbox": bbox.tolist(), "shape": list(bias.shape), "bias": r(bias)}

    # One encoder layer forward + backward with an additive bias and a key padding mask.
    LP = params(layer_specs(c, "layer."))
    x = det_tensor("input.layer_x", [2, 6, c["hidden"]]).requires_grad_()
    lb = det_tensor("input.layer_bias", [2, c["heads"], 6, 6]).requires_grad_()
    lmask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]])
    w = det_tensor("input.layer_wout", [2, 6, c["hidden"]])
    y = layer_forward(LP, c, "layer.", x, lb, ext(lmask))
    (y * w).sum().backward()
    out["layer"] = {"mask": lmask.tolist(), "output": r(y), "grad_x": r(x.grad), "grad_bias": r(lb.grad),
                    "grad_query_weight": r(LP["layer.attention.self.query.weight"].grad),
                    "grad_key_bias": r(LP["layer.attention.self.key.bias"].grad),
                    "grad_output_ln_weight": r(LP["layer.output.LayerNorm.weight"].grad)}

    # Whole tiny model: plain, with align inputs, and the three task heads.
    ids = torch.tensor([[0, 37, 255, 4, 98, 511, 7, 2], [0, 12, 300, 45, 2, 1, 1, 1]])
    tbbox = torch.tensor([[[0, 0, 0, 0], [10, 20, 60, 40], [60, 20, 130, 40], [130, 20, 200, 40],
                           [500, 700, 480, 690], [0, 1000, 1000, 1000], [999, 999, 1000, 1000], [1000, 1000, 1000, 1000]],
                          [[0, 0, 0, 0], [71, 71, 142, 142], [300, 400, 350, 420], [700, 10, 990, 30],
                           [1000, 1000, 1000, 1000], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]])
    mask = torch.tensor([[1] * 8, [1, 1, 1, 1, 1, 0, 0, 0]])
    t = ids.shape[1]
    nv = (c["image"] // c["patch"]) ** 2 + 1
    pixels = det_tensor("input.pixel_values", [2, c["channels"], c["image"], c["image"]])
    align_text = det_tensor("input.align_text", [2, t, c["hidden"]], 0.5)
    align_image = det_tensor("input.align_image", [2, nv, c["hidden"]], 0.5)
    rows = list(range(t)) + [t + k for k in (0, 1, 2, 100, nv - 1)]
    wcheck = det_tensor("input.hidden_check", [2, t + nv, c["hidden"]])
    summary = lambda hdn: {"rows": r(hdn[:, rows]), "sum": hdn.sum().item(), "wsum": (hdn * wcheck).sum().item()}
    with torch.no_grad():
        plain = model_forward(P, c, ids, tbbox, mask, pixels)
        aligned = model_forward(P, c, ids, tbbox, mask, pixels, align_text, align_image)
    labels = torch.tensor([[-100, 0, 3, 3, 6, 1, 2, -100], [-100, 5, 4, 0, -100, -100, -100, -100]])
    model = {"input_ids": ids.tolist(), "bbox": tbbox.tolist(), "attention_mask": mask.tolist(),
             "labels": labels.tolist(), "rows": rows, "plain": summary(plain), "aligned": summary(aligned)}

    # Token classification, 7 labels (Linear classifier), with align inputs: loss and parameter gradients.
    HP = {**P, **params(head_specs(c, 7, True))}
    hid = model_forward(HP, c, ids, tbbox, mask, pixels, align_text, align_image)
    logits = head_forward(HP, hid[:, :t], True, 7)
    loss = F.cross_entropy(logits.reshape(-1, 7), labels.reshape(-1))
    loss.backward()
    grads = ["classifier.weight", "layoutlmv3.encoder.rel_pos_x_bias.weight", "layoutlmv3.encoder.rel_pos_bias.weight",
             "layoutlmv3.embeddings.LayerNorm.weight", "layoutlmv3.cls_token", "layoutlmv3.patch_embed.proj.bias",
             "layoutlmv3.encoder.layer.0.attention.self.query.bias", "layoutlmv3.norm.weight"]
    model["token7"] = {"logits": r(logits), "loss": loss.item(), "grads": {n: r(HP[n].grad) for n in grads}}

    # Token classification, 13 labels (LayoutLMv3ClassificationHead), plain inputs: logits and loss.
    with torch.no_grad():
        P13 = {**P, **params(head_specs(c, 13, True))}
        logits = head_forward(P13, plain[:, :t], True, 13)
        labels13 = labels.clone()
        labels13[0, 4] = 12
        model["token13"] = {"labels": labels13.tolist(), "logits": r(logits),
                            "loss": F.cross_entropy(logits.reshape(-1, 13), labels13.reshape(-1)).item()}
        # Sequence classification, 16 labels, on the text <s> token.
        P16 = {**P, **params(head_specs(c, 16, False))}
        logits = head_forward(P16, plain[:, 0], False, 16)
        model["seq16"] = {"labels": [3, 15], "logits": r(logits),
                          "loss": F.cross_entropy(logits, torch.tensor([3, 15])).item()}
    out["model"] = model

    # Parameter counts from the architecture (HF LayoutLMv3Model, i.e. without heads).
    count = lambda specs: sum(math.prod(s) for _, s in specs)
    out["param_count"] = {"tiny": count(model_specs(TINY, "")), "base": count(model_specs(BASE, ""))}

    with open(os.path.join(FIXTURES, "layoutlmv3_golden.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    keys = [n for n, _ in model_specs(TINY)] + [n for n, _ in head_specs(TINY, 7, True)]
    with open(os.path.join(FIXTURES, "layoutlmv3_tiny_keys.txt"), "w") as f:
        f.write("# LayoutLMv3ForTokenClassification(tiny, 7 labels) parameters in torch state-dict order.\n")
        f.write("# Written by test/golden/gen_layoutlmv3.py.\n")
        f.write("\n".join(keys) + "\n")
    print("param counts", out["param_count"])


if __name__ == "__main__":
    main()
