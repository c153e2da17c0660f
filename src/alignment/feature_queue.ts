// The image and text feature queues of the DITC/IMC negatives: AET's `image_queue`, `text_queue`, `queue_ptr` and `_dequeue_and_enqueue`.
import { ShapeError, Tensor, noGrad, randn, zeros, F } from "../../engine/index.ts";

// Shapes: D = embedDim, Q = queue size, B = batch (world size 1, so the all-gather is the identity).

/**
 * Two [D, Q] queues sharing one write pointer. Columns start as randn normalised to unit length (dim 0).
 * The tensors are updated in place, so a module can register them as buffers and checkpoints see the live values.
 */
export class FeatureQueue {
  readonly image: Tensor; // (D, Q)
  readonly text: Tensor; // (D, Q)
  /** int32 [1]: the next column to write. */
  readonly ptr: Tensor;

  constructor(readonly dim: number, readonly size: number) {
    if (!(Number.isInteger(size) && size > 0)) throw new ShapeError("FeatureQueue", `queue size must be a positive integer, got ${size}`);
    this.image = noGrad(() => F.normalize(randn([dim, size]), 0));
    this.text = noGrad(() => F.normalize(randn([dim, size]), 0));
    this.ptr = zeros([1], "int32");
  }

  get pointer(): number { return this.ptr.storage[0]; }

  /** Throws unless the queue size is a multiple of the batch size (the official code asserts it). */
  checkBatch(batch: number): void {
    if (!(Number.isInteger(batch) && batch > 0) || this.size % batch !== 0) {
      throw new ShapeError("FeatureQueue", `queue size ${this.size} must be a multiple of the batch size ${batch} (the official code asserts queue_size % batch_size == 0)`);
    }
  }

  /** Writes the batch's momentum features (rows of [B, D]) into columns [ptr, ptr + B) of each queue; ptr ← (ptr + B) mod Q. */
  enqueue(imageFeat: Tensor, textFeat: Tensor): void {
    const b = imageFeat.shape[0];
    for (const [name, f] of [["imageFeat", imageFeat], ["textFeat", textFeat]] as const) {
      if (f.ndim !== 2 || f.shape[0] !== b || f.shape[1] !== this.dim) {
        throw new ShapeError("FeatureQueue", `${name} must be [B=${b}, D=${this.dim}], got [${f.shape.join(", ")}]`);
      }
    }
    this.checkBatch(b);
    const ptr = this.pointer;
    if (ptr + b > this.size) throw new ShapeError("FeatureQueue", `batch of ${b} at pointer ${ptr} overruns the queue of ${this.size} (batch sizes changed between steps)`);
    for (const [queue, feat] of [[this.image, imageFeat], [this.text, textFeat]] as const) {
      const q = queue.storage;
      const f = feat.storage;
      for (let i = 0; i < b; i++) {
        for (let d = 0; d < this.dim; d++) q[d * this.size + ptr + i] = f[i * this.dim + d];
      }
    }
    this.ptr.storage[0] = (ptr + b) % this.size;
  }
}
