// Optimizer base: parameter groups with per-group hyperparameters, per-parameter state, exact-resume state dicts.
import { noGrad } from "../autograd.ts";
import { keep } from "../memory.ts";
import { convert } from "../dtype.ts";
import { DTypeError, EngineError, ShapeError, fmtShape } from "../errors.ts";
import { Tensor, fromStorage } from "../tensor.ts";

/** A hyperparameter value as it appears in a group and in a state dict. */
export type HyperValue = number | boolean | readonly number[];
/** Every optimizer's groups carry at least lr and weightDecay (schedulers and decay groups rely on them). */
export type BaseHyper = { lr: number; weightDecay: number };
/** A parameter group: its tensors and its hyperparameters. */
export type ParamGroup<H> = H & { params: Tensor[] };
/** What the constructor takes per group: params plus any hyperparameters overriding the defaults. */
export type ParamGroupSpec<H> = Partial<H> & { params: Iterable<Tensor> };
/** What an optimizer takes: parameters, or parameter groups with their own hyperparameters. */
export type ParamsInput<H> = Iterable<Tensor> | readonly ParamGroupSpec<H>[];

export type StateValue = Tensor | number;
/** An optimizer's saved values for one parameter. */
export type ParamState = Record<string, StateValue>;

/** Plain data: hyperparameters per group and state per parameter, parameters named by their index over all groups (torch's layout). */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: ({ params: number[] } & Record<string, HyperValue>)[];
}

/** The base of the optimizers: parameter groups with their hyperparameters, per-parameter state, zeroGrad, step and a serialisable state. */
export abstract class Optimizer<H extends BaseHyper & Record<keyof H, HyperValue>, S extends ParamState> {
  readonly paramGroups: ParamGroup<H>[];
  readonly defaults: H;
  protected readonly state = new Map<Tensor, S>();

  constructor(readonly name: string, params: ParamsInput<H>, defaults: H) {
    this.defaults = defaults;
    const specs: (Tensor | ParamGroupSpec<H>)[] = [...params];
    const tensors = specs.filter((s): s is Tensor => s instanceof Tensor);
    if (tensors.length > 0 && tensors.length < specs.length) throw new EngineError(name, "give either a list of tensors or a list of groups { params, ...hyperparameters }, not a mix");
    const noOverrides: Partial<H> = {};
    const groups: [Iterable<Tensor>, Partial<H>][] = tensors.length > 0
      ? [[tensors, noOverrides]]
      : specs.filter((s): s is ParamGroupSpec<H> => !(s instanceof Tensor)).map((s) => [s.params, overrides(s)]);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map(([params, hyper], gi) => {
      const list = [...params];
      for (const p of list) {
        if (!p.isFloatingPoint()) throw new DTypeError(name, `group ${gi}: can only optimize floating-point tensors, got ${p.dtype} of shape ${fmtShape(p.shape)}`);
        if (seen.has(p)) throw new EngineError(name, `group ${gi}: a parameter of shape ${fmtShape(p.shape)} appears in more than one place`);
        seen.add(p);
      }
      return { ...defaults, ...hyper, params: list };
    });
    if (seen.size === 0) throw new EngineError(name, "got an empty parameter list");
  }

  /** Clears every parameter's grad (set to null, as torch's default set_to_none). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.zeroGrad();
  }

  /** One update of every parameter that has a grad; parameters without one are skipped, as torch. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          if (p.grad.numel !== p.numel) throw new ShapeError(this.name, `grad of shape ${fmtShape(p.grad.shape)} does not match parameter ${fmtShape(p.shape)}`);
          const state = this.update(p, p.grad, group, this.state.get(p));
          // Optimizer state outlives any tidy() scope the step runs in.
          for (const v of Object.values(state as object)) if (v instanceof Tensor) keep(v);
          this.state.set(p, state);
        }
      }
    });
  }

  /**
   * Updates `param` in place from `grad` and returns the parameter's new state; `state` is undefined on the
   * first step. A kernel of the backend tables (dispatched like an op's) or a loop over the host arrays.
   */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<H>, state: S | undefined): S;
  /** The keys and shapes a loaded state must have for p (validation template). */
  protected abstract stateTemplate(p: Tensor, group: ParamGroup<H>): S;

  /** A deep copy: later steps do not change it. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict["paramGroups"] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const ids: number[] = [];
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = copyState(s);
        ids.push(index++);
      }
      const hyper: Record<string, HyperValue> = {};
      for (const [k, v] of Object.entries(group)) if (k !== "params" && isHyper(v)) hyper[k] = Array.isArray(v) ? [...v] : v;
      paramGroups.push({ ...hyper, params: ids });
    }
    return { state, paramGroups };
  }

  /** Restores hyperparameters and state (copied in); groups must have the same sizes and parameter shapes. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.paramGroups.length !== this.paramGroups.length || sd.paramGroups.some((g, i) => g.params.length !== this.paramGroups[i].params.length)) {
      throw new ShapeError(`${this.name}.loadStateDict`, `group sizes differ: checkpoint [${sd.paramGroups.map((g) => g.params.length).join(", ")}] vs optimizer [${this.paramGroups.map((g) => g.params.length).join(", ")}]`);
    }
    const loaded = new Map<Tensor, S>();
    this.paramGroups.forEach((group, gi) => {
      const saved = sd.paramGroups[gi];
      group.params.forEach((p, j) => {
        const raw = sd.state[saved.params[j]];
        if (raw === undefined) return;
        const s = this.stateTemplate(p, group);
        for (const [key, want] of Object.entries(s)) {
          const got = raw[key];
          const where = `${this.name}.loadStateDict`;
          if (want instanceof Tensor) {
            if (!(got instanceof Tensor) || got.shape.join() !== want.shape.join()) {
              throw new ShapeError(where, `state ${key} of parameter ${saved.params[j]} should be a tensor of shape ${fmtShape(want.shape)}, got ${got instanceof Tensor ? fmtShape(got.shape) : String(got)}`);
            }
            want.storage.set(convert(got.storage, want.dtype));
          } else if (typeof got !== "number") {
            throw new ShapeError(where, `state ${key} of parameter ${saved.params[j]} should be a number, got ${String(got)}`);
          } else {
            setEntry(s, key, got);
          }
        }
        loaded.set(p, s);
      });
      setHyper(group, saved);
    });
    this.state.clear();
    for (const [p, s] of loaded) this.state.set(p, s);
  }
}

/** A group's hyperparameter overrides, without params and without undefined entries (so `{ lr: undefined }` keeps the default). */
function overrides<H>(spec: ParamGroupSpec<H>): Partial<H> {
  const hyper: Partial<H> = spec;
  const out: Partial<H> = {};
  for (const key of Object.keys(spec) as (keyof H)[]) {
    const value = hyper[key];
    if (String(key) !== "params" && value !== undefined) out[key] = value;
  }
  return out;
}

const isHyper = (v: unknown): v is HyperValue =>
  typeof v === "number" || typeof v === "boolean" || (Array.isArray(v) && v.every((x) => typeof x === "number"));

function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) out[k] = v instanceof Tensor ? fromStorage(v.storage.slice(), v.shape) : v;
  return out;
}

function setEntry(s: ParamState, key: string, value: StateValue): void { s[key] = value; }

/** Copies saved hyperparameters over the group's own keys of the same kind. */
function setHyper(group: Record<string, unknown>, saved: Record<string, HyperValue | number[]>): void {
  for (const [k, v] of Object.entries(saved)) {
    if (k === "params" || !(k in group)) continue;
    const cur = group[k];
    if (Array.isArray(cur) ? Array.isArray(v) : typeof cur === typeof v) group[k] = Array.isArray(v) ? [...v] : v;
  }
}
