/**
 * A one-line progress display on stderr for long runs: silent unless stderr is a TTY, silent
 * under --quiet, and only once the run has taken more than `delayMs` (1 s).
 */
export class Progress {
  private readonly start = Date.now();
  private shown = false;
  private readonly enabled: boolean;

  constructor(quiet: boolean, private readonly delayMs = 1000, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = !quiet && stream.isTTY === true;
    this.stream = stream;
  }
  private readonly stream: NodeJS.WriteStream;

  update(text: string): void {
    if (!this.enabled || Date.now() - this.start < this.delayMs) return;
    const secs = ((Date.now() - this.start) / 1000).toFixed(1);
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r${`${text} (${secs} s)`.slice(0, width).padEnd(width)}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.stream.write(`\r${' '.repeat(Math.max(20, (this.stream.columns || 80) - 1))}\r`);
    this.shown = false;
  }
}
