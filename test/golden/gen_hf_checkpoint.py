"""Hugging Face checkpoints both ways, against plain PyTorch (src/models/hf_checkpoint.ts, hf_format.ts).

1. Import: writes two fine-tuned checkpoints in the key layout and config.json of HF transformers'
   LayoutLMv3ForTokenClassification (7 labels: the Linear classifier, plus the legacy `position_ids` buffer) and
   LayoutLMv3ForSequenceClassification (3 labels: LayoutLMv3ClassificationHead dense -> tanh -> out_proj on the text
   <s> token), with their logits on fixed inputs. Weights: det_param() of gen_layoutlmv3.py; the forward is that
   script's plain-torch LayoutLMv3 (HF semantics) and its heads.
2. Export: loads test/fixtures/hf/aetnet_export/ (an AETNet exported by the TS code, written by
   test/golden/make_hf_export.ts; run that first), reads its sizes from its config.json, and runs the AET forward of
   gen_aetnet.py (DeiT ViT + RoBERTa outputs added into the LayoutLMv3 fusion model, float64) to record its logits.

transformers is not installed here, so safetensors files are written and read by hand from the format spec.
Writes test/fixtures/hf/{hf_token,hf_sequence}/ and test/fixtures/hf/logits.json.
Run: npx tsx test/golden/make_hf_export.ts && /usr/bin/python3 test/golden/gen_hf_checkpoint.py
"""
import json
import os
import struct

import numpy as np
import torch

import gen_layoutlmv3 as L

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "hf")

MICRO = dict(L.TINY, hidden=16, layers=1, heads=2, intermediate=32, coord=2, shape=4, vocab=64, max_pos=40)
FUNSD = ["O", "B-HEADER", "I-HEADER", "B-QUESTION", "I-QUESTION", "B-ANSWER", "I-ANSWER"]
CLASSES = ["letter", "form", "invoice"]

# Same values as fixtureInputs() in test/src/models/hf_fixture.ts.
IDS = torch.tensor([[0, 37, 55, 4, 18, 61, 7, 2], [0, 12, 30, 45, 2, 1, 1, 1]])
BBOX = torch.tensor([[[0, 0, 0, 0], [10, 20, 60, 40], [60, 20, 130, 40], [130, 20, 200, 40], [500, 700, 580, 790],
                      [0, 900, 1000, 1000], [999, 999, 1000, 1000], [1000, 1000, 1000, 1000]],
                     [[0, 0, 0, 0], [71, 71, 142, 142], [300, 400, 350, 420], [700, 10, 990, 30],
                      [1000, 1000, 1000, 1000], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]])
MASK = torch.tensor([[1] * 8, [1, 1, 1, 1, 1, 0, 0, 0]])


def pixels(c):
    return L.det_tensor("input.pixel_values", [2, c["channels"], c["image"], c["image"]])


# ---- safetensors by hand (u64 header length, JSON header padded to 8 bytes, raw little-endian data) ----

DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        code, np_dtype = DTYPES[t.dtype]
        raw = t.detach().contiguous().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", f"{name}: {info['dtype']}"
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def hf_config(c, arch, labels):
    """config.json as LayoutLMv3Config.to_dict() writes it (the fields the loader reads, HF names and defaults)."""
    return {"_name_or_path": "micro-layoutlmv3", "architectures": [arch], "model_type": "layoutlmv3",
            "hidden_size": c["hidden"], "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"],
            "intermediate_size": c["intermediate"], "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1, "classifier_dropout": None, "coordinate_size": c["coord"],
            "shape_size": c["shape"], "max_2d_position_embeddings": c["max2d"], "has_relative_attention_bias": True,
            "rel_pos_bins": c["bins"], "max_rel_pos": c["max_rel"], "has_spatial_attention_bias": True,
            "rel_2d_pos_bins": c["bins2d"], "max_rel_2d_pos": c["max_rel2d"], "layer_norm_eps": c["eps"],
            "initializer_range": 0.02, "vocab_size": c["vocab"], "max_position_embeddings": c["max_pos"],
            "type_vocab_size": c["type_vocab"], "pad_token_id": c["pad"], "bos_token_id": 0, "eos_token_id": 2,
            "input_size": c["image"], "patch_size": c["patch"], "num_channels": c["channels"], "text_embed": True,
            "visual_embed": True, "torch_dtype": "float32", "transformers_version": "4.44.0",
            "id2label": {str(i): l for i, l in enumerate(labels)}, "label2id": {l: i for i, l in enumerate(labels)}}


def write_hf(name, c, arch, labels, token):
    specs = L.model_specs(c, "layoutlmv3.") + L.head_specs(c, len(labels), token)
    P = {n: L.det_param(n, s).detach() for n, s in specs}
    with torch.no_grad():
        hid = L.model_forward(P, c, IDS, BBOX, MASK, pixels(c))
        x = hid[:, :IDS.shape[1]] if token else hid[:, 0]
        logits = L.head_forward(P, x, token, len(labels))
    tensors = dict(P)
    if token:  # older HF checkpoints carry this buffer; the loader must drop it
        tensors["layoutlmv3.embeddings.position_ids"] = torch.arange(c["max_pos"]).unsqueeze(0)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    write_safetensors(os.path.join(d, "model.safetensors"), tensors)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(hf_config(c, arch, labels), f, indent=2)
    return {"labels": labels, "shape": list(logits.shape), "logits": L.r(logits)}


def export_logits():
    """The AET forward of gen_aetnet.py on the exported weights (float64; it sets torch's default dtype)."""
    import gen_aetnet as A
    d = os.path.join(OUT, "aetnet_export")
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    aet = cfg["aetnet"]
    assert cfg["architectures"] == ["AETNetForTokenClassification"]
    assert aet["text"]["hidden"] == aet["vision"]["hidden"] == cfg["hidden_size"]
    A.CFG.update(hidden=cfg["hidden_size"], heads=cfg["num_attention_heads"], inter=cfg["intermediate_size"],
                 vit_layers=aet["vision"]["layers"], text_layers=aet["text"]["layers"],
                 fusion_layers=cfg["num_hidden_layers"], vocab=cfg["vocab_size"], pad=cfg["pad_token_id"],
                 max_pos=cfg["max_position_embeddings"], type_vocab=cfg["type_vocab_size"], image=cfg["input_size"],
                 patch=cfg["patch_size"], channels=cfg["num_channels"], coord=cfg["coordinate_size"],
                 shape=cfg["shape_size"], max2d=cfg["max_2d_position_embeddings"], rel_bins=cfg["rel_pos_bins"],
                 max_rel=cfg["max_rel_pos"], rel2d_bins=cfg["rel_2d_pos_bins"], max_rel2d=cfg["max_rel_2d_pos"])
    assert A.GRID == cfg["input_size"] // cfg["patch_size"]
    W = read_safetensors(os.path.join(d, "model.safetensors"))
    used = set()

    def P(name, shape):
        assert name in W, f"exported checkpoint lacks {name}"
        assert list(W[name].shape) == list(shape), f"{name}: {list(W[name].shape)} vs {list(shape)}"
        used.add(name)
        return W[name].double()

    num_labels = len(cfg["id2label"])
    px = pixels(MICRO).double()
    with torch.no_grad():
        img = A.vit(P, "visual_encoder.", px, A.CFG["vit_layers"])
        txt = A.roberta(P, "text_encoder.roberta.", IDS, MASK, A.CFG["text_layers"])
        hid = A.layoutlmv3(P, "layoutlmv3.", IDS, BBOX, MASK, px, txt, img)
        logits = A.lin(P, "classifier", hid[:, :IDS.shape[1]], num_labels, A.CFG["hidden"])
    # What the forward did not read: the projections and τ (training-only), nothing else.
    unused = sorted(set(W) - used)
    assert all(k.startswith(("vision_proj.", "text_proj.")) or k == "temp" for k in unused), unused
    return {"labels": [cfg["id2label"][str(i)] for i in range(num_labels)], "shape": list(logits.shape),
            "logits": [float("%.9g" % v) for v in logits.reshape(-1).tolist()], "unused": unused}


def main():
    out = {"input_ids": IDS.tolist(), "bbox": BBOX.tolist(), "attention_mask": MASK.tolist(),
           "hf_token": write_hf("hf_token", MICRO, "LayoutLMv3ForTokenClassification", FUNSD, True),
           "hf_sequence": write_hf("hf_sequence", MICRO, "LayoutLMv3ForSequenceClassification", CLASSES, False)}
    out["aetnet_export"] = export_logits()
    with open(os.path.join(OUT, "logits.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print({k: v["shape"] for k, v in out.items() if isinstance(v, dict)})


if __name__ == "__main__":
    main()
