"""Golden values for the AETNet alignment encoders and the whole tiny AETNet forward/backward.

Rerun:  cd /work/main && /usr/bin/python3 test/golden/gen_aetnet.py   (writes test/fixtures/aetnet_golden.json)

Plain PyTorch (float64), written from the math in docs/aet_reference_notes.md, independently of the TypeScript:
DeiT ViT (timm layout), RoBERTa encoder (HF layout, padding-offset position ids), LayoutLMv3 fusion model with its
relative 1-D / 2-D attention biases (bucket maths in float32 as HF does), the token-classification head, and the AET
losses (DITC, IMC, GLITC, PITA, total = task + mean of the six contrastive terms + PITA, the FUNSD weighting).
Every parameter, pixel and queue value comes from `hash_unit(name, i)` (integer hashing, identical in
test/src/models/golden_weights.ts), so the fixture holds only small inputs and outputs.
It also records the exact parameter counts of DeiT-base / RoBERTa-base / LayoutLMv3-base from the architecture formulas.
"""
import json
import math
import os

import torch

from rel_pos_bucket import bucket

torch.set_default_dtype(torch.float64)
M32 = 0xFFFFFFFF

# Tiny preset (src/config.ts `tiny`); the TS test checks these numbers against the preset.
CFG = dict(hidden=48, heads=2, inter=96, vit_layers=1, text_layers=1, fusion_layers=2, vocab=512, pad=1, max_pos=130,
           type_vocab=1, image=56, patch=4, channels=3, coord=8, shape=8, max2d=1024, embed_dim=32, queue=64,
           temperature=0.07, num_labels=5, rel_bins=32, max_rel=128, rel2d_bins=64, max_rel2d=256)
GRID = CFG["image"] // CFG["patch"]  # 14
NP = GRID * GRID  # 196


# ---------------------------------------------------------------- deterministic values
def name_seed(name):
    s = 7
    for ch in name:
        s = (s * 31 + ord(ch)) & M32
    return s


def hash_units(name, n):
    seed = name_seed(name)
    out = []
    for i in range(n):
        x = (((i * 0x9E3779B1) & M32) + seed) & M32
        x = ((x ^ (x >> 16)) * 0x45D9F3B) & M32
        x = ((x ^ (x >> 16)) * 0x45D9F3B) & M32
        x = (x ^ (x >> 16)) & M32
        out.append(x / 4294967296.0 * 2.0 - 1.0)
    return torch.tensor(out, dtype=torch.float32).double()


def init_value(name, shape):
    return init_value64(name, shape).float().double()  # stored as float32, like the TS side


def init_value64(name, shape):
    n = math.prod(shape)
    u = hash_units(name, n).reshape(shape)
    if len(shape) == 1 and name.endswith(".weight"):
        return 1.0 + 0.1 * u  # LayerNorm gains
    if len(shape) == 1:
        return 0.1 * u  # biases
    if "embeddings" in name or name.endswith("cls_token") or name.endswith("pos_embed"):
        return 0.5 * u
    fan_in = n // shape[0]
    return (1.5 / math.sqrt(fan_in)) * u


class Params:
    def __init__(self):
        self.p = {}

    def __call__(self, name, shape):
        if name not in self.p:
            self.p[name] = init_value(name, shape).requires_grad_(True)
        return self.p[name]


# ---------------------------------------------------------------- building blocks
def lin(P, name, x, out_f, in_f, bias=True):
    y = x @ P(name + ".weight", (out_f, in_f)).t()
    return y + P(name + ".bias", (out_f,)) if bias else y


def ln(P, name, x, eps):
    w, b = P(name + ".weight", (x.shape[-1],)), P(name + ".bias", (x.shape[-1],))
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def normalize(x):
    return x / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def patchify(P, name, pixels, hidden):
    B, C, S, _ = pixels.shape
    p, g = CFG["patch"], S // CFG["patch"]
    w = P(name + ".weight", (hidden, C, p, p))
    y = torch.nn.functional.conv2d(pixels, w, P(name + ".bias", (hidden,)), stride=p)
    return y.flatten(2).transpose(1, 2)  # [B, P, H]


def heads_split(x, h):
    B, N, H = x.shape
    return x.reshape(B, N, h, H // h).permute(0, 2, 1, 3)


def heads_merge(x):
    B, h, N, d = x.shape
    return x.permute(0, 2, 1, 3).reshape(B, N, h * d)


def pad_mask_bias(mask):
    return (1.0 - mask.double())[:, None, None, :] * torch.finfo(torch.float64).min


# ---------------------------------------------------------------- ViT (DeiT)
def vit(P, pre, pixels, layers):
    H, h = CFG["hidden"], CFG["heads"]
    x = patchify(P, pre + "patch_embed.proj", pixels, H)
    B = x.shape[0]
    cls = P(pre + "cls_token", (1, 1, H)).expand(B, 1, H)
    x = torch.cat([cls, x], 1) + P(pre + "pos_embed", (1, 1 + NP, H))
    for i in range(layers):
        b = f"{pre}blocks.{i}."
        y = ln(P, b + "norm1", x, 1e-6)
        qkv = lin(P, b + "attn.qkv", y, 3 * H, H)
        q, k, v = (heads_split(t, h) for t in qkv.split(H, -1))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(H // h), -1)
        x = x + lin(P, b + "attn.proj", heads_merge(a @ v), H, H)
        y = ln(P, b + "norm2", x, 1e-6)
        x = x + lin(P, b + "mlp.fc2", gelu(lin(P, b + "mlp.fc1", y, CFG["inter"], H)), H, CFG["inter"])
    return ln(P, pre + "norm", x, 1e-6)


# ---------------------------------------------------------------- post-LN BERT layer (RoBERTa and LayoutLMv3)
def bert_layer(P, b, x, bias):
    H, h = CFG["hidden"], CFG["heads"]
    d = H // h
    q, k, v = (heads_split(lin(P, b + f"attention.self.{n}", x, H, H), h) for n in ("query", "key", "value"))
    s = (q / math.sqrt(d)) @ k.transpose(-1, -2) + bias
    ctx = heads_merge(torch.softmax(s, -1) @ v)
    x = ln(P, b + "attention.output.LayerNorm", lin(P, b + "attention.output.dense", ctx, H, H) + x, 1e-5)
    inter = gelu(lin(P, b + "intermediate.dense", x, CFG["inter"], H))
    return ln(P, b + "output.LayerNorm", lin(P, b + "output.dense", inter, H, CFG["inter"]) + x, 1e-5)


def position_ids(ids):
    m = (ids != CFG["pad"]).long()
    return torch.cumsum(m, 1) * m + CFG["pad"]


def roberta(P, pre, ids, mask, layers):
    H = CFG["hidden"]
    e = pre + "embeddings."
    x = (P(e + "word_embeddings.weight", (CFG["vocab"], H))[ids]
         + P(e + "token_type_embeddings.weight", (CFG["type_vocab"], H))[torch.zeros_like(ids)]
         + P(e + "position_embeddings.weight", (CFG["max_pos"], H))[position_ids(ids)])
    x = ln(P, e + "LayerNorm", x, 1e-5)
    bias = pad_mask_bias(mask)
    for i in range(layers):
        x = bert_layer(P, f"{pre}encoder.layer.{i}.", x, bias)
    return x


# ---------------------------------------------------------------- LayoutLMv3
def visual_bbox():
    xs = [k * 1000 // GRID for k in range(GRID + 1)]
    boxes = [[1, 1, 999, 999]] + [[xs[c], xs[r], xs[c + 1], xs[r + 1]] for r in range(GRID) for c in range(GRID)]
    return torch.tensor(boxes, dtype=torch.long)


def layoutlmv3(P, pre, ids, bbox, mask, pixels, align_text, align_image):
    H, h, B, L = CFG["hidden"], CFG["heads"], ids.shape[0], ids.shape[1]
    e = pre + "embeddings."
    x_t, y_t = P(e + "x_position_embeddings.weight", (CFG["max2d"], CFG["coord"])), P(e + "y_position_embeddings.weight", (CFG["max2d"], CFG["coord"]))
    h_t, w_t = P(e + "h_position_embeddings.weight", (CFG["max2d"], CFG["shape"])), P(e + "w_position_embeddings.weight", (CFG["max2d"], CFG["shape"]))
    spatial = torch.cat([x_t[bbox[..., 0]], y_t[bbox[..., 1]], x_t[bbox[..., 2]], y_t[bbox[..., 3]],
                         h_t[(bbox[..., 3] - bbox[..., 1]).clamp(0, 1023)], w_t[(bbox[..., 2] - bbox[..., 0]).clamp(0, 1023)]], -1)
    t = (P(e + "word_embeddings.weight", (CFG["vocab"], H))[ids]
         + P(e + "token_type_embeddings.weight", (CFG["type_vocab"], H))[torch.zeros_like(ids)]
         + P(e + "position_embeddings.weight", (CFG["max_pos"], H))[position_ids(ids)] + spatial)
    t = ln(P, e + "LayerNorm", t, 1e-5) + align_text
    v = patchify(P, pre + "patch_embed.proj", pixels, H)
    v = torch.cat([P(pre + "cls_token", (1, 1, H)).expand(B, 1, H), v], 1) + P(pre + "pos_embed", (1, 1 + NP, H))
    v = ln(P, pre + "norm", v, 1e-6) + align_image
    x = ln(P, pre + "LayerNorm", torch.cat([t, v], 1), 1e-5)
    full_mask = torch.cat([mask, torch.ones(B, 1 + NP, dtype=mask.dtype)], 1)
    pos = torch.cat([torch.arange(L), torch.arange(1 + NP)])[None].expand(B, -1)
    fb = torch.cat([bbox, visual_bbox()[None].expand(B, -1, -1)], 1)
    oh1 = torch.nn.functional.one_hot(bucket(pos[:, None, :] - pos[:, :, None], CFG["rel_bins"], CFG["max_rel"]), CFG["rel_bins"]).double()
    rel1 = (oh1 @ P(pre + "encoder.rel_pos_bias.weight", (h, CFG["rel_bins"])).t()).permute(0, 3, 1, 2)
    bx, by = fb[..., 0], fb[..., 3]
    ohx = torch.nn.functional.one_hot(bucket(bx[:, None, :] - bx[:, :, None], CFG["rel2d_bins"], CFG["max_rel2d"]), CFG["rel2d_bins"]).double()
    ohy = torch.nn.functional.one_hot(bucket(by[:, None, :] - by[:, :, None], CFG["rel2d_bins"], CFG["max_rel2d"]), CFG["rel2d_bins"]).double()
    rel2 = (ohx @ P(pre + "encoder.rel_pos_x_bias.weight", (h, CFG["rel2d_bins"])).t()
            + ohy @ P(pre + "encoder.rel_pos_y_bias.weight", (h, CFG["rel2d_bins"])).t()).permute(0, 3, 1, 2)
    bias = (rel1 + rel2) / math.sqrt(H // h) + pad_mask_bias(full_mask)
    for i in range(CFG["fusion_layers"]):
        x = bert_layer(P, f"{pre}encoder.layer.{i}.", x, bias)
    return x


# ---------------------------------------------------------------- AET losses
def check_bbox(box):
    c0, c1, r0, r1 = box[0] // 72, box[2] // 72, box[1] // 72, box[3] // 72
    return -100 if (c0 != c1 or r0 != r1) else r0 * GRID + c0


def pita(patches, tokens, bbox, mask):
    B, T, _ = tokens.shape
    lab = torch.tensor([[check_bbox(bbox[b, t].tolist()) if mask[b, t] else -100 for t in range(T)] for b in range(B)])
    M = (lab[:, None, :] == torch.arange(NP)[None, :, None]).double()  # [B, 196, T]
    cells = (M @ tokens) / M.sum(-1, keepdim=True).clamp_min(1.0)
    tgt = torch.arange(NP).repeat(B)
    l1 = torch.nn.functional.cross_entropy((patches @ cells.transpose(1, 2)).reshape(-1, NP), tgt)
    l2 = torch.nn.functional.cross_entropy((cells @ patches.transpose(1, 2)).reshape(-1, NP), tgt)
    return (l1 + l2) / 2


def queue_ce(q, keys_all, temp, q_m=None, alpha=0.0):
    logits = q @ keys_all / temp
    tgt = torch.zeros_like(logits)
    tgt[:, : q.shape[0]] = torch.eye(q.shape[0])
    if alpha > 0:
        with torch.no_grad():
            tgt = alpha * torch.softmax(q_m @ keys_all / temp, 1) + (1 - alpha) * tgt
    return -(torch.log_softmax(logits, 1) * tgt).sum(1).mean()


def g2l(local, glob, temp, mask=None):
    N, n, _ = local.shape
    up = torch.einsum("ikd,id->ik", local, glob) / temp  # [N, n]
    un = torch.einsum("id,jkd->ijk", glob, local) / temp  # [N, N, n]
    eye = torch.eye(N)[:, :, None]
    un = (1 - eye) * un - 10000.0 * eye
    if mask is not None:
        m = mask.double()
        up = m * up + 10000.0 * (1 - m)
        un = m[None] * un - 10000.0 * (1 - m[None])
    un = un.reshape(N, 1, N * n).expand(N, n, N * n)
    logp = torch.log_softmax(torch.cat([up[..., None], un], -1), -1)[..., 0]  # [N, n]
    if mask is not None:
        return (-logp.sum(1) / mask.double().sum(1)).mean()
    return -logp.mean()


def patch_pool(x):
    B, P_, D = x.shape
    g = int(math.isqrt(P_))
    y = torch.nn.functional.avg_pool2d(x.reshape(B, g, g, D).permute(0, 3, 1, 2), 5, stride=4)
    return y.permute(0, 2, 3, 1).reshape(B, -1, D)


def aetnet(P, inp, alpha):
    H, E = CFG["hidden"], CFG["embed_dim"]
    temp = P("temp", ())
    ids, bbox, mask, labels = inp["ids"], inp["bbox"], inp["mask"], inp["labels"]
    img = vit(P, "visual_encoder.", inp["pixels"], CFG["vit_layers"])
    image_feat = normalize(lin(P, "vision_proj", img[:, 0], E, H))
    txt = roberta(P, "text_encoder.roberta.", ids, mask, CFG["text_layers"])
    text_feat = normalize(lin(P, "text_proj", txt[:, 0], E, H))
    loss_pita = pita(img[:, 1:], txt, bbox, mask)
    with torch.no_grad():  # momentum copies equal the online weights here (copy at init; the first EMA is a no-op)
        img_m = vit(P, "visual_encoder.", inp["pixels_aug"], CFG["vit_layers"])
        image_feat_m = normalize(lin(P, "vision_proj", img_m[:, 0], E, H))
        image_feat_m_l = patch_pool(normalize(lin(P, "vision_proj", img_m[:, 1:], E, H)))
        txt_m = roberta(P, "text_encoder.roberta.", ids, mask, CFG["text_layers"])
        text_feat_m = normalize(lin(P, "text_proj", txt_m[:, 0], E, H))
        text_feat_m_l = normalize(lin(P, "text_proj", txt_m[:, 1:], E, H))
        image_all = torch.cat([image_feat_m.t(), inp["image_queue"]], 1)
        text_all = torch.cat([text_feat_m.t(), inp["text_queue"]], 1)
    terms = dict(
        i2t=queue_ce(image_feat, text_all, temp, image_feat_m, alpha),
        t2i=queue_ce(text_feat, image_all, temp, text_feat_m, alpha),
        i2i=queue_ce(image_feat, image_all, temp),
        t2t=queue_ce(text_feat, text_all, temp),
        glitcText=g2l(text_feat_m_l, text_feat, temp, mask[:, 1:]),
        glitcImage=g2l(image_feat_m_l, image_feat, temp),
        pita=loss_pita)
    hid = layoutlmv3(P, "fusion_model.layoutlmv3.", ids, bbox, mask, inp["pixels"], txt, img)
    L = ids.shape[1]
    logits = lin(P, "fusion_model.classifier", hid[:, :L], CFG["num_labels"], H)
    terms["task"] = torch.nn.functional.cross_entropy(logits.reshape(-1, CFG["num_labels"]), labels.reshape(-1), ignore_index=-100)
    ita = sum(terms[k] for k in ("glitcText", "glitcImage", "i2t", "t2i", "i2i", "t2t")) / 6
    total = terms["task"] + ita + terms["pita"]
    return total, terms, logits


# ---------------------------------------------------------------- inputs
IDS = [[0, 17, 240, 33, 98, 5, 411, 77, 2, 1, 1, 1],
       [0, 301, 12, 9, 2, 1, 1, 1, 1, 1, 1, 1]]
MASK = [[1] * 9 + [0] * 3, [1] * 5 + [0] * 7]
BBOX = [[[0, 0, 0, 0], [10, 12, 60, 40], [80, 12, 140, 40], [150, 150, 200, 190], [150, 150, 200, 190],
         [500, 700, 700, 760], [730, 730, 780, 790], [930, 930, 1000, 1000], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
        [[0, 0, 0, 0], [300, 400, 350, 430], [300, 400, 420, 430], [73, 865, 140, 930], [0, 0, 0, 0],
         [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]
LABELS = [[-100, 1, 2, 3, 3, 4, 0, 1, -100, -100, -100, -100], [-100, 2, 0, 4, -100, -100, -100, -100, -100, -100, -100, -100]]


def pixels(name, B=2):
    return hash_units(name, B * CFG["channels"] * CFG["image"] ** 2).reshape(B, CFG["channels"], CFG["image"], CFG["image"])


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


# ---------------------------------------------------------------- parameter counts (architecture formulas)
def counts():
    def lin_(i, o): return i * o + o
    def ln_(h): return 2 * h
    def bert(h, i): return 4 * lin_(h, h) + 2 * ln_(h) + lin_(h, i) + lin_(i, h)
    def vit_block(h, i): return 2 * ln_(h) + lin_(h, 3 * h) + lin_(h, h) + lin_(h, i) + lin_(i, h)
    h, i, npatch = 768, 3072, 196
    patch = 3 * 16 * 16 * h + h
    deit = h + (npatch + 1) * h + patch + 12 * vit_block(h, i) + ln_(h)
    rob_emb = 50265 * h + 514 * h + 1 * h + ln_(h)
    roberta_ = rob_emb + 12 * bert(h, i)
    lv3 = rob_emb + 2 * 1024 * 128 + 2 * 1024 * 128 + patch + h + (npatch + 1) * h + ln_(h) + ln_(h) \
        + 12 * 32 + 2 * 12 * 64 + 12 * bert(h, i)
    return {"visual_encoder": deit, "text_encoder": roberta_, "fusion_base": lv3, "proj": lin_(h, 256)}


def main():
    out = {"config": CFG, "param_counts_base": counts()}
    # ViT alone (keys without prefix)
    P = Params()
    px = pixels("vit.pixel_values")
    y = vit(P, "", px, CFG["vit_layers"])
    out["vit"] = {"first4": flat(y[:, :4]), "rowsum": flat(y.sum(-1)), "shape": list(y.shape)}
    # RoBERTa alone (keys without prefix), padding in row 1
    P = Params()
    ids = torch.tensor(IDS)
    mask = torch.tensor(MASK)
    y = roberta(P, "", ids, mask, CFG["text_layers"])
    out["roberta"] = {"ids": IDS, "mask": MASK, "out": flat(y), "shape": list(y.shape), "position_ids": position_ids(ids).tolist()}
    # Whole AETNet, two alphas
    out["aetnet"] = {"ids": IDS, "mask": MASK, "bbox": BBOX, "labels": LABELS, "cases": []}
    for alpha in (0.0, 0.4):
        P = Params()
        P.p["temp"] = torch.tensor(CFG["temperature"], dtype=torch.float32).double().requires_grad_(True)
        inp = dict(ids=torch.tensor(IDS), mask=torch.tensor(MASK), bbox=torch.tensor(BBOX), labels=torch.tensor(LABELS),
                   pixels=pixels("pixel_values"), pixels_aug=pixels("pixel_values_aug"),
                   image_queue=normalize(hash_units("image_queue", CFG["embed_dim"] * CFG["queue"]).reshape(CFG["embed_dim"], CFG["queue"]).t()).t(),
                   text_queue=normalize(hash_units("text_queue", CFG["embed_dim"] * CFG["queue"]).reshape(CFG["embed_dim"], CFG["queue"]).t()).t())
        total, terms, logits = aetnet(P, inp, alpha)
        total.backward()
        g = lambda n, k=16: flat(P.p[n].grad)[:k]
        out["aetnet"]["cases"].append({
            "alpha": alpha, "total": float(total), "terms": {k: float(v) for k, v in terms.items()},
            "logits_first": flat(logits[0, :3]),
            "grads": {"temp": [float(P.p["temp"].grad)],
                      "vision_proj.weight": g("vision_proj.weight"),
                      "text_proj.weight": g("text_proj.weight"),
                      "visual_encoder.blocks.0.attn.qkv.weight": g("visual_encoder.blocks.0.attn.qkv.weight"),
                      "text_encoder.roberta.encoder.layer.0.attention.self.query.weight": g("text_encoder.roberta.encoder.layer.0.attention.self.query.weight"),
                      "fusion_model.layoutlmv3.encoder.layer.0.attention.self.query.weight": g("fusion_model.layoutlmv3.encoder.layer.0.attention.self.query.weight"),
                      "fusion_model.classifier.weight": g("fusion_model.classifier.weight")},
        })
        if alpha == 0.0:
            out["aetnet"]["param_shapes"] = {k: list(v.shape) for k, v in sorted(P.p.items())}
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "aetnet_golden.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")
    for c in out["aetnet"]["cases"]:
        print("alpha", c["alpha"], "total", c["total"], c["terms"])
    print(out["param_counts_base"])


if __name__ == "__main__":
    main()
