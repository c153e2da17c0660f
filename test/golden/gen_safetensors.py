"""Writes test/fixtures/torch_written.safetensors and its expected values, test/fixtures/torch_written.json.

An independent writer for the TS reader (engine/io/safetensors.ts). The `safetensors` Python package
is not installed on the machine that generated the fixture, so this script writes the format by
hand from the spec (https://github.com/huggingface/safetensors#format): u64 little-endian header
length, JSON header space-padded to 8 bytes, then the raw little-endian tensor bytes. Tensor values
come from torch (F16 and BF16 rounding is torch's), and the raw bytes from numpy / torch .view().
The header lists tensors in insertion order while the data is laid out in reverse, so the reader
cannot rely on the two orders agreeing.

The sidecar gives every value as Python's repr of the exact decoded number (float32/16/bf16 values
widened to double exactly), with "nan", "inf", "-inf" and "-0.0" spelled out, so the TS test can
compare bit-exactly. Run: /usr/bin/python3 test/golden/gen_safetensors.py
"""
import json
import math
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")

inf, nan = math.inf, math.nan
tensors = {
    "f32": torch.tensor([[-0.0, 1e-45, 3.4e38], [inf, nan, 1 / 3]], dtype=torch.float32),
    "f16": torch.tensor([2.0 ** -24, 2.0 ** -14 * 0.5, 65504.0, -inf, nan, 0.1, -0.0, -2.5], dtype=torch.float16),
    "bf16": torch.tensor([[[1 / 3, -1e-40], [inf, nan]], [[3.0e38, -0.0], [1.0, -7.25]]], dtype=torch.bfloat16),
    "i32": torch.tensor([-(2 ** 31), 2 ** 31 - 1, 0, -7], dtype=torch.int32),
    "i64": torch.tensor([[-(2 ** 31)], [2 ** 31 - 1], [42]], dtype=torch.int64),
    "f64_scalar": torch.tensor(1 / 3, dtype=torch.float64),
    "f64": torch.tensor([1e-310, math.pi, -2.0 ** 1000], dtype=torch.float64),
    "empty": torch.zeros((0, 3), dtype=torch.float32),
    "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
    "i8": torch.tensor([-128, 127, -1], dtype=torch.int8),
    "bool": torch.tensor([True, False, True], dtype=torch.bool),
}
metadata = {"format": "pt", "source": "gen_safetensors.py", "unicode": "naïve ✓"}

SAFE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32", torch.int64: "I64",
        torch.float64: "F64", torch.uint8: "U8", torch.int8: "I8", torch.bool: "BOOL"}
ENGINE = {"F32": "float32", "F16": "float32", "BF16": "float32", "F64": "float64",
          "I32": "int32", "I64": "int32", "U8": "int32", "I8": "int32", "BOOL": "int32"}


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def exact(x):
    """repr of a Python float/int is exact and round-trips; JS Number() reads it back to the same double."""
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "nan"
    return repr(x)  # "inf", "-inf", "-0.0" included


def main():
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name in reversed(list(tensors)):  # data in reverse order of the header keys
        data = raw_bytes(tensors[name])
        chunks.append(data)
        header[name] = (offset, offset + len(data))
        offset += len(data)
    entries = {"__metadata__": metadata}
    for name, t in tensors.items():
        begin, end = header[name]
        entries[name] = {"dtype": SAFE[t.dtype], "shape": list(t.shape), "data_offsets": [begin, end]}
    text = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(os.path.join(OUT, "torch_written.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)

    expected = {"metadata": metadata, "tensors": {}}
    for name, t in tensors.items():
        flat = t.reshape(-1)
        values = [exact(v) for v in (flat.tolist() if t.dtype != torch.bfloat16 else flat.float().tolist())]
        expected["tensors"][name] = {"dtype": ENGINE[SAFE[t.dtype]], "shape": list(t.shape), "values": values}
    with open(os.path.join(OUT, "torch_written.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
