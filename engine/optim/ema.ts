// ema: exponential moving average of parameters, target = m·target + (1 - m)·source (momentum encoders).
import { noGrad } from "../autograd.ts";
import { DTypeError, EngineError, ShapeError, fmtShape } from "../errors.ts";
import { Module } from "../nn/module.ts";
import type { Tensor } from "../tensor.ts";

type Params = Module | readonly Tensor[];

/**
 * Updates target's parameters in place (ALBEF / MoCo momentum update). Two modules are matched by
 * parameter name (frozen parameters included, buffers not); otherwise by order. momentum = 0 copies.
 */
export function ema(target: Params, source: Params, momentum: number): void {
  if (!(momentum >= 0 && momentum <= 1)) throw new EngineError("ema", `momentum must be in [0, 1], got ${momentum}`);
  const pairs = pair(target, source);
  noGrad(() => {
    for (const [t, s] of pairs) {
      const a = t.storage;
      const b = s.storage;
      for (let i = 0; i < a.length; i++) a[i] = momentum * a[i] + (1 - momentum) * b[i];
    }
  });
}

function pair(target: Params, source: Params): [Tensor, Tensor][] {
  let named: [string, Tensor, Tensor][];
  if (target instanceof Module && source instanceof Module) {
    const src = new Map(source.namedParameters());
    const tgt = [...target.namedParameters()];
    const missing = tgt.filter(([k]) => !src.has(k)).map(([k]) => k);
    const extra = [...src.keys()].filter((k) => !tgt.some(([n]) => n === k));
    if (missing.length || extra.length) {
      throw new ShapeError("ema", `parameter names differ: only in target: ${missing.join(", ") || "none"}; only in source: ${extra.join(", ") || "none"}`);
    }
    named = tgt.map(([k, t]) => [k, t, src.get(k)!]);
  } else {
    const t = target instanceof Module ? target.parameters() : target;
    const s = source instanceof Module ? source.parameters() : source;
    if (t.length !== s.length) throw new ShapeError("ema", `target has ${t.length} parameters, source ${s.length}`);
    named = t.map((x, i) => [`#${i}`, x, s[i]]);
  }
  for (const [k, t, s] of named) {
    if (t.shape.join() !== s.shape.join()) throw new ShapeError("ema", `parameter ${k}: target ${fmtShape(t.shape)} vs source ${fmtShape(s.shape)}`);
    if (!t.isFloatingPoint()) throw new DTypeError("ema", `parameter ${k}: target must be floating point, got ${t.dtype}`);
  }
  return named.map(([, t, s]) => [t, s]);
}
