// Momentum (EMA) copies of the alignment encoders and projections: AET's `copy_params` and `_momentum_update`.
import { Tensor, noGrad, nn, optim } from "../../engine/index.ts";

/**
 * An online module paired with its frozen momentum copy. The copy's parameters keep their names (so the state dict
 * holds `visual_encoder_m.blocks.0.attn.qkv.weight` as the official checkpoint does) but have requiresGrad false,
 * so they never receive a gradient and optimizers skip them. Pairs are matched by parameter name (the official
 * code zips `.parameters()` in order; the architectures are identical, so the pairing is the same).
 */
export class MomentumPair<M extends nn.Module> {
  readonly pairs: readonly (readonly [online: Tensor, momentum: Tensor, name: string])[];
  readonly #online: Tensor[];
  readonly #momentum: Tensor[];

  /** Pairs an online module with an already-frozen copy of the same architecture; use `create` to make one. */
  constructor(readonly online: M, readonly momentum: M) {
    const target = new Map(momentum.namedParameters());
    this.pairs = [...online.namedParameters()].map(([name, p]) => {
      const m = target.get(name);
      if (m === undefined || m.shape.join() !== p.shape.join()) throw new Error(`[MomentumPair] momentum copy has no parameter ${name} of shape [${p.shape.join(", ")}]`);
      if (m.requiresGrad) throw new Error(`[MomentumPair] momentum parameter ${name} must be frozen (requiresGrad false)`);
      return [p, m, name] as const;
    });
    this.#online = this.pairs.map(([p]) => p);
    this.#momentum = this.pairs.map(([, m]) => m);
  }

  /** Deep copy: `build()` makes the same architecture afresh; the online weights are copied in (copy_params) and frozen. */
  static create<M extends nn.Module>(online: M, build: () => M): MomentumPair<M> {
    const momentum = build();
    momentum.loadStateDict(online.stateDict());
    momentum.requiresGrad_(false);
    momentum.train(online.training);
    return new MomentumPair(online, momentum);
  }

  /** θm ← θ (copy_params); call after loading pretrained online weights. */
  copy(): void { this.update(0); }

  /** θm ← m·θm + (1 − m)·θ, in place, without recording a graph (_momentum_update). */
  update(momentum: number): void {
    noGrad(() => optim.ema(this.#momentum, this.#online, momentum));
  }
}
