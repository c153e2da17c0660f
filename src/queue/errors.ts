// QueueError: a queue command that cannot go on (no Redis at the URL, a bad URL, a missing optional package).
import { EngineError } from "../../engine/index.ts";

/** One line naming what was wrong and what was expected; the CLI prints it and exits 1. */
export class QueueError extends EngineError {
  constructor(message: string) { super("queue", message); this.name = "QueueError"; }
}
