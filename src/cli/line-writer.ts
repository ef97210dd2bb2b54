/**
 * Lines to stdout (or any stream) in large writes, waiting for 'drain' so a slow reader
 * (a pager, a pipe) holds the producer back instead of filling memory.
 */
export class LineWriter {
  private buf: string[] = [];
  private size = 0;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  line(text: string): void {
    this.buf.push(text);
    this.size += text.length + 1;
  }

  get buffered(): number {
    return this.size;
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const text = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }
}
