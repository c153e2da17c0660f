// The work of one queue job, the same as folder mode's per document: processDocument on a model loaded once.
// A document that cannot be read becomes a thrown error here (folder mode records it as the line's `error`),
// so BullMQ retries it and, after the last attempt, keeps it in the failed set with that message.
import { lazyOcr } from "../extract/ocr.ts";
import { loadEntityModel } from "../extract/load_entity_model.ts";
import { processDocument } from "../extract/process_document.ts";
import type { DocumentResult } from "../extract/result.ts";
import type { DocumentProcessor } from "./worker.ts";

/** Loads the checkpoint once; one OCR worker, started by the first page without a text layer, serves every job. */
export function documentProcessor(checkpoint: string): DocumentProcessor & { close(): Promise<void> } {
  const model = loadEntityModel(checkpoint);
  const ocr = lazyOcr();
  const processor = async (job: { path: string }, bytes: Uint8Array): Promise<DocumentResult> => {
    const result = await processDocument(job.path, model, { ocr, bytes });
    if (result.error !== null) throw new Error(result.error);
    return result;
  };
  return Object.assign(processor, { close: () => ocr.close() });
}
