// Loads many documents one by one; with skipBad, a DataError on one file is reported and the file skipped.
import type { Corpus, CorpusOptions, Document } from "./document.ts";
import { DataError } from "./errors.ts";

/** Runs `load` on each item; only DataErrors are skippable, so programming errors still surface. */
export function loadAll<T>(items: readonly T[], nameOf: (item: T) => string, load: (item: T) => Document, options: CorpusOptions = {}): Corpus {
  const corpus: Corpus = { docs: [], skipped: [] };
  const onSkip = options.onSkip ?? ((file: string, problem: string) => console.warn(`skipping ${file}: ${problem}`));
  for (const item of items) {
    try {
      corpus.docs.push(load(item));
    } catch (err) {
      if (!options.skipBad || !(err instanceof DataError)) throw err;
      const file = err.file || nameOf(item);
      corpus.skipped.push({ file, problem: err.problem });
      onSkip(file, err.problem);
    }
  }
  return corpus;
}
