# PyTorch peer (Debian python3-torch), 2 threads, same workloads and shapes as bench/harness.ts.
# Prints one RESULT line of JSON for bench/run.ts. W4 is the AETNet step of torch_aetnet.py, built from the preset
# bench/run.ts passes as JSON in AETNET_BENCH_CONFIG (src/config.ts `small`). `--memory=w2_fwdbwd` instead
# profiles the peak memory of one W2 training step (forward, backward, AdamW), as bench/harness.ts does.
import json, math, os, statistics, sys, time
import torch
from torch_aetnet import aetnet_step

torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2)
torch.manual_seed(0)
quick = "--quick" in sys.argv
only = next((a[7:].split(",") for a in sys.argv if a.startswith("--only=")), None)
B, T, H, NH, M = 8, 256, 256, 4, 1024
QUICK = {"w1_512", "w1_1024", "w2_fwdbwd", "w3_softmax_fwdbwd", "w3_ce_fwdbwd", "w4_step"}

def thread_ticks():
    """CPU clock ticks used so far by each thread of this process (Linux /proc), as bench/harness.ts."""
    out = {}
    try: tids = os.listdir("/proc/self/task")
    except OSError: return None
    for tid in tids:
        try:
            f = open(f"/proc/self/task/{tid}/stat").read().rsplit(") ", 1)[1].split(" ")
            out[tid] = int(f[11]) + int(f[12])
        except (OSError, IndexError, ValueError): pass
    return out

def measure(fn):
    fn()
    ticks0, cpu0, wall0 = thread_ticks(), time.process_time(), time.perf_counter()
    times, start = [], time.perf_counter()
    while len(times) < (2 if quick else 5) or (time.perf_counter() - start < (0.5 if quick else 4) and len(times) < 50):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    s = sorted(times)
    rme = 100 * statistics.stdev(s) / math.sqrt(len(s)) / statistics.mean(s) * 1.96 if len(s) > 1 else 0
    r = {"median": statistics.median(s), "min": s[0], "max": s[-1], "rme": rme, "samples": len(s),
         "cpuPerWall": (time.process_time() - cpu0) / (time.perf_counter() - wall0)}
    ticks1 = thread_ticks()
    if ticks0 is not None and ticks1 is not None:
        used = [t - ticks0.get(tid, 0) for tid, t in ticks1.items()]
        total = sum(used)
        if total > 0: r["busyThreads"] = sum(1 for u in used if u >= 3 and u >= 0.1 * total)
    return r

def p(*shape, scale=0.02):
    return (torch.randn(*shape) * scale).requires_grad_()

def encoder():
    D = H // NH
    ln1w, ln1b, ln2w, ln2b = p(H, scale=1), p(H), p(H, scale=1), p(H)
    wq, wk, wv, wo, w1, w2 = p(H, H), p(H, H), p(H, H), p(H, H), p(M, H), p(H, M)
    bq, bk, bv, bo, b1, b2 = p(H), p(H), p(H), p(H), p(M), p(H)
    F = torch.nn.functional
    heads = lambda t: t.reshape(B, T, NH, D).permute(0, 2, 1, 3)
    def forward(x):
        h1 = F.layer_norm(x, (H,), ln1w, ln1b)
        q, k, v = heads(F.linear(h1, wq, bq)), heads(F.linear(h1, wk, bk)), heads(F.linear(h1, wv, bv))
        att = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * (1 / math.sqrt(D)), -1)
        ctx = torch.matmul(att, v).permute(0, 2, 1, 3).reshape(B, T, H)
        h = x + F.linear(ctx, wo, bo)
        return h + F.linear(F.gelu(F.linear(F.layer_norm(h, (H,), ln2w, ln2b), w1, b1)), w2, b2)
    return torch.randn(B, T, H), forward, [ln1w, ln1b, ln2w, ln2b, wq, wk, wv, wo, w1, w2, bq, bk, bv, bo, b1, b2]

def mm(s):
    a, b = torch.randn(s, s), torch.randn(s, s)
    return lambda: torch.matmul(a, b)

def w2_fwd():
    x, f, _ = encoder()
    def run():
        with torch.no_grad(): f(x)
    return run

def w2_fwdbwd():
    x, f, _ = encoder()
    return lambda: f(x).mean().backward()

def softmax_fwd():
    x = torch.randn(64, 256, 256)
    def run():
        with torch.no_grad(): torch.softmax(x, -1)
    return run

def softmax_fwdbwd():
    x, w = torch.randn(64, 256, 256, requires_grad=True), torch.randn(64, 256, 256)
    return lambda: (torch.softmax(x, -1) * w).sum().backward()

def ce_fwd():
    x, y = torch.randn(4096, 1000), torch.randint(0, 1000, (4096,))
    def run():
        with torch.no_grad(): torch.nn.functional.cross_entropy(x, y)
    return run

def ce_fwdbwd():
    x, y = torch.randn(4096, 1000, requires_grad=True), torch.randint(0, 1000, (4096,))
    return lambda: torch.nn.functional.cross_entropy(x, y).backward()

def w4(b, t, align=True):
    def make():
        config = json.loads(os.environ["AETNET_BENCH_CONFIG"])
        step = aetnet_step(dict(config, align=align), b, t)
        print(f"W4 B{b}xT{t} align={align}: {step.trainable} trainable parameters", file=sys.stderr)
        return step
    return make

impl = {"w1_512": lambda: mm(512), "w1_1024": lambda: mm(1024), "w1_2048": lambda: mm(2048), "w2_fwd": w2_fwd, "w2_fwdbwd": w2_fwdbwd,
        "w3_softmax_fwd": softmax_fwd, "w3_softmax_fwdbwd": softmax_fwdbwd, "w3_ce_fwd": ce_fwd, "w3_ce_fwdbwd": ce_fwdbwd,
        "w4_step": w4(2, 64), "w4_b4t256": w4(4, 256), "w4_fusion_b4t256": w4(4, 256, align=False)}
ids = ["w1_512", "w1_1024", "w1_2048", "w2_fwd", "w2_fwdbwd", "w3_softmax_fwd", "w3_softmax_fwdbwd", "w3_ce_fwd", "w3_ce_fwdbwd",
       "w4_step", "w4_b4t256", "w4_fusion_b4t256", "w2_gemms"]

MiB = 2 ** 20
def proc_status(field):
    try:
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"): return int(line.split()[1]) * 1024
    except OSError: pass
    return None

def reset_high_water():
    try:
        with open("/proc/self/clear_refs", "w") as f: f.write("5")
        return proc_status("VmHWM") is not None
    except OSError: return False

def profile_memory(steps):
    """The W2 training step's memory in this fresh process, with the fields of bench/harness.ts MemoryProfile."""
    import gc, resource
    x, f, params = encoder()
    opt = torch.optim.AdamW(params, lr=1e-4)
    def forward():
        opt.zero_grad(set_to_none=True)
        return f(x).mean()
    def backward(loss):
        loss.backward(); opt.step()
    hwm = reset_high_water()
    peak = lambda: proc_status("VmHWM") if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    gc.collect()
    baseline = proc_status("VmRSS")
    peak_all, warm = baseline, None
    if hwm: reset_high_water()
    for i in range(steps):
        gc.collect()
        before = proc_status("VmRSS")
        if hwm: peak_all = max(peak_all, peak()); reset_high_water()
        backward(forward())
        p = peak()
        peak_all = max(peak_all, p)
        if hwm and i > 0: warm = max(warm or 0, p - before)
    mib = lambda b: round(b / MiB * 10) / 10
    return {"workload": "w2_fwdbwd", "step": "W2 layer forward + backward + AdamW step", "steps": steps,
            "baselineRssMiB": mib(baseline), "peakRssMiB": mib(peak_all), "stepPeakMiB": mib(peak_all - baseline),
            "warmStepPeakMiB": None if warm is None else mib(warm), "liveAfterForwardMiB": None,
            "method": "VmHWM (reset per step)" if hwm else "maxRSS (process lifetime)", "gc": True}

memory = next((a[9:] for a in sys.argv if a.startswith("--memory=")), None)
if memory is not None:
    print("RESULT " + json.dumps({"memory": profile_memory(1 if quick else 4)} if memory == "w2_fwdbwd" else {"error": f"no memory probe for {memory}"}))
    sys.exit(0)

out = {}
for w in ids:
    if (w not in only) if only else (quick and w not in QUICK): continue  # an explicit --only wins over --quick
    if w.startswith("w4") and "AETNET_BENCH_CONFIG" not in os.environ:
        out[w] = {"skipped": "needs AETNET_BENCH_CONFIG (the preset as JSON; bench/run.ts sets it)"}
        continue
    out[w] = measure(impl[w]()) if w in impl else {"skipped": "not implemented for this engine"}
print("RESULT " + json.dumps(out))
