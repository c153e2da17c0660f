# W4 for the PyTorch peer: one AETNet training step (forward, backward, AdamW, temperature clamp, momentum
# update, enqueue) in plain PyTorch, float32. The architecture and losses are those of test/golden/gen_aetnet.py
# (the project's independent PyTorch implementation, written from docs/aet_reference_notes.md), here as modules
# with real random parameters and dropout in the places the TypeScript model has it (RoBERTa and LayoutLMv3
# embeddings, every BERT layer's attention weights and outputs, the fused sequence, the token head). The
# relative-position tables are gathered (as the TypeScript model does) rather than multiplied by a one-hot.
# The preset comes from src/config.ts as JSON (bench/run.ts passes it), so both engines build the same model.
import math
import os
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F

# The relative-position bucket of the golden generators (test/golden/rel_pos_bucket.py), not a copy of it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "golden"))
from rel_pos_bucket import bucket  # noqa: E402


def heads_split(x, h):
    B, N, H = x.shape
    return x.reshape(B, N, h, H // h).permute(0, 2, 1, 3)


def heads_merge(x):
    B, h, N, d = x.shape
    return x.permute(0, 2, 1, 3).reshape(B, N, h * d)


def normalize(x):
    return x / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def pad_mask_bias(mask):
    return (1.0 - mask.float())[:, None, None, :] * torch.finfo(torch.float32).min


class BertLayer(nn.Module):
    """Post-LN BERT layer, HF layout (RoBERTa and LayoutLMv3): attention, output, intermediate, output."""

    def __init__(s, c, size, drop):
        super().__init__()
        H, I = size["hidden"], size["intermediate"]
        s.heads, s.hd, s.ad = size["heads"], drop["hidden"], drop["attention"]
        s.query, s.key, s.value, s.dense = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
        s.ln1, s.inter, s.out, s.ln2 = nn.LayerNorm(H, eps=1e-5), nn.Linear(H, I), nn.Linear(I, H), nn.LayerNorm(H, eps=1e-5)

    def forward(s, x, bias):
        d = x.shape[-1] // s.heads
        q, k, v = (heads_split(f(x), s.heads) for f in (s.query, s.key, s.value))
        probs = F.dropout(torch.softmax((q / math.sqrt(d)) @ k.transpose(-1, -2) + bias, -1), s.ad, s.training)
        x = s.ln1(F.dropout(s.dense(heads_merge(probs @ v)), s.hd, s.training) + x)
        return s.ln2(F.dropout(s.out(F.gelu(s.inter(x))), s.hd, s.training) + x)


class ViT(nn.Module):
    """DeiT: conv patch embedding, cls token, learned positions, pre-LN blocks, final LayerNorm (eps 1e-6)."""

    def __init__(s, c):
        super().__init__()
        v, H = c["vision"], c["vision"]["hidden"]
        s.heads, s.grid = v["heads"], c["imageSize"] // c["patchSize"]
        s.patch = nn.Conv2d(c["channels"], H, c["patchSize"], stride=c["patchSize"])
        s.cls = nn.Parameter(torch.zeros(1, 1, H))
        s.pos = nn.Parameter(torch.randn(1, 1 + s.grid ** 2, H) * 0.02)
        s.blocks = nn.ModuleList(nn.ModuleDict(dict(
            norm1=nn.LayerNorm(H, eps=1e-6), qkv=nn.Linear(H, 3 * H), proj=nn.Linear(H, H),
            norm2=nn.LayerNorm(H, eps=1e-6), fc1=nn.Linear(H, v["intermediate"]), fc2=nn.Linear(v["intermediate"], H)))
            for _ in range(v["layers"]))
        s.norm = nn.LayerNorm(H, eps=1e-6)

    def forward(s, pixels):
        x = s.patch(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([s.cls.expand(x.shape[0], 1, -1), x], 1) + s.pos
        H = x.shape[-1]
        for b in s.blocks:
            q, k, v = (heads_split(t, s.heads) for t in b["qkv"](b["norm1"](x)).split(H, -1))
            x = x + b["proj"](heads_merge(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(H // s.heads), -1) @ v))
            x = x + b["fc2"](F.gelu(b["fc1"](b["norm2"](x))))
        return s.norm(x)


def position_ids(ids, pad):
    m = (ids != pad).long()
    return torch.cumsum(m, 1) * m + pad


class Roberta(nn.Module):
    def __init__(s, c):
        super().__init__()
        H, s.pad = c["text"]["hidden"], c["padTokenId"]
        s.word, s.position = nn.Embedding(c["vocabSize"], H), nn.Embedding(c["maxPositions"], H)
        s.token_type, s.ln = nn.Embedding(c["typeVocabSize"], H), nn.LayerNorm(H, eps=1e-5)
        s.drop = c["hiddenDropout"]
        d = dict(hidden=c["hiddenDropout"], attention=c["attentionDropout"])
        s.layers = nn.ModuleList(BertLayer(c, c["text"], d) for _ in range(c["text"]["layers"]))

    def forward(s, ids, mask):
        x = s.word(ids) + s.token_type(torch.zeros_like(ids)) + s.position(position_ids(ids, s.pad))
        x = F.dropout(s.ln(x), s.drop, s.training)
        bias = pad_mask_bias(mask)
        for layer in s.layers:
            x = layer(x, bias)
        return x


class LayoutLMv3(nn.Module):
    def __init__(s, c):
        super().__init__()
        f, H = c["fusion"], c["fusion"]["hidden"]
        s.c, s.heads, s.grid = c, f["heads"], c["imageSize"] // c["patchSize"]
        s.word, s.token_type = nn.Embedding(c["vocabSize"], H), nn.Embedding(c["typeVocabSize"], H)
        s.position = nn.Embedding(c["maxPositions"], H)
        s.x_pos, s.y_pos = nn.Embedding(f["max2dPositions"], f["coordinateSize"]), nn.Embedding(f["max2dPositions"], f["coordinateSize"])
        s.h_pos, s.w_pos = nn.Embedding(f["max2dPositions"], f["shapeSize"]), nn.Embedding(f["max2dPositions"], f["shapeSize"])
        s.emb_ln = nn.LayerNorm(H, eps=1e-5)
        s.patch = nn.Conv2d(c["channels"], H, c["patchSize"], stride=c["patchSize"])
        s.cls = nn.Parameter(torch.zeros(1, 1, H))
        s.pos = nn.Parameter(torch.randn(1, 1 + s.grid ** 2, H) * 0.02)
        s.norm, s.ln = nn.LayerNorm(H, eps=1e-6), nn.LayerNorm(H, eps=1e-5)
        s.rel = nn.Parameter(torch.randn(f["heads"], f["relPosBins"]) * 0.02)
        s.rel_x = nn.Parameter(torch.randn(f["heads"], f["rel2dPosBins"]) * 0.02)
        s.rel_y = nn.Parameter(torch.randn(f["heads"], f["rel2dPosBins"]) * 0.02)
        d = dict(hidden=c["hiddenDropout"], attention=c["attentionDropout"])
        s.layers = nn.ModuleList(BertLayer(c, f, d) for _ in range(f["layers"]))
        xs = [k * 1000 // s.grid for k in range(s.grid + 1)]
        boxes = [[1, 1, 999, 999]] + [[xs[q], xs[r], xs[q + 1], xs[r + 1]] for r in range(s.grid) for q in range(s.grid)]
        s.register_buffer("visual_bbox", torch.tensor(boxes, dtype=torch.long), persistent=False)

    def forward(s, ids, bbox, mask, pixels, align_text=None, align_image=None):
        c, f = s.c, s.c["fusion"]
        B, L = ids.shape
        spatial = torch.cat([s.x_pos(bbox[..., 0]), s.y_pos(bbox[..., 1]), s.x_pos(bbox[..., 2]), s.y_pos(bbox[..., 3]),
                             s.h_pos((bbox[..., 3] - bbox[..., 1]).clamp(0, 1023)), s.w_pos((bbox[..., 2] - bbox[..., 0]).clamp(0, 1023))], -1)
        t = s.word(ids) + s.token_type(torch.zeros_like(ids)) + s.position(position_ids(ids, c["padTokenId"])) + spatial
        t = F.dropout(s.emb_ln(t), c["hiddenDropout"], s.training)
        if align_text is not None:
            t = t + align_text
        v = s.patch(pixels).flatten(2).transpose(1, 2)
        v = s.norm(torch.cat([s.cls.expand(B, 1, -1), v], 1) + s.pos)
        if align_image is not None:
            v = v + align_image
        x = F.dropout(s.ln(torch.cat([t, v], 1)), c["hiddenDropout"], s.training)
        n_vis = v.shape[1]
        full_mask = torch.cat([mask, torch.ones(B, n_vis, dtype=mask.dtype)], 1)
        pos = torch.cat([torch.arange(L), torch.arange(n_vis)])[None].expand(B, -1)
        fb = torch.cat([bbox, s.visual_bbox[None].expand(B, -1, -1)], 1)
        gathered = lambda w, b: F.embedding(b, w.t()).permute(0, 3, 1, 2)  # (B, h, N, N)
        rel1 = gathered(s.rel, bucket(pos[:, None, :] - pos[:, :, None], f["relPosBins"], f["maxRelPos"]))
        bx, by = fb[..., 0], fb[..., 3]
        rel2 = (gathered(s.rel_x, bucket(bx[:, None, :] - bx[:, :, None], f["rel2dPosBins"], f["maxRel2dPos"]))
                + gathered(s.rel_y, bucket(by[:, None, :] - by[:, :, None], f["rel2dPosBins"], f["maxRel2dPos"])))
        bias = (rel1 + rel2) / math.sqrt(x.shape[-1] // s.heads) + pad_mask_bias(full_mask)
        for layer in s.layers:
            x = layer(x, bias)
        return x


def pita(patches, tokens, bbox, mask, grid, cell):
    """Patch-text alignment: each token whose box sits in one grid cell votes for that cell's patch."""
    B = tokens.shape[0]
    npatch = grid * grid
    c0, c1, r0, r1 = bbox[..., 0] // cell, bbox[..., 2] // cell, bbox[..., 1] // cell, bbox[..., 3] // cell
    lab = torch.where((c0 == c1) & (r0 == r1) & (mask != 0), r0 * grid + c0, torch.full_like(c0, -100))
    M = (lab[:, None, :] == torch.arange(npatch)[None, :, None]).float()  # [B, P, T]
    cells = (M @ tokens) / M.sum(-1, keepdim=True).clamp_min(1.0)
    tgt = torch.arange(npatch).repeat(B)
    l1 = F.cross_entropy((patches @ cells.transpose(1, 2)).reshape(-1, npatch), tgt)
    l2 = F.cross_entropy((cells @ patches.transpose(1, 2)).reshape(-1, npatch), tgt)
    return (l1 + l2) / 2


def queue_ce(q, keys_all, temp):
    logits = q @ keys_all / temp
    tgt = torch.zeros_like(logits)
    tgt[:, : q.shape[0]] = torch.eye(q.shape[0])
    return -(torch.log_softmax(logits, 1) * tgt).sum(1).mean()


def g2l(local, glob, temp, mask=None):
    N, n, _ = local.shape
    up = torch.einsum("ikd,id->ik", local, glob) / temp
    un = torch.einsum("id,jkd->ijk", glob, local) / temp
    eye = torch.eye(N)[:, :, None]
    un = (1 - eye) * un - 10000.0 * eye
    if mask is not None:
        m = mask.float()
        up = m * up + 10000.0 * (1 - m)
        un = m[None] * un - 10000.0 * (1 - m[None])
    un = un.reshape(N, 1, N * n).expand(N, n, N * n)
    logp = torch.log_softmax(torch.cat([up[..., None], un], -1), -1)[..., 0]
    if mask is not None:
        return (-logp.sum(1) / mask.float().sum(1)).mean()
    return -logp.mean()


def patch_pool(x):
    B, P_, D = x.shape
    g = int(math.isqrt(P_))
    y = F.avg_pool2d(x.reshape(B, g, g, D).permute(0, 3, 1, 2), 5, stride=4)
    return y.permute(0, 2, 3, 1).reshape(B, -1, D)


class AETNet(nn.Module):
    def __init__(s, c, num_labels=7):
        super().__init__()
        s.c, H, E = c, c["fusion"]["hidden"], c["embedDim"]
        s.fusion = LayoutLMv3(c)
        s.classifier = nn.Linear(H, num_labels)
        if not c["align"]:
            return
        s.visual_encoder, s.text_encoder = ViT(c), Roberta(c)
        s.vision_proj, s.text_proj = nn.Linear(H, E), nn.Linear(H, E)
        s.temp = nn.Parameter(torch.tensor(c["temperature"]))
        # Momentum copies: frozen, EMA-updated after each step (kept out of parameters()).
        s.momentum = [(m, copy) for m in (s.visual_encoder, s.vision_proj, s.text_encoder, s.text_proj)
                      for copy in [_frozen_copy(m)]]
        s.register_buffer("image_queue", normalize(torch.randn(c["queueSize"], E)).t().contiguous())
        s.register_buffer("text_queue", normalize(torch.randn(c["queueSize"], E)).t().contiguous())
        s.ptr, s.pending = 0, None

    def forward(s, ids, bbox, mask, pixels, labels):
        c = s.c
        if not c["align"]:
            hid = s.fusion(ids, bbox, mask, pixels)
            return s.task(hid, labels)
        img, txt = s.visual_encoder(pixels), s.text_encoder(ids, mask)
        temp = s.temp
        image_feat, text_feat = normalize(s.vision_proj(img[:, 0])), normalize(s.text_proj(txt[:, 0]))
        grid = c["imageSize"] // c["patchSize"]
        terms = dict(pita=pita(img[:, 1:], txt, bbox, mask, grid, c["pitaCell"]))
        with torch.no_grad():
            (vis_m, vp_m, txt_m, tp_m) = (copy for _, copy in s.momentum)
            im = vis_m(pixels)
            image_feat_m = normalize(vp_m(im[:, 0]))
            image_feat_m_l = patch_pool(normalize(vp_m(im[:, 1:])))
            tm = txt_m(ids, mask)
            text_feat_m = normalize(tp_m(tm[:, 0]))
            text_feat_m_l = normalize(tp_m(tm[:, 1:]))
            image_all = torch.cat([image_feat_m.t(), s.image_queue], 1)
            text_all = torch.cat([text_feat_m.t(), s.text_queue], 1)
            s.pending = (image_feat_m, text_feat_m)
        terms.update(i2t=queue_ce(image_feat, text_all, temp), t2i=queue_ce(text_feat, image_all, temp),
                     i2i=queue_ce(image_feat, image_all, temp), t2t=queue_ce(text_feat, text_all, temp),
                     glitcText=g2l(text_feat_m_l, text_feat, temp, mask[:, 1:]), glitcImage=g2l(image_feat_m_l, image_feat, temp))
        hid = s.fusion(ids, bbox, mask, pixels, txt, img)
        ita = sum(terms[k] for k in ("glitcText", "glitcImage", "i2t", "t2i", "i2i", "t2t")) / 6
        return s.task(hid, labels) + ita + terms["pita"]

    def task(s, hid, labels):
        L = labels.shape[1]
        logits = s.classifier(F.dropout(hid[:, :L], s.c["hiddenDropout"], s.training))
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)

    @torch.no_grad()
    def after_step(s):
        """Clamp τ, EMA-update the momentum copies, enqueue this step's momentum features."""
        if not s.c["align"]:
            return
        s.temp.clamp_(0.001, 0.5)
        m = s.c["momentum"]
        for online, copy in s.momentum:
            for p, pm in zip(online.parameters(), copy.parameters()):
                pm.mul_(m).add_(p, alpha=1 - m)
        img, txt = s.pending
        b, Q = img.shape[0], s.image_queue.shape[1]
        s.image_queue[:, s.ptr:s.ptr + b] = img.t()
        s.text_queue[:, s.ptr:s.ptr + b] = txt.t()
        s.ptr = (s.ptr + b) % Q


def _frozen_copy(module):
    import copy
    m = copy.deepcopy(module)
    for p in m.parameters():
        p.requires_grad_(False)
    return m


def aetnet_step(config, b=2, t=64):
    """A closure running one training step on b random documents of t tokens, as bench/aetnet_step.ts."""
    model = AETNet(config)
    model.train()
    boxes = torch.randint(0, 500, (b, t, 4))
    boxes[..., 2:] += 400
    ids = torch.randint(4, config["vocabSize"], (b, t))
    mask = torch.ones(b, t, dtype=torch.long)
    pixels = torch.randn(b, config["channels"], config["imageSize"], config["imageSize"])
    labels = torch.randint(0, 7, (b, t))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)

    def step():
        loss = model(ids, boxes, mask, pixels, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        model.after_step()
    step.trainable = sum(p.numel() for p in params)
    return step
