// Typed errors. Every message starts with "[op]" and names the tensor, its shape and what was expected.

/** The base of the engine's typed errors; the message starts with `[op]`, the operation that refused. */
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
/** A malformed or unreadable file (safetensors, checkpoints); always one line, as it may quote the file. */
export class FormatError extends EngineError {
  constructor(op: string, detail: string) { super(op, oneLine(detail)); }
}

/**
 * `text` with control characters (newlines included) written as JSON escapes, so a message quoting a file's
 * content or name stays one line.
 */
export const oneLine = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => CONTROL_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const CONTROL_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;
