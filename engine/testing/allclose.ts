// Tolerance comparison of tensors or arrays, with a message naming the worst element.
import { Tensor } from "../tensor.ts";

type Values = Tensor | ArrayLike<number>;
const flat = (v: Values): ArrayLike<number> => (v instanceof Tensor ? v.buf.peek() : v);

/** The first element where |a-b| > atol + rtol·|b| (NaNs equal), or null when all are close. */
export function mismatch(a: Values, b: Values, rtol = 1e-5, atol = 1e-8): string | null {
  const x = flat(a);
  const y = flat(b);
  if (x.length !== y.length) return `length ${x.length} vs ${y.length}`;
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
    const err = Math.abs(x[i] - y[i]) - (atol + rtol * Math.abs(y[i]));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) { worst = i; worstErr = err; }
  }
  return worst < 0 ? null : `element ${worst}: ${x[worst]} vs ${y[worst]} (|diff| ${Math.abs(x[worst] - y[worst])}, rtol ${rtol}, atol ${atol})`;
}

/** True when |a − b| ≤ atol + rtol·|b| everywhere (shapes equal), as torch.allclose. */
export function allclose(a: Values, b: Values, rtol = 1e-5, atol = 1e-8): boolean {
  return mismatch(a, b, rtol, atol) === null;
}

/** Throws with the worst element when a and b are not close. */
export function assertClose(a: Values, b: Values, rtol = 1e-5, atol = 1e-8, what = "values"): void {
  const m = mismatch(a, b, rtol, atol);
  if (m !== null) throw new Error(`${what} differ at ${m}`);
}
