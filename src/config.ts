// AETNet configuration: plain typed objects, one comment per field, and the tiny / small / base presets.

/** A transformer stack's sizes (shared shape of the ViT, RoBERTa and LayoutLMv3 encoders). */
export interface EncoderSizes {
  /** Width of every token vector; the three encoders share it because their outputs are added. */
  hidden: number;
  layers: number;
  heads: number;
  /** MLP width (4 × hidden in all paper models). */
  intermediate: number;
}

/** An AETNet configuration: encoder sizes, image and patch sizes, alignment settings and loss switches (tiny, cpu, small, base are presets). */
export interface AETNetConfig {
  name: string;
  /** Fusion encoder (LayoutLMv3). hidden must equal 2·coordinateSize·2 + 2·shapeSize (x0,y0,x1,y1,h,w concatenated). */
  fusion: EncoderSizes & {
    coordinateSize: number;
    shapeSize: number;
    /** Size of the x/y/h/w layout tables; coordinates are 0..1000 so 1024 covers them. */
    max2dPositions: number;
    /** 1-D relative position bias: buckets and max distance (LayoutLMv3: 32 / 128). */
    relPosBins: number;
    maxRelPos: number;
    /** 2-D relative position bias on x0 and y1 (LayoutLMv3: 64 / 256). */
    rel2dPosBins: number;
    maxRel2dPos: number;
    layerNormEps: number;
  };
  /** Alignment-aware text encoder (RoBERTa-style, post-LN). */
  text: EncoderSizes & { layerNormEps: number };
  /** Alignment-aware image encoder (DeiT-style ViT, pre-LN, LayerNorm eps 1e-6). */
  vision: EncoderSizes & { layerNormEps: number };
  /** Shared vocabulary (RoBERTa BPE: 50265) and special ids. */
  vocabSize: number;
  padTokenId: number;
  /** Position table size; RoBERTa's offset scheme needs maxTokens + padTokenId + 1 rows (514 for 512 tokens). */
  maxPositions: number;
  typeVocabSize: number;
  /** Input image side in pixels and patch side; imageSize / patchSize must be the patch grid (14 in the paper). */
  imageSize: number;
  patchSize: number;
  channels: number;
  hiddenDropout: number;
  attentionDropout: number;
  /** Contrastive head: projection size, queue length (a multiple of the batch size), temperature, EMA momentum. */
  embedDim: number;
  queueSize: number;
  temperature: number;
  momentum: number;
  /**
   * Momentum-distillation weight for DITC. The paper (after ALBEF) uses soft targets; the official code
   * never passes alpha, so it is 0 there. Differs from the paper, follows the code: default 0.
   */
  alpha: number;
  /** PITA: token boxes are mapped to cells of `pitaCell` units on the 0–1000 scale (72 in the code). */
  pitaCell: number;
  /** Switches for ablations; align: false is the plain fusion-only baseline (no alignment encoders at all). */
  align: boolean;
  losses: { ditc: boolean; imc: boolean; glitc: boolean; pita: boolean };
}

const layoutDefaults = { max2dPositions: 1024, relPosBins: 32, maxRelPos: 128, rel2dPosBins: 64, maxRel2dPos: 256, layerNormEps: 1e-5 };
const allLosses = { ditc: true, imc: true, glitc: true, pita: true };

/** For tests: seconds on a CPU. A 56×56 image with 4-pixel patches keeps the paper's 14×14 grid. */
export const tiny: AETNetConfig = {
  name: "tiny",
  fusion: { hidden: 48, layers: 2, heads: 2, intermediate: 96, coordinateSize: 8, shapeSize: 8, ...layoutDefaults },
  text: { hidden: 48, layers: 1, heads: 2, intermediate: 96, layerNormEps: 1e-5 },
  vision: { hidden: 48, layers: 1, heads: 2, intermediate: 96, layerNormEps: 1e-6 },
  vocabSize: 512, padTokenId: 1, maxPositions: 130, typeVocabSize: 1,
  imageSize: 56, patchSize: 4, channels: 3,
  hiddenDropout: 0.1, attentionDropout: 0.1,
  embedDim: 32, queueSize: 64, temperature: 0.07, momentum: 0.995, alpha: 0, pitaCell: 72,
  align: true, losses: allLosses,
};

/** For CPU fine-tuning: 14×14 grid of 8-pixel patches on 112×112 pages, 192 wide. */
export const small: AETNetConfig = {
  name: "small",
  fusion: { hidden: 192, layers: 4, heads: 4, intermediate: 768, coordinateSize: 32, shapeSize: 32, ...layoutDefaults },
  text: { hidden: 192, layers: 2, heads: 4, intermediate: 768, layerNormEps: 1e-5 },
  vision: { hidden: 192, layers: 2, heads: 4, intermediate: 768, layerNormEps: 1e-6 },
  vocabSize: 8000, padTokenId: 1, maxPositions: 514, typeVocabSize: 1,
  imageSize: 112, patchSize: 8, channels: 3,
  hiddenDropout: 0.1, attentionDropout: 0.1,
  embedDim: 128, queueSize: 256, temperature: 0.07, momentum: 0.995, alpha: 0, pitaCell: 72,
  align: true, losses: allLosses,
};

/**
 * For measured CPU fine-tuning runs (docs/TRAINING.md): half the width and depth of `small` and the 56 px / 4 px
 * patch image of `tiny` (still the 14×14 grid PITA and patch pooling assume), so an epoch of FUNSD takes minutes
 * on two cores. Windows of 256 tokens are set by the trainer, not here.
 */
export const cpu: AETNetConfig = {
  name: "cpu",
  fusion: { hidden: 96, layers: 2, heads: 4, intermediate: 384, coordinateSize: 16, shapeSize: 16, ...layoutDefaults },
  text: { hidden: 96, layers: 1, heads: 4, intermediate: 384, layerNormEps: 1e-5 },
  vision: { hidden: 96, layers: 1, heads: 4, intermediate: 384, layerNormEps: 1e-6 },
  vocabSize: 4000, padTokenId: 1, maxPositions: 514, typeVocabSize: 1,
  imageSize: 56, patchSize: 4, channels: 3,
  hiddenDropout: 0.1, attentionDropout: 0.1,
  embedDim: 64, queueSize: 256, temperature: 0.07, momentum: 0.995, alpha: 0, pitaCell: 72,
  align: true, losses: allLosses,
};

/** The paper's sizes: LayoutLMv3-base fusion, RoBERTa-base text encoder, DeiT-base image encoder. */
export const base: AETNetConfig = {
  name: "base",
  fusion: { hidden: 768, layers: 12, heads: 12, intermediate: 3072, coordinateSize: 128, shapeSize: 128, ...layoutDefaults },
  text: { hidden: 768, layers: 12, heads: 12, intermediate: 3072, layerNormEps: 1e-5 },
  vision: { hidden: 768, layers: 12, heads: 12, intermediate: 3072, layerNormEps: 1e-6 },
  vocabSize: 50265, padTokenId: 1, maxPositions: 514, typeVocabSize: 1,
  imageSize: 224, patchSize: 16, channels: 3,
  hiddenDropout: 0.1, attentionDropout: 0.1,
  embedDim: 256, queueSize: 65536, temperature: 0.07, momentum: 0.995, alpha: 0, pitaCell: 72,
  align: true, losses: allLosses,
};

/** The preset configurations by name. */
export const presets = { tiny, cpu, small, base } as const;
/** The name of a preset configuration. */
export type PresetName = keyof typeof presets;

/** A preset with overrides, e.g. withOverrides(small, { align: false }). */
export function withOverrides(config: AETNetConfig, overrides: Partial<AETNetConfig>): AETNetConfig {
  return { ...config, ...overrides, losses: { ...config.losses, ...(overrides.losses ?? {}) } };
}

/** Patches per image side (14 in the paper). */
export const patchGrid = (c: AETNetConfig): number => c.imageSize / c.patchSize;
