// DataError: a dataset file that cannot be read, naming the file and the problem.
import { FormatError } from "../../engine/index.ts";
import { oneLine } from "../../engine/errors.ts";

/** Malformed or missing dataset input; the message is "[loader] <file>: <problem>". */
export class DataError extends FormatError {
  readonly problem: string;
  /** The message is always one line: control characters quoted from a file or its name are escaped. */
  constructor(loader: string, readonly file: string, problem: string) {
    super(loader, oneLine(`${file}: ${problem}`));
    this.problem = oneLine(problem);
  }
}
