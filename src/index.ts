// AETNet's public surface: configuration, model, losses.
export * from "./config.ts";
export * from "./losses/index.ts";
export { VisionTransformer, type VisionTransformerOutput } from "./models/vit.ts";
export {
  RobertaModel, RobertaTextEncoder, RobertaEmbeddings, paddingPositionIds, type RobertaOutput,
} from "./models/roberta.ts";
export {
  AETNet, parameterCounts, TEMP_RANGE, type AETNetOptions, type AETNetInputs, type AETNetOutput,
  type ParameterCounts,
} from "./models/aetnet.ts";
export {
  loadPretrained, mapStateDict, deitKey, robertaKey, layoutlmv3Key, aetKey, type PretrainedPaths, type LoadReport,
  type KeyMap,
} from "./models/weights.ts";
export { MomentumPair } from "./alignment/momentum.ts";
export { FeatureQueue } from "./alignment/feature_queue.ts";
export {
  Trainer, defaultSettings, LAST_DIR, BEST_DIR, type TrainerOptions, type TrainResult,
} from "./train/trainer.ts";
export {
  evaluate, predictDocs, documentAccuracy, documentLogits, evaluateDocuments, type EvalResult,
  type DocumentEvalResult,
} from "./train/evaluate.ts";
export { taskKind, type TaskKindSpec } from "./train/task_kind.ts";
export {
  prepareDocs, epochBatches, makeBatch, windowRefs, type PrepareOptions, type WindowRef,
} from "./train/batches.ts";
export {
  saveTrainingCheckpoint, loadTrainingCheckpoint, tokenizerState, tokenizerFromState, type TrainingState,
} from "./train/checkpoint.ts";
export type {
  TaskKind, PreparedDoc, RunSettings, StepRecord, EvalRecord, TokenEvalRecord, DocumentEvalRecord, BestEval,
} from "./train/run_types.ts";
export { seqevalReport, getEntities, type SeqevalReport } from "./train/seqeval.ts";
export { syntheticForm, syntheticForms, SYNTHETIC_LABELS, type SyntheticForm } from "./data/synthetic_forms.ts";
// Documents in, entities out, without a file system: what a browser page needs to read a page image or a PDF that
// pdf.js opened, run a checkpoint given as bytes and get entities (examples/extract_page uses exactly these).
export { decodeImageBytes } from "./data/image/decode.ts";
export { fromInterleaved, type RgbImage } from "./data/image/rgb_image.ts";
export { extractEntities, pageEntities, tagPage } from "./extract/extract_entities.ts";
export type { EntityModel } from "./extract/entity_model.ts";
export { entityModelFromFiles } from "./extract/model_files.ts";
export type { DocumentPage, LoadedDocument } from "./extract/load_document.ts";
export { linesOfBlocks, ocrInput, type OcrLine, type OcrWord, type TesseractBlock } from "./extract/ocr.ts";
export {
  pdfDocumentPages, pdfPages, PDF_DPI, type Pdfjs, type PdfjsDocument, type PdfPage, type PdfWord,
} from "./extract/pdf_pages.ts";
export type { DocumentResult, EntityRecord, PageRecord, PixelBox, Timing, WordSource } from "./extract/result.ts";
export { segmentLines, type PageWord } from "./extract/segments.ts";
export { demoEntityModel } from "./extract/demo_model.ts";
