# Golden values and input gradients for the AETNet losses (src/losses/), written in PyTorch from the official
# AET / ALBEF / TCL semantics (docs/aet_reference_notes.md §2), independently of the TypeScript port.
# Rerun: cd /work/main && /usr/bin/python3 test/golden/gen_losses.py   (torch 1.13, float64, seed 0; writes
# test/fixtures/losses_golden.json). Values are rounded to 12 significant digits to keep the file small.
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
B, D, Q, L, T = 3, 8, 6, 5, 12
OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "losses_golden.json")


def flat(t):
    return [float("%.12g" % v) for v in t.detach().reshape(-1).tolist()]


def rec(t):
    return {"shape": list(t.shape), "data": flat(t)}


def leaf(shape, normalize=False):
    x = torch.randn(*shape)
    if normalize:
        x = F.normalize(x, dim=-1)
    return x.clone().requires_grad_(True)


def grads(loss, tensors):
    gs = torch.autograd.grad(loss, tensors, allow_unused=True)
    return [rec(g if g is not None else torch.zeros_like(t)) for g, t in zip(gs, tensors)]


# ---- DITC / IMC (AET.forward: ALBEF ITC with queue, and TCL's in-modality g2g) ----
def queue_all(feat_m, queue):
    # [D, B+Q]: the batch's momentum features (transposed) first, then the queue, as the official concat.
    return torch.cat([feat_m.t(), queue], dim=1)


def ditc_reference(image_feat, text_feat, image_all, text_all, temp, alpha):
    b = image_feat.shape[0]
    with torch.no_grad():
        image_feat_m = image_all[:, :b].t()
        text_feat_m = text_all[:, :b].t()
        sim_i2t_m = image_feat_m @ text_all / temp
        sim_t2i_m = text_feat_m @ image_all / temp
        sim_targets = torch.zeros(sim_i2t_m.size())
        sim_targets.fill_diagonal_(1)
        i2t_targets = alpha * F.softmax(sim_i2t_m, dim=1) + (1 - alpha) * sim_targets
        t2i_targets = alpha * F.softmax(sim_t2i_m, dim=1) + (1 - alpha) * sim_targets
    sim_i2t = image_feat @ text_all / temp
    sim_t2i = text_feat @ image_all / temp
    loss_i2t = -torch.sum(F.log_softmax(sim_i2t, dim=1) * i2t_targets, dim=1).mean()
    loss_t2i = -torch.sum(F.log_softmax(sim_t2i, dim=1) * t2i_targets, dim=1).mean()
    return loss_i2t, loss_t2i


def imc_reference(image_feat, text_feat, image_all, text_all, temp):
    b = image_feat.shape[0]
    targets = torch.arange(b)
    loss_i2i = F.cross_entropy(image_feat @ image_all / temp, targets)
    loss_t2t = F.cross_entropy(text_feat @ text_all / temp, targets)
    return loss_i2i, loss_t2t


def contrastive_case(name, kind, temp_value, learnable, alpha=0.0):
    image_feat, text_feat = leaf([B, D], True), leaf([B, D], True)
    image_all = queue_all(F.normalize(torch.randn(B, D), dim=-1), F.normalize(torch.randn(D, Q), dim=0))
    text_all = queue_all(F.normalize(torch.randn(B, D), dim=-1), F.normalize(torch.randn(D, Q), dim=0))
    temp = torch.tensor(temp_value, requires_grad=True) if learnable else temp_value
    if kind == "ditc":
        a, b = ditc_reference(image_feat, text_feat, image_all, text_all, temp, alpha)
    else:
        a, b = imc_reference(image_feat, text_feat, image_all, text_all, temp)
    wrt = [image_feat, text_feat] + ([temp] if learnable else [])
    case = {"name": name, "kind": kind, "alpha": alpha, "temp": temp_value, "learnable": learnable,
            "imageFeat": rec(image_feat), "textFeat": rec(text_feat), "imageFeatAll": rec(image_all), "textFeatAll": rec(text_all),
            "values": [a.item(), b.item()]}
    # Gradients of each direction separately, so a sign or direction swap shows up.
    case["gradsA"] = grads(a, wrt)
    case["gradsB"] = grads(b, wrt)
    return case


# ---- GLITC (TCL in_batch_g2l_loss; intra-modal) ----
def g2l_reference(l, m, temp, attention_mask=None):
    # l [N, n, E] locals, m [N, E] global. Build the full [N, n, 1 + N*n] logit tensor like the reference.
    n_samples, n_locals, _ = l.shape
    u_p = torch.einsum("ike,ie->ik", l, m) / temp  # [N, n]
    if attention_mask is not None:
        u_p = attention_mask * u_p + 10000.0 * (1 - attention_mask)
    u_n = torch.einsum("ie,jke->ijk", m, l) / temp  # [N, N, n]
    self_mask = torch.eye(n_samples)[:, :, None]
    u_n = (1 - self_mask) * u_n - 10000.0 * self_mask
    if attention_mask is not None:
        am = attention_mask[None, :, :]
        u_n = am * u_n - 10000.0 * (1 - am)
    u_n = u_n.reshape(n_samples, 1, n_samples * n_locals).expand(-1, n_locals, -1)
    logits = torch.cat([u_p[:, :, None], u_n], dim=2)
    logp = F.log_softmax(logits, dim=2)[:, :, 0]  # no squeeze: N = 1 stays [1, n]
    if attention_mask is not None:
        return (torch.sum(-logp, dim=1) / torch.sum(attention_mask, dim=1)).mean()
    return (-logp).mean()


def patch_pooling_reference(x):
    b, p, e = x.shape
    side = int(round(p ** 0.5))
    x = x.reshape(b, side, side, e).permute(0, 3, 1, 2)
    x = F.avg_pool2d(x, kernel_size=5, stride=4)
    return x.permute(0, 2, 3, 1).reshape(b, -1, e)


def glitc_text_case(name, n, temp_value, learnable):
    local = leaf([n, L, D], True)
    glob = leaf([n, D], True)
    mask = torch.ones(n, L)
    for i in range(n):
        mask[i, L - 1 - i:] = 0  # sample i has i+1 padded locals (at least one valid remains)
    temp = torch.tensor(temp_value, requires_grad=True) if learnable else temp_value
    loss = g2l_reference(local, glob, temp, mask)
    wrt = [local, glob] + ([temp] if learnable else [])
    return {"name": name, "temp": temp_value, "learnable": learnable, "local": rec(local), "global": rec(glob),
            "mask": mask.tolist(), "value": loss.item(), "grads": grads(loss, wrt)}


def glitc_image_case(name, temp_value, learnable):
    patches = leaf([B, 196, 4])
    glob = leaf([B, 4], True)
    pooled = patch_pooling_reference(F.normalize(patches, dim=-1))
    temp = torch.tensor(temp_value, requires_grad=True) if learnable else temp_value
    loss = g2l_reference(pooled, glob, temp)
    wrt = [patches, glob] + ([temp] if learnable else [])
    return {"name": name, "temp": temp_value, "learnable": learnable, "patches": rec(patches), "global": rec(glob),
            "pooled": rec(pooled), "value": loss.item(), "grads": grads(loss, wrt)}


# ---- PITA (loss_lol with check_bbox) ----
def check_bbox(box, grid=14, cell=72):
    x0, y0, x1, y1 = box
    if x0 // cell != x1 // cell or y0 // cell != y1 // cell:
        return -100
    return (y0 // cell) * grid + x0 // cell


def random_boxes(gen, b, t):
    cells = [(0, 0), (2, 3), (13, 13), (6, 9), (2, 3), (13, 0)]  # repeats so some cells average several tokens
    boxes, mask = [], []
    for _ in range(b):
        row_boxes, row_mask = [], []
        for j in range(t):
            kind = torch.randint(0, 4, (1,), generator=gen).item()
            if j == 0:
                box = [0, 0, 0, 0]  # <s>: lands in cell 0 as in the reference
            elif kind == 0:  # spans two columns
                r = torch.randint(0, 13, (1,), generator=gen).item()
                c = torch.randint(0, 13, (1,), generator=gen).item()
                box = [c * 72 + 30, r * 72 + 5, (c + 1) * 72 + 3, r * 72 + 60]
            elif kind == 1:  # spans two rows
                c = torch.randint(0, 13, (1,), generator=gen).item()
                box = [c * 72 + 1, 100, c * 72 + 70, 150]
            else:
                r, c = cells[torch.randint(0, len(cells), (1,), generator=gen).item()]
                hi = min(71, 1000 - c * 72)
                x0 = c * 72 + torch.randint(0, hi + 1, (1,), generator=gen).item()
                y0 = r * 72 + torch.randint(0, min(71, 1000 - r * 72) + 1, (1,), generator=gen).item()
                box = [x0, y0, min(c * 72 + hi, x0 + 10), min(r * 72 + min(71, 1000 - r * 72), y0 + 8)]
            row_boxes.append(box)
            row_mask.append(0 if j >= t - 2 - len(boxes) else 1)  # trailing padding, longer for later samples
        boxes.append(row_boxes)
        mask.append(row_mask)
    return boxes, mask


def pita_reference(patch_embeds, token_embeds, boxes, mask, grid=14, cell=72):
    b, p, _ = patch_embeds.shape
    labels = torch.tensor([[check_bbox(box, grid, cell) if m else -100 for box, m in zip(rb, rm)] for rb, rm in zip(boxes, mask)])
    onehot = (labels[:, None, :] == torch.arange(p)[None, :, None]).to(token_embeds.dtype)  # [B, P, T]
    count = onehot.sum(dim=2, keepdim=True)
    cell_embeds = (onehot @ token_embeds) / torch.clamp(count, min=1)
    logits1 = (patch_embeds @ cell_embeds.transpose(1, 2)).reshape(-1, p)
    logits2 = (cell_embeds @ patch_embeds.transpose(1, 2)).reshape(-1, p)
    target = torch.arange(p).repeat(b)
    loss = (F.cross_entropy(logits1, target) + F.cross_entropy(logits2, target)) / 2
    return loss, labels


def pita_case(name, b, d):
    gen = torch.Generator().manual_seed(7 + b)
    boxes, mask = random_boxes(gen, b, T)
    patch_embeds = torch.randn(b, 196, d).requires_grad_(True)
    token_embeds = torch.randn(b, T, d).requires_grad_(True)
    loss, labels = pita_reference(patch_embeds, token_embeds, boxes, mask)
    return {"name": name, "patchEmbeds": rec(patch_embeds), "tokenEmbeds": rec(token_embeds), "bbox": boxes, "mask": mask,
            "labels": labels.tolist(), "value": loss.item(), "grads": grads(loss, [patch_embeds, token_embeds])}


def main():
    fixtures = {
        "contrastive": [
            contrastive_case("ditc alpha 0, temp 0.07", "ditc", 0.07, False),
            contrastive_case("ditc alpha 0.4, learnable temp 0.1", "ditc", 0.1, True, alpha=0.4),
            contrastive_case("imc temp 0.07", "imc", 0.07, False),
            contrastive_case("imc learnable temp 0.05", "imc", 0.05, True),
        ],
        "glitcText": [
            glitc_text_case("text, masked, temp 0.07", B, 0.07, False),
            glitc_text_case("text, masked, learnable temp 0.2", B, 0.2, True),
            glitc_text_case("text, N = 1", 1, 0.07, True),
        ],
        "glitcImage": [glitc_image_case("image, pooled patches, learnable temp 0.1", 0.1, True)],
        "pita": [pita_case("pita B=2", 2, 4), pita_case("pita B=1", 1, 3)],
    }
    with open(OUT, "w") as f:
        json.dump(fixtures, f, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
