// Typed errors. Every message starts with "[op]" and names the tensor, its shape and what was expected.

export class EngineError extends Error {
  constructor(readonly op: string, detail: string, options?: ErrorOptions) {
    super(`[${op}] ${detail}`, options);
    this.name = new.target.name;
  }
}
/** Shapes that cannot be combined, reshaped or broadcast. */
export class ShapeError extends EngineError {}
/** An operation given a tensor of the wrong element type. */
export class DTypeError extends EngineError {}
/** An index, axis or slice bound outside its range. */
export class IndexError extends EngineError {}
/** Misuse of autograd: backward on a non-scalar, a freed graph, a tensor that needs no grad. */
export class AutogradError extends EngineError {}
/** A NaN or Inf produced by an op while NaN trapping is on (see setDebugNaN). */
export class NonFiniteError extends EngineError {}
/** The gpu device: a kernel that failed, a device that cannot open, a buffer used after it was freed. */
export class DeviceError extends EngineError {}
/** A malformed or unreadable file (safetensors, checkpoints). */
export class FormatError extends EngineError {}

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;
