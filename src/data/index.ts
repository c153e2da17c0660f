// The data side's public surface: loaders, the Document type, tokenizer, encoding/collation and images.
export * from "./document.ts";
export { DataError } from "./errors.ts";
export { dataRoot } from "./paths.ts";
export { loadFunsd, loadFunsdDocument, FUNSD_LABELS, type FunsdOptions, type FunsdSplit } from "./funsd.ts";
export { loadSroie, loadSroieDocument, SROIE_LABELS, type SroieSplit } from "./sroie.ts";
export { loadCord, loadCordDocument, CORD_LABELS, CORD_CATEGORIES, type CordSplit } from "./cord.ts";
export { loadRvlCdipLabelFile, loadRvlCdipFolders, loadRvlCdipDocument, RVL_CDIP_CLASSES } from "./rvl_cdip.ts";
export { encodeDocument, mergeWindowPredictions, IGNORE_INDEX, type EncodedWindow, type EncodeOptions, type WordTokenizer } from "./encode.ts";
export { collate, type Batch, type CollateOptions } from "./collate.ts";
export * as tokenizer from "./tokenizer/index.ts";
export * as image from "./image/index.ts";
