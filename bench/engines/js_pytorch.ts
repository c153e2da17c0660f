// js-pytorch peer (bench/peers/node_modules): tensors are nested JS arrays of float64 numbers, so it is
// orders of magnitude slower; only the workloads that finish in seconds run (its backward reports
// gradients whose values we do not check — the issue found some wrong; timings only).
import { CE_SHAPE, SOFTMAX_SHAPE, runEngine } from "../harness.ts";

// Typed loosely on purpose: the peer is optional and not a dependency of the library.
type Jt = { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const { torch } = (await import(new URL("../peers/node_modules/js-pytorch/dist/index.mjs", import.meta.url).href)) as { torch: Jt };

const mm = (s: number) => () => { const a = torch.randn([s, s]), b = torch.randn([s, s]); return () => { torch.matmul(a, b); }; };
const softmax = new torch.nn.Softmax();
const slow = "too slow for the suite (nested-array tensors: minutes per run)";

runEngine({
  w1_512: mm(512), w1_1024: mm(1024), w1_2048: mm(2048),
  w3_softmax_fwd: () => { const x = torch.randn([...SOFTMAX_SHAPE]); return () => { softmax.forward(x); }; },
  w3_softmax_fwdbwd: () => {
    const x = torch.randn([...SOFTMAX_SHAPE], true), w = torch.randn([...SOFTMAX_SHAPE]);
    return () => { x.zero_grad(); torch.mean(torch.mean(torch.mean(torch.mul(softmax.forward(x), w), -1), -1), -1).backward(); };
  },
  w3_ce_fwd: () => {
    const x = torch.randn([...CE_SHAPE]), y = torch.randint(0, CE_SHAPE[1], [CE_SHAPE[0]]);
    const loss = new torch.nn.CrossEntropyLoss();
    return () => { loss.forward(x, y); };
  },
}, { w1_2048: slow, w2_fwd: slow, w2_fwdbwd: slow });
