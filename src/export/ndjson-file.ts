import { open, type FileHandle } from 'node:fs/promises';

/**
 * An NDJSON sink that only ever writes whole lines. Lines are buffered into large writes
 * (one syscall per ~1 MiB) because replay emits many small records; `close()` flushes the
 * rest. A crash between flushes loses at most the unflushed tail, never half a line.
 */
export class NdjsonFile {
  private pending: string[] = [];
  private pendingBytes = 0;
  private lines = 0;
  private writing: Promise<void> = Promise.resolve();
  /** bytes handed to write() calls that have not finished yet */
  private queued = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly flushBytes: number,
  ) {}

  static async create(path: string, flushBytes = 1 << 20): Promise<NdjsonFile> {
    return new NdjsonFile(path, await open(path, 'w'), flushBytes);
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Appends one already-serialised JSON line (without its newline). */
  writeLine(json: string): void {
    this.pending.push(json);
    this.pendingBytes += json.length + 1;
    this.lines++;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  /** Starts writing what is buffered; writes stay in order. */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingBytes = 0;
    this.queued += text.length;
    this.writing = this.writing.then(async () => {
      await this.handle.write(text);
      this.queued -= text.length;
    });
    return this.writing;
  }

  /** Bytes buffered or being written, not yet handed to the OS. */
  get backlogBytes(): number {
    return this.queued + this.pendingBytes;
  }

  /**
   * Backpressure for a producer that can wait: a promise that settles once everything queued
   * is written when more than `maxBytes` wait to be (a slow disk), else undefined (go on).
   */
  backpressure(maxBytes = 8 * 1024 * 1024): Promise<void> | undefined {
    return this.queued > maxBytes ? this.writing : undefined;
  }

  /** Resolves once every buffered write has been handed to the OS. */
  async drained(): Promise<void> {
    await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}
