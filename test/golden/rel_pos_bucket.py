"""LayoutLMv3's relative-position bucket (HF `relative_position_bucket`, bidirectional, T5-style), shared by the
golden generators (gen_layoutlmv3.py, gen_aetnet.py, and gen_hf_checkpoint.py through them) and the PyTorch bench
peer (bench/engines/torch_aetnet.py). The log maths runs in float32, as HF's does, whatever torch's default dtype.
"""
import math

import torch


def bucket(rel, num_buckets, max_distance):
    """Bucket ids of the integer offsets `rel`: half the buckets for each sign, exact up to a quarter, log beyond."""
    half = num_buckets // 2
    ret = (rel > 0).long() * half
    n = rel.abs()
    exact = half // 2
    large = exact + (torch.log(n.float() / exact) / math.log(max_distance / exact) * (half - exact)).to(torch.long)
    large = torch.minimum(large, torch.full_like(large, half - 1))
    return ret + torch.where(n < exact, n, large)
