/**
 * Progress on stderr for runs that take more than a second: a redrawn line when stderr is a
 * terminal, a plain line every few seconds otherwise (logs), nothing with --quiet.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drewTty = false;

  constructor(
    private readonly label: string,
    private readonly totalBytes: number,
    private readonly quiet: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(packets: number, bytesRead: number): void {
    if (this.quiet) return;
    const now = Date.now();
    const elapsed = now - this.started;
    const interval = this.stream.isTTY ? 200 : 5000;
    if (elapsed < 1000 || now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const seconds = elapsed / 1000;
    const mbps = bytesRead / 1e6 / seconds;
    // a pipe's length is not known: no share done, no ETA, no bar
    const known = this.totalBytes > 0;
    const fraction = known ? Math.min(1, bytesRead / this.totalBytes) : 0;
    const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : 0;
    const rate = `${this.label}: ${packets.toLocaleString('en-US')} packets, ${mbps.toFixed(1)} MB/s`;
    const text = known ? `${rate}, ${(fraction * 100).toFixed(0)}%, ETA ${eta.toFixed(0)} s` : rate;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r${known ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : ''}${text}\x1b[K`);
      this.drewTty = true;
    } else {
      this.stream.write(text + '\n');
    }
  }

  done(): void {
    if (this.drewTty) this.stream.write('\n');
  }
}
