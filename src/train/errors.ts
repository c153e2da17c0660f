// Errors the trainer raises on purpose (a run that cannot start, resume or go on): the CLI prints them as one line.

/** A run that cannot start, resume or continue; the message says why and what to do. */
export class TrainerError extends Error {
  constructor(message: string) { super(`[Trainer] ${message}`); this.name = "TrainerError"; }
}

/** Too many optimizer steps in a row had a non-finite loss or gradient norm. */
export class DivergedError extends TrainerError {
  constructor(message: string) { super(message); this.name = "DivergedError"; }
}
