// A strict TypeScript user of the installed package, type-checked (not run) against the shipped .d.ts with
// moduleResolution node16 and bundler. Each line leans on a type the declarations must get right.
import { type BackendInfo, type Tensor, F, MissingDependencyError, nn, optim, randn, setBackend, tensor } from "aetnet/engine";
import { gradcheck } from "aetnet/engine/testing";
import { AETNet, type AETNetConfig, type AETNetOutput, tiny, withOverrides } from "aetnet";

const x: Tensor = tensor([[1, 2, 3]], [1, 3], { requiresGrad: true });
const shape: readonly number[] = x.shape;
const layer = new nn.Linear(3, 2);
const loss: Tensor = F.mseLoss(layer.forward(x), randn([1, 2]));
const opt = new optim.AdamW(layer.parameters(), { lr: 1e-3 });
loss.backward();
opt.step();
const ok: boolean = gradcheck((a: Tensor) => a.tanh().sum(), [randn([2, 2], { dtype: "float64" })]);
const config: AETNetConfig = withOverrides(tiny, { align: false });
const model = new AETNet(config, { task: "token", numLabels: 7 });
type Out = AETNetOutput["loss"];
const info: Promise<BackendInfo> = setBackend("cpu");
const missing: string = new MissingDependencyError("gpu.js", "gpu").packageName;
// @ts-expect-error: an unknown backend name is a type error
void setBackend("tpu");
export const used: unknown[] = [shape, ok, model, info, missing, null as unknown as Out];
