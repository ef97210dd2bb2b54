import { open, type FileHandle } from 'node:fs/promises';
import { getSystemErrorMap } from 'node:util';

/** Buffers kept for reuse once written, at most (more in flight are dropped when they return). */
const SPARE_BUFFERS = 4;

/**
 * An NDJSON sink that only ever writes whole lines. Lines are encoded into large writes
 * (one syscall per ~256 KiB) because replay emits many small records; `close()` flushes the
 * rest. A crash between flushes loses at most the unflushed tail, never half a line. Not
 * larger: a write buffer's pages are first touched when it is first filled, and with writes
 * in flight several buffers are (1 MiB ones cost the 1 M-packet bench replay ~10 ms of page
 * faults in the main thread, 256 KiB ones ~4 ms). A write that fails part-way (a full disk, a
 * file-size limit) is cut back to its last whole line.
 *
 * Each line is encoded straight into a write buffer, and a buffer goes back to a small pool
 * once its write is done. Joining the lines into a string and encoding that made two fresh
 * megabyte-sized allocations per flush: their pages are first touched there, and those page
 * faults cost more than the encoding itself (~3–4 ms per MiB on the bench machine).
 */
export class NdjsonFile {
  /** the buffer being filled (null until the first line, and after a flush) */
  private buf: Buffer | null = null;
  private used = 0;
  private readonly spare: Buffer[] = [];
  private lines = 0;
  private writing: Promise<void> = Promise.resolve();
  /** bytes handed to write() calls that have not finished yet */
  private queued = 0;
  /**
   * The first write that failed (a full disk), naming the file: the writes after it are skipped
   * and every wait on the file rejects with it. Kept here rather than as a rejected `writing`,
   * which nobody awaits between flushes: an unhandled rejection would end the process with a stack.
   */
  private failure: Error | null = null;
  private closing: Promise<void> | undefined;
  /**
   * The file's length in whole lines written: a write the disk takes only part of (a file-size
   * limit, a disk filling mid-write) is cut back to here plus its own whole lines.
   */
  private wholeBytes = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly flushBytes: number,
  ) {}

  static async create(path: string, flushBytes = 1 << 18): Promise<NdjsonFile> {
    return new NdjsonFile(path, await open(path, 'w'), flushBytes);
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Appends one already-serialised JSON line (without its newline). */
  writeLine(json: string): void {
    this.lines++;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 for 2)
    const buf = this.roomFor(json.length * 3 + 1);
    if (buf === null) {
      // a line longer than a whole buffer goes out on its own
      const bytes = Buffer.from(`${json}\n`, 'utf8');
      this.enqueue(bytes, bytes.length, null);
      return;
    }
    this.used += buf.write(json, this.used, 'utf8');
    buf[this.used++] = 0x0a;
  }

  /**
   * Appends whole lines already encoded, each UTF-8 with its newline: bytes[start, end), `lines`
   * of them. Nothing keeps `bytes` once this returns, unless the run is larger than a write
   * buffer: such a run is written from `bytes` itself, which must then stay as it is.
   */
  writeBytes(bytes: Uint8Array, start: number, end: number, lines: number): void {
    this.lines += lines;
    const n = end - start;
    const buf = this.roomFor(n);
    if (buf === null) {
      this.enqueue(bytes.subarray(start, end), n, null);
      return;
    }
    buf.set(bytes.subarray(start, end), this.used);
    this.used += n;
  }

  /**
   * The write buffer with room for `n` more bytes after `used` (the one being filled is
   * flushed first when it has not), or null, after that flush, when `n` is more than a whole
   * buffer holds: the caller writes those bytes on their own.
   */
  private roomFor(n: number): Buffer | null {
    if (n > this.flushBytes - this.used) {
      this.startWrite();
      if (n > this.flushBytes) return null;
    }
    return (this.buf ??= this.spare.pop() ?? Buffer.allocUnsafe(this.flushBytes));
  }

  /** Starts writing what is buffered; writes stay in order. Rejects once a write has failed. */
  flush(): Promise<void> {
    this.startWrite();
    return this.written();
  }

  /** Queues the write of what is buffered (no promise: one left unawaited would reject unhandled). */
  private startWrite(): void {
    if (this.buf === null || this.used === 0) return;
    const buf = this.buf;
    const n = this.used;
    this.buf = null;
    this.used = 0;
    this.enqueue(buf, n, buf);
  }

  /** Writes bytes[0, n) after what is queued; `spare`: a write buffer to reuse once written. */
  private enqueue(bytes: Uint8Array, n: number, spare: Buffer | null): void {
    this.queued += n;
    this.writing = this.writing.then(async () => {
      try {
        if (this.failure === null) await this.writeAll(bytes, n);
      } catch (err) {
        this.failure = err instanceof Error ? err : cannotWrite(this.path, err);
      } finally {
        this.queued -= n;
      }
      if (spare !== null && this.spare.length < SPARE_BUFFERS) this.spare.push(spare);
    });
  }

  /** Writes bytes[0, n), whole lines; rejects with the error naming the file, the file ending with a whole line. */
  private async writeAll(bytes: Uint8Array, n: number): Promise<void> {
    let at = 0;
    try {
      while (at < n) {
        const { bytesWritten } = await this.handle.write(bytes, at, n - at);
        if (bytesWritten === 0) throw new Error('write made no progress');
        at += bytesWritten;
      }
    } catch (err) {
      throw await this.cutTornLine(bytes.subarray(0, at), err);
    }
    this.wholeBytes += n;
  }

  /**
   * After a write that failed past its start: the file is cut back to the end of the last whole
   * line on disk, or its half line would break every reader that takes the file line by line.
   * Shrinking a file frees space, so this works on a full disk too; when it fails all the same,
   * the error says so. `written`: what of the failed write reached the file.
   */
  private async cutTornLine(written: Uint8Array, err: unknown): Promise<Error> {
    const failure = cannotWrite(this.path, err);
    if (written.length === 0) return failure;
    const whole = this.wholeBytes + written.lastIndexOf(0x0a) + 1;
    try {
      await this.handle.truncate(whole);
      this.wholeBytes = whole;
      return failure;
    } catch (cutErr) {
      return new Error(`${failure.message}${tornLineNote(cutErr)}`, { cause: err });
    }
  }

  /** Settles once everything queued is written; rejects with the failure of a write that failed. */
  private written(): Promise<void> {
    return this.writing.then(() => {
      if (this.failure !== null) throw this.failure;
    });
  }

  /** Bytes buffered or being written, not yet handed to the OS. */
  get backlogBytes(): number {
    return this.queued + this.used;
  }

  /**
   * Backpressure for a producer that can wait: a promise that settles once everything queued
   * is written when more than `maxBytes` wait to be (a slow disk), else undefined (go on). Once
   * a write has failed, a promise that rejects with its failure: the producer stops there.
   */
  backpressure(maxBytes = 8 * 1024 * 1024): Promise<void> | undefined {
    return this.queued > maxBytes || this.failure !== null ? this.written() : undefined;
  }

  /** Resolves once every buffered write has been handed to the OS. */
  async drained(): Promise<void> {
    await this.written();
  }

  /** Writes what is buffered and closes the file (its handle even when a write failed). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        await this.handle.close();
      }
    })();
    return this.closing;
  }
}

/** `<path>: cannot write: no space left on device (ENOSPC)`, as the project's other file errors name their file. */
function cannotWrite(path: string, err: unknown): Error {
  return new Error(`${path}: cannot write: ${errorReason(err)}`, { cause: err });
}

/**
 * What a write error adds when the torn line it left could not be cut off either (here, and in the
 * spool's SpoolFileError): `; its last line is left torn: cannot cut it off: <reason>`.
 */
export function tornLineNote(cutErr: unknown): string {
  return `; its last line is left torn: cannot cut it off: ${errorReason(cutErr)}`;
}

/** `no space left on device (ENOSPC)` for a system error, else the error's message (the spool's file errors say it so too). */
export function errorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const what = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  return what !== undefined && e.code !== undefined ? `${what} (${e.code})` : err instanceof Error ? err.message : String(err);
}
