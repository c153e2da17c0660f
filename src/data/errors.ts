// DataError: a dataset file that cannot be read, naming the file and the problem.
import { FormatError } from "../../engine/index.ts";

/** Malformed or missing dataset input; the message is "[loader] <file>: <problem>". */
export class DataError extends FormatError {
  constructor(loader: string, readonly file: string, readonly problem: string) {
    super(loader, `${file}: ${problem}`);
  }
}
