// `npx tsx bench/w3_exp_bound.ts [threads]`: is W3's softmax bound by exp? Times, on the W3 shape (64×256×256),
// softmax forward beside a bare elementwise exp and a zero-filled allocation of the same size, and prints how
// many bytes the kernels copied in and out of wasm memory (0 when every operand is resident).
import { randn, softmax, tidy, noGrad, setBackend, zeros } from "../engine/index.ts";
import { wasmRuntime } from "../engine/backends/wasm/index.ts";

const threads = Number(process.argv[2] ?? 2);
await setBackend("cpu", { threads });
const x = randn([64, 256, 256]);
const ms = (f: () => void): string => {
  for (let i = 0; i < 3; i++) tidy(f);
  const t = performance.now();
  for (let i = 0; i < 20; i++) tidy(f);
  return ((performance.now() - t) / 20).toFixed(2);
};
const before = { ...wasmRuntime().copies };
const rows = {
  softmax: ms(() => noGrad(() => softmax(x, -1))),
  exp: ms(() => noGrad(() => x.exp())),
  zeros: ms(() => { zeros([64, 256, 256]); }),
};
const copied = wasmRuntime().copies.inBytes + wasmRuntime().copies.outBytes - before.inBytes - before.outBytes;
console.log(`${threads} thread(s), ms per call: softmax fwd ${rows.softmax}, exp ${rows.exp}, zeros ${rows.zeros}; ` +
  `bytes copied in/out of wasm memory: ${copied}`);
