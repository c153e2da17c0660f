// LayoutLMv3 task heads (HF LayoutLMv3ForTokenClassification / ForSequenceClassification): FUNSD, CORD, RVL-CDIP.
import { ShapeError, Tensor, nn, F } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { LayoutLMv3Model, initLayoutLMv3Weights, type LayoutLMv3Inputs } from "./layoutlmv3.ts";

// Shapes: B batch, T text tokens, H hidden, C labels. Labels are int32; -100 marks tokens without a label.

/** HF switches the token head from one Linear to the two-layer head at this many labels (CORD has more). */
export const TOKEN_HEAD_LINEAR_BELOW = 10;
/** CrossEntropyLoss's default ignore_index. */
export const IGNORE_LABEL = -100;

export interface ClassificationOutput {
  logits: Tensor; // (B, T, C) for tokens, (B, C) for sequences
  loss?: Tensor; // scalar, mean over labelled items
}

/** `LayoutLMv3ClassificationHead` (pool_feature = false): Dropout → dense → tanh → Dropout → out_proj. */
export class LayoutLMv3ClassificationHead extends nn.Module {
  dense: nn.Linear;
  dropout: nn.Dropout;
  out_proj: nn.Linear;
  constructor(hidden: number, numLabels: number, dropout: number) {
    super();
    this.dense = new nn.Linear(hidden, hidden);
    this.dropout = new nn.Dropout(dropout);
    this.out_proj = new nn.Linear(hidden, numLabels);
  }
  forward(x: Tensor): Tensor {
    const h = this.dense.forward(this.dropout.forward(x)).tanh(); // (..., H)
    return this.out_proj.forward(this.dropout.forward(h)); // (..., C)
  }
}

function checkLabels(labels: Tensor, shape: number[]): void {
  if (labels.dtype !== "int32" || labels.shape.join() !== shape.join()) {
    throw new ShapeError("LayoutLMv3 head", `labels must be int32 [${shape.join(", ")}], got ${labels.dtype} [${labels.shape.join(", ")}]`);
  }
}

/** Per-token labels on the text part of the joint sequence (visual tokens are dropped). */
export class LayoutLMv3ForTokenClassification extends nn.Module {
  layoutlmv3: LayoutLMv3Model;
  dropout: nn.Dropout;
  classifier: nn.Linear | LayoutLMv3ClassificationHead;
  constructor(config: AETNetConfig, readonly numLabels: number) {
    super();
    const h = config.fusion.hidden;
    this.layoutlmv3 = new LayoutLMv3Model(config, { init: false });
    this.dropout = new nn.Dropout(config.hiddenDropout);
    this.classifier = numLabels < TOKEN_HEAD_LINEAR_BELOW
      ? new nn.Linear(h, numLabels)
      : new LayoutLMv3ClassificationHead(h, numLabels, config.hiddenDropout);
    initLayoutLMv3Weights(this);
  }
  forward(inputs: LayoutLMv3Inputs & { labels?: Tensor }): ClassificationOutput {
    const { textHidden } = this.layoutlmv3.forward(inputs); // (B, T, H)
    const logits = this.classifier.forward(this.dropout.forward(textHidden)); // (B, T, C)
    if (!inputs.labels) return { logits };
    const [b, t] = textHidden.shape;
    checkLabels(inputs.labels, [b, t]);
    const loss = F.crossEntropy(logits.reshape(-1, this.numLabels), inputs.labels.reshape(-1), { ignoreIndex: IGNORE_LABEL });
    return { logits, loss };
  }
}

/** One label per document from the text <s> token (index 0), not the visual CLS. */
export class LayoutLMv3ForSequenceClassification extends nn.Module {
  layoutlmv3: LayoutLMv3Model;
  classifier: LayoutLMv3ClassificationHead;
  constructor(config: AETNetConfig, readonly numLabels: number) {
    super();
    this.layoutlmv3 = new LayoutLMv3Model(config, { init: false });
    this.classifier = new LayoutLMv3ClassificationHead(config.fusion.hidden, numLabels, config.hiddenDropout);
    initLayoutLMv3Weights(this);
  }
  /** labels (B) int32. Differs from HF: always single-label cross entropy (no regression / multi-label modes). */
  forward(inputs: LayoutLMv3Inputs & { labels?: Tensor }): ClassificationOutput {
    const { textHidden } = this.layoutlmv3.forward(inputs);
    const logits = this.classifier.forward(textHidden.narrow(1, 0, 1).squeeze(1)); // (B, C)
    if (!inputs.labels) return { logits };
    checkLabels(inputs.labels, [logits.shape[0]]);
    return { logits, loss: F.crossEntropy(logits, inputs.labels, { ignoreIndex: IGNORE_LABEL }) };
  }
}
