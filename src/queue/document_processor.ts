// The work of one queue job, the same as folder mode's per document: processDocument on a model loaded once.
// A document that cannot be read becomes a thrown error here (folder mode records it as the line's `error`),
// so BullMQ retries it and, after the last attempt, keeps it in the failed set with that message.
import { createOcr, type Ocr } from "../extract/ocr.ts";
import { loadEntityModel } from "../extract/entity_model.ts";
import { processDocument } from "../extract/process_document.ts";
import type { DocumentResult } from "../extract/result.ts";
import type { DocumentProcessor } from "./worker.ts";

export class DocumentFailed extends Error {
  constructor(readonly result: DocumentResult) { super(result.error ?? "failed"); this.name = "DocumentFailed"; }
}

/** Loads the checkpoint once; the OCR worker starts on the first page that needs it and is reused after. */
export async function documentProcessor(checkpoint: string): Promise<DocumentProcessor & { close(): Promise<void> }> {
  const model = loadEntityModel(checkpoint);
  let started: Promise<Ocr> | undefined;
  const ocr: Ocr = {
    recognize: async (image) => (await (started ??= createOcr())).recognize(image),
    close: async () => { if (started) await (await started).close(); },
  };
  const processor = async (job: { path: string }): Promise<DocumentResult> => {
    const result = await processDocument(job.path, model, { ocr });
    if (result.error !== null) throw new DocumentFailed(result);
    return result;
  };
  return Object.assign(processor, { close: () => ocr.close() });
}
