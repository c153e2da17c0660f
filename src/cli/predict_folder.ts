// `aetnet predict --input DIR_OR_GLOB --out results.jsonl`: every document through processDocument with one OCR
// worker, a progress bar, one durable JSON line per document, documents already in the output skipped.
import { lazyOcr } from "../extract/ocr.ts";
import type { EntityModel } from "../extract/entity_model.ts";
import { inputFiles } from "../extract/input_files.ts";
import { processDocument } from "../extract/process_document.ts";
import { appendResult, readDoneDocuments } from "../extract/results_file.ts";
import { Progress, type ProgressStream } from "../train/progress.ts";

export interface FolderOptions {
  picturesDir?: string;
  dpi?: number;
  /** Where the bar goes (stderr by default). */
  progress?: ProgressStream;
}

export interface FolderSummary { total: number; skipped: number; processed: number; failed: number; entities: number }

export async function predictFolder(model: EntityModel, input: string, out: string, options: FolderOptions = {}): Promise<FolderSummary> {
  const all = inputFiles(input);
  const done = readDoneDocuments(out);
  const todo = all.filter((f) => !done.has(f));
  const summary: FolderSummary = { total: all.length, skipped: all.length - todo.length, processed: 0, failed: 0, entities: 0 };
  const stream = options.progress ?? process.stderr;
  if (summary.skipped > 0) console.error(`${summary.skipped} of ${all.length} documents already in ${out}: skipped`);
  const bar = new Progress("predict", todo.length, stream);
  const ocr = lazyOcr(); // one worker for the whole batch, started by the first page without a text layer
  try {
    for (const file of todo) {
      const result = await processDocument(file, model, { ocr, picturesDir: options.picturesDir, dpi: options.dpi });
      appendResult(out, result);
      summary.processed++;
      summary.entities += result.entities.length;
      if (result.error !== null) summary.failed++;
      bar.show(summary.processed, `${summary.entities} entities  ${summary.failed} failed`);
    }
  } finally {
    bar.finish();
    await ocr.close();
  }
  console.error(`${summary.processed} documents written to ${out} (${summary.failed} with errors, ${summary.skipped} skipped)`);
  return summary;
}
