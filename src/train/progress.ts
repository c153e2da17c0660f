// Training progress: a redrawn bar with loss and throughput on a terminal, plain periodic lines otherwise (CI, logs).

export interface ProgressStream { isTTY?: boolean; write(text: string): unknown }

export interface ProgressInfo { loss: number; tokensPerSecond: number; lr: number }

const fmtTime = (s: number): string => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, "0")}s` : `${s.toFixed(0)}s`);

export class Progress {
  #start = performance.now();
  #done = 0;
  #lastLine = -1;

  /** total: steps this bar covers; `every`: a plain line every this many steps when not a TTY. */
  constructor(readonly label: string, readonly total: number, readonly stream: ProgressStream = process.stderr, readonly every = Math.max(1, Math.round(total / 20))) {}

  update(done: number, info: ProgressInfo): void {
    this.show(done, `loss ${info.loss.toFixed(4)}  ${info.tokensPerSecond.toFixed(0)} tok/s`, `lr ${info.lr.toExponential(2)}`);
  }

  /** Draws `done` of total with the caller's stats, then the rate (it/s), and `tail` before the elapsed<ETA times. */
  show(done: number, stats: string, tail = ""): void {
    this.#done = done;
    const elapsed = (performance.now() - this.#start) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const line = [stats, `${rate.toFixed(2)} it/s`, tail, `${fmtTime(elapsed)}<${fmtTime(eta)}`].filter((s) => s !== "").join("  ");
    if (this.stream.isTTY) {
      const width = 24, filled = Math.round((width * done) / Math.max(1, this.total));
      this.stream.write(`\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${this.total}  ${line}\x1b[K`);
    } else if (done === this.total || done - this.#lastLine >= this.every || this.#lastLine < 0) {
      this.#lastLine = done;
      this.stream.write(`${this.label} ${done}/${this.total}  ${line}\n`);
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.stream.isTTY && this.#done > 0) this.stream.write("\n");
  }
}
