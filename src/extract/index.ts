// Documents in, entities out: load a PNG/JPEG/PDF (OCR where there is no text layer), run a token-labelling
// checkpoint, get one result record per document.
export type { DocumentResult, EntityRecord, PageRecord, PixelBox, Timing, WordSource } from "./result.ts";
export { loadDocument, documentKind, type DocumentPage, type LoadedDocument, type LoadOptions } from "./load_document.ts";
export { extractEntities, tagPage } from "./extract_entities.ts";
export type { EntityModel } from "./entity_model.ts";
export { loadEntityModel } from "./load_entity_model.ts";
export { demoEntityModel } from "./demo_model.ts";
export { processDocument, writePictures, type ProcessOptions } from "./process_document.ts";
export { createOcr, lazyOcr, type Ocr, type OcrOptions, type OcrWord, type OcrLine } from "./ocr.ts";
export { readPdf, parsePageRange, type PdfPage, type PdfWord } from "./pdf.ts";
export { segmentLines, GAP_FACTOR, type PageWord } from "./segments.ts";
export { inputFiles, globRegExp } from "./input_files.ts";
export { appendResult, readDoneDocuments } from "./results_file.ts";
