// AETNet (arXiv 2211.14777; official code MAEHCM/AET `AET_FUNSD_CORD.AET` / `AET_CDIP.AET`): LayoutLMv3 fusion model
// enriched by a RoBERTa text encoder and a DeiT image encoder trained with DITC, IMC, GLITC and PITA.
import { Tensor, cat, keep, noGrad, nn, F } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { patchGrid } from "../config.ts";
import { MomentumPair } from "../alignment/momentum.ts";
import { FeatureQueue } from "../alignment/feature_queue.ts";
import { alignmentLoss, ditcLoss, glitcLoss, imcLoss, patchPool, pitaLoss, FUNSD_WEIGHTS, type LossTerms, type LossWeights } from "../losses/index.ts";
import { LayoutLMv3ForSequenceClassification, LayoutLMv3ForTokenClassification } from "./heads.ts";
import { RobertaTextEncoder } from "./roberta.ts";
import { VisionTransformer } from "./vit.ts";

// Shapes: B batch, T tokens, C channels, S image side, P patches (grid²), H hidden, E embedDim, Q queue, K labels.

/** The official code clamps τ to this range (no_grad, in place) at the start of every forward. */
export const TEMP_RANGE = [0.001, 0.5] as const;

/** What AETNet is built for: token labelling or document classification, the number of labels, and the loss weights. */
export interface AETNetOptions {
  /** "token": FUNSD / CORD entity labelling; "sequence": RVL-CDIP document classes. */
  task: "token" | "sequence";
  numLabels: number;
  /** task / ita / pita weights of the total (FUNSD 1:1:1 by default; CORD 0.8 / 1.2 / 0.4). */
  lossWeights?: LossWeights;
}

/** A batch for AETNet.forward: token ids, boxes, attention mask, two page views and labels. */
export interface AETNetInputs {
  inputIds: Tensor; // (B, T) int32
  bbox: Tensor; // (B, T, 4) int32, 0..1000
  attentionMask: Tensor; // (B, T), 1 = token
  pixelValues: Tensor; // (B, C, S, S): view 1 → online ViT, PITA and the fusion model
  /** View 2 → momentum ViT only (an independent augmentation of the same page); default pixelValues. */
  pixelValuesAug?: Tensor; // (B, C, S, S)
  labels: Tensor; // (B, T) int32 for tokens, (B) for sequences; -100 = ignored
}

/** AETNet.forward's result: logits, the total loss, the contrastive mean and every loss term. */
export interface AETNetOutput {
  logits: Tensor; // (B, T, K) or (B, K)
  /** The weighted total: task + ita + pita with the configured weights; the task loss alone when align is false. */
  loss: Tensor;
  /** Mean of the enabled contrastive terms (the code's loss_ita), null when none. */
  ita: Tensor | null;
  terms: LossTerms;
}

type FusionModel = LayoutLMv3ForTokenClassification | LayoutLMv3ForSequenceClassification;

/** Online (view-1) encoder outputs and their normalised global features. */
interface OnlineFeatures {
  imageEmbeds: Tensor; // (B, 1+P, H)
  textEmbeds: Tensor; // (B, T, H)
  imageFeat: Tensor; // (B, E)
  textFeat: Tensor; // (B, E)
}

/** The AETNet model: a LayoutLMv3 fusion encoder, and (with align) the RoBERTa and ViT encoders, their momentum copies, feature queues and the alignment losses. */
export class AETNet extends nn.Module {
  fusion_model: FusionModel;
  visual_encoder: VisionTransformer | null = null;
  text_encoder: RobertaTextEncoder | null = null;
  vision_proj: nn.Linear | null = null;
  text_proj: nn.Linear | null = null;
  /** Learnable contrastive temperature τ (0-d). */
  temp: Tensor | null = null;
  visual_encoder_m: VisionTransformer | null = null;
  vision_proj_m: nn.Linear | null = null;
  text_encoder_m: RobertaTextEncoder | null = null;
  text_proj_m: nn.Linear | null = null;
  readonly #momentum: MomentumPair<nn.Module>[] = [];
  readonly #queue: FeatureQueue | null = null;
  /** Momentum features of training forwards since the last afterStep(), enqueued there. */
  #pending: [Tensor, Tensor][] = [];
  readonly #weights: LossWeights;

  constructor(readonly config: AETNetConfig, readonly options: AETNetOptions) {
    super();
    const c = config;
    this.#weights = options.lossWeights ?? FUNSD_WEIGHTS;
    this.fusion_model = options.task === "token"
      ? new LayoutLMv3ForTokenClassification(c, options.numLabels)
      : new LayoutLMv3ForSequenceClassification(c, options.numLabels);
    if (!c.align) return; // the plain fusion-only baseline: no alignment encoders at all
    if (c.vision.hidden !== c.fusion.hidden || c.text.hidden !== c.fusion.hidden) {
      throw new Error(`[AETNet] vision (${c.vision.hidden}), text (${c.text.hidden}) and fusion (${c.fusion.hidden}) hidden sizes must match: their outputs are added`);
    }
    this.visual_encoder = new VisionTransformer(c);
    this.text_encoder = new RobertaTextEncoder(c);
    this.vision_proj = new nn.Linear(c.vision.hidden, c.embedDim);
    this.text_proj = new nn.Linear(c.text.hidden, c.embedDim);
    this.temp = new Tensor(Float32Array.of(c.temperature), []).requiresGrad_();
    const { ditc, imc, glitc } = c.losses;
    if (!(ditc || imc || glitc)) return; // no contrastive loss: no momentum encoders, no queues
    const vis = MomentumPair.create(this.visual_encoder, () => new VisionTransformer(c));
    const vp = MomentumPair.create(this.vision_proj, () => new nn.Linear(c.vision.hidden, c.embedDim));
    const txt = MomentumPair.create(this.text_encoder, () => new RobertaTextEncoder(c));
    const tp = MomentumPair.create(this.text_proj, () => new nn.Linear(c.text.hidden, c.embedDim));
    [this.visual_encoder_m, this.vision_proj_m, this.text_encoder_m, this.text_proj_m] = [vis.momentum, vp.momentum, txt.momentum, tp.momentum];
    this.#momentum = [vis, vp, txt, tp];
    this.#queue = new FeatureQueue(c.embedDim, c.queueSize);
    this.registerBuffer("image_queue", this.#queue.image);
    this.registerBuffer("text_queue", this.#queue.text);
    this.registerBuffer("queue_ptr", this.#queue.ptr);
  }

  get queue(): FeatureQueue | null { return this.#queue; }

  /** Trainable parameters only (momentum copies are frozen parameters and are left out). */
  trainableParameters(): Tensor[] { return this.parameters().filter((p) => p.requiresGrad); }

  forward(inputs: AETNetInputs): AETNetOutput {
    this.clampTemp();
    const c = this.config;
    if (!c.align) {
      const out = this.fusion_model.forward(inputs);
      return { logits: out.logits, loss: this.#task(out.loss), ita: null, terms: { task: this.#task(out.loss) } };
    }
    const on = this.#online(inputs);
    const terms: Omit<LossTerms, "task"> = {};
    // PITA on the raw encoder outputs (the code runs the ViT a second time; dropout is 0 there, so reuse is identical).
    if (c.losses.pita) terms.pita = pitaLoss(on.imageEmbeds.narrow(1, 1, on.imageEmbeds.shape[1] - 1), on.textEmbeds, inputs.bbox, inputs.attentionMask, { grid: patchGrid(c), cell: c.pitaCell });
    if (this.#queue !== null) Object.assign(terms, this.#contrastive(inputs, on));
    const out = this.fusion_model.forward({ ...inputs, alignText: on.textEmbeds, alignImage: on.imageEmbeds });
    const objective = alignmentLoss({ ...terms, task: this.#task(out.loss) }, c.losses, this.#weights);
    return { logits: out.logits, loss: objective.total, ita: objective.ita, terms: objective.terms };
  }

  /** Logits only: online encoders and fusion, no alignment losses, no momentum features. */
  predict(inputs: Omit<AETNetInputs, "labels" | "pixelValuesAug">): Tensor {
    if (!this.config.align) return this.fusion_model.forward(inputs).logits;
    const ve = this.visual_encoder!;
    const te = this.text_encoder!;
    const alignImage = ve.forward(inputs.pixelValues).lastHiddenState;
    const alignText = te.roberta.forward(inputs.inputIds, inputs.attentionMask).lastHiddenState;
    return this.fusion_model.forward({ ...inputs, alignText, alignImage }).logits;
  }

  /**
   * Call after optimizer.step(): clamp τ, EMA-update the momentum copies, enqueue this step's momentum features.
   * The official code does the EMA inside forward (after the online encoders, before the momentum features) and
   * enqueues at the end of forward. Both orders give the same numbers in the usual loop (forward → backward → step):
   * forward t+1 sees θm = m·θm + (1−m)·θ_{t+1} and a queue holding batches ≤ t either way, and the first in-forward
   * EMA is a no-op because the copy equals the online weights. Differs from the official code in two corner cases:
   * eval-mode forwards update neither the momentum weights nor the queues (the code updates both, also in eval), and
   * with gradient accumulation the EMA runs once per optimizer step instead of once per forward.
   */
  afterStep(): void {
    this.clampTemp();
    this.momentumUpdate();
    this.enqueue();
  }

  /** τ ← clamp(τ, 0.001, 0.5), in place (no graph). */
  clampTemp(): void {
    const t = this.temp;
    if (t !== null) noGrad(() => { t.storage[0] = Math.min(TEMP_RANGE[1], Math.max(TEMP_RANGE[0], t.storage[0])); });
  }

  /** θm ← m·θm + (1 − m)·θ for the four (online, momentum) pairs. */
  momentumUpdate(momentum = this.config.momentum): void {
    for (const pair of this.#momentum) pair.update(momentum);
  }

  /** θm ← θ: re-sync the momentum copies after loading online weights (the official copy_params). */
  copyMomentum(): void {
    for (const pair of this.#momentum) pair.copy();
  }

  /** Writes the pending momentum features of the training forwards since the last call into the queues. */
  enqueue(): void {
    if (this.#queue === null) return;
    for (const [img, txt] of this.#pending) this.#queue.enqueue(img, txt);
    this.#pending = [];
  }

  #task(loss: Tensor | undefined): Tensor {
    if (loss === undefined) throw new Error("[AETNet] the fusion head returned no loss: pass labels");
    return loss;
  }

  #online(inputs: AETNetInputs): OnlineFeatures {
    const imageEmbeds = this.visual_encoder!.forward(inputs.pixelValues).lastHiddenState; // (B, 1+P, H)
    const textEmbeds = this.text_encoder!.roberta.forward(inputs.inputIds, inputs.attentionMask).lastHiddenState; // (B, T, H)
    const imageFeat = F.normalize(this.vision_proj!.forward(imageEmbeds.narrow(1, 0, 1).squeeze(1)), -1); // (B, E)
    const textFeat = F.normalize(this.text_proj!.forward(textEmbeds.narrow(1, 0, 1).squeeze(1)), -1); // (B, E)
    return { imageEmbeds, textEmbeds, imageFeat, textFeat };
  }

  /** DITC, IMC and GLITC against the momentum features and the queues (§2 steps 5–6 of the notes). */
  #contrastive(inputs: AETNetInputs, on: OnlineFeatures): Omit<LossTerms, "task"> {
    const c = this.config;
    const queue = this.#queue!;
    const temp = this.temp!;
    const b = inputs.inputIds.shape[0];
    queue.checkBatch(b);
    const m = noGrad(() => {
      const img = this.visual_encoder_m!.forward(inputs.pixelValuesAug ?? inputs.pixelValues).lastHiddenState; // (B, 1+P, H)
      const p = img.shape[1] - 1;
      const imageFeat = F.normalize(this.vision_proj_m!.forward(img.narrow(1, 0, 1).squeeze(1)), -1); // (B, E)
      const imageLocal = patchPool(F.normalize(this.vision_proj_m!.forward(img.narrow(1, 1, p)), -1)); // (B, 9, E), not re-normalised
      const txt = this.text_encoder_m!.roberta.forward(inputs.inputIds, inputs.attentionMask).lastHiddenState; // (B, T, H)
      const t = txt.shape[1];
      const textFeat = F.normalize(this.text_proj_m!.forward(txt.narrow(1, 0, 1).squeeze(1)), -1); // (B, E)
      const textLocal = F.normalize(this.text_proj_m!.forward(txt.narrow(1, 1, t - 1)), -1); // (B, T-1, E)
      const imageAll = cat([imageFeat.transpose(0, 1), queue.image], 1); // (E, B+Q), a copy: later enqueues don't alter it
      const textAll = cat([textFeat.transpose(0, 1), queue.text], 1); // (E, B+Q)
      return { imageFeat, textFeat, imageLocal, textLocal, imageAll, textAll };
    });
    // keep(): they outlive a tidy() around this step when it is skipped before afterStep() enqueues them.
    if (this.training) this.#pending.push([keep(m.imageFeat), keep(m.textFeat)]);
    const terms: Omit<LossTerms, "task"> = {};
    if (c.losses.ditc) Object.assign(terms, ditcLoss(on.imageFeat, on.textFeat, m.imageAll, m.textAll, temp, c.alpha));
    if (c.losses.imc) Object.assign(terms, imcLoss(on.imageFeat, on.textFeat, m.imageAll, m.textAll, temp));
    if (c.losses.glitc) {
      const t = inputs.attentionMask.shape[1];
      terms.glitcText = glitcLoss(m.textLocal, on.textFeat, temp, inputs.attentionMask.narrow(1, 1, t - 1));
      terms.glitcImage = glitcLoss(m.imageLocal, on.imageFeat, temp);
    }
    return terms;
  }
}

/** Parameter counts by component, as parameterCounts returns them. */
export interface ParameterCounts {
  visual_encoder: number;
  text_encoder: number;
  /** LayoutLMv3 base model without the task head. */
  fusion_base: number;
  fusion_head: number;
  vision_proj: number;
  text_proj: number;
  temp: number;
  /** Frozen momentum copies (not trained). */
  momentum: number;
  trainable: number;
}

/** Parameter elements per component (shared tensors counted once). */
export function parameterCounts(model: AETNet): ParameterCounts {
  const count = (m: nn.Module | null): number => (m === null ? 0 : m.parameters().reduce((n, p) => n + p.numel, 0));
  const fusion = count(model.fusion_model);
  const base = count(model.fusion_model.layoutlmv3);
  return {
    visual_encoder: count(model.visual_encoder),
    text_encoder: count(model.text_encoder),
    fusion_base: base,
    fusion_head: fusion - base,
    vision_proj: count(model.vision_proj),
    text_proj: count(model.text_proj),
    temp: model.temp === null ? 0 : 1,
    momentum: count(model.visual_encoder_m) + count(model.vision_proj_m) + count(model.text_encoder_m) + count(model.text_proj_m),
    trainable: model.trainableParameters().reduce((n, p) => n + p.numel, 0),
  };
}
