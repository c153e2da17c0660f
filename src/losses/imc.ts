// IMC: intra-modal contrastive loss, each online global feature against its own modality's momentum features and queue.
// Paper: IMC (method section); official code: `loss_i2i` / `loss_t2t` in AET.forward (TCL's in-modality g2g). Hard targets only (no distillation).
import { ShapeError, type Tensor } from "../../engine/index.ts";
import { checkQueuePair, queueContrastive, type Temperature } from "./ditc.ts";

/** i2i = CE(imageFeat · imageFeatAll / temp, diagonal); t2t likewise with the text side. */
export function imcLoss(imageFeat: Tensor, textFeat: Tensor, imageFeatAll: Tensor, textFeatAll: Tensor, temp: Temperature): { i2i: Tensor; t2t: Tensor } {
  const b = checkQueuePair("imcLoss", "imageFeat", imageFeat, imageFeatAll);
  const bt = checkQueuePair("imcLoss", "textFeat", textFeat, textFeatAll);
  if (b !== bt) throw new ShapeError("imcLoss", `imageFeat and textFeat batch sizes differ: ${b} vs ${bt}`);
  return {
    i2i: queueContrastive("imcLoss", imageFeat, imageFeatAll, imageFeatAll, temp, 0),
    t2t: queueContrastive("imcLoss", textFeat, textFeatAll, textFeatAll, temp, 0),
  };
}
