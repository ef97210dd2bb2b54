/**
 * NDJSON files that rotate by size and by age, for a live service that runs for days:
 * `<dir>/<base>.<seq>.ndjson`, seq counting up from past the highest file already there, so a
 * restart never appends to or overwrites an earlier run's file. Each file is an NdjsonFile
 * (whole lines only). A closed file whose every line has passed its expiresAt is deleted:
 * the enforcer keeps nothing past retention (SPEC §4) — on a quiet feed too (a timer, not the
 * next write, rotates by age and deletes), and an earlier run's files too (adopted at open).
 */
import { constants } from 'node:fs';
import { open as openFile, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseLock, takeLock } from './dir-lock.js';
import { NdjsonFile } from './ndjson-file.js';
import { exportLineExpiresAt, type ExportLine, type Exporter } from './exporter.js';
import { MAX_TIMER_MS } from './abortable.js';

export interface RotatingNdjsonOptions {
  dir: string;
  /** file name stem, e.g. "exports" */
  base: string;
  /** a file is closed once it holds this many bytes; default 64 MiB */
  maxBytes?: number;
  /** a file is closed once it is this old (by `clock`), written to or not; default: no limit */
  maxAgeSec?: number;
  /** closed files kept at most, an earlier run's included; the oldest are deleted first; default: no limit */
  maxFiles?: number;
  /** seconds since the epoch */
  clock?: () => number;
  /** told of every closed file deleted, and why: every line past its expiresAt, or past maxFiles */
  onDelete?: (path: string, reason: 'expired' | 'max-files') => void;
  /** told of what fails where no caller waits: the timer's rotations and deletions, reading an earlier run's file */
  onError?: (err: Error) => void;
}

interface ClosedFile {
  path: string;
  /** the latest expiresAt of its lines; Infinity when a line had none, or (an earlier run's file) until read */
  expiresAt: number;
  /**
   * a deletion that failed (EPERM, EBUSY, EROFS…) is not tried again before this moment: then by
   * the timer (an expired file), or by the next flush, rotation or close that comes after it (a
   * file past maxFiles that has not expired) — one attempt, and one error told, a second at most
   */
  retryAt?: number;
}

/** How long the timer waits before it tries again a deletion that failed. */
const DELETE_RETRY_SEC = 1;

export class RotatingNdjsonExporter implements Exporter {
  private current: NdjsonFile | undefined;
  private currentBytes = 0;
  private currentOpenedAt = 0;
  private currentExpiresAt = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private readonly closedFiles: ClosedFile[] = [];
  private readonly clock: () => number;
  /** fires at `timerDue` (by `clock`), or earlier: it then finds nothing due and is set again */
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private closed = false;
  /** the first close(), which every later call waits for too */
  private closing: Promise<void> | undefined;
  /** what this exporter wrote into `<base>.lock`: close removes the lock only while it still says so */
  private lockToken = '';
  /** reading an earlier run's files for their expiry (stops at close) */
  private adopting: Promise<void> = Promise.resolve();

  private constructor(
    private readonly opts: RotatingNdjsonOptions,
    private nextSeq: number,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
  }

  /**
   * Opens in `dir`; the files an earlier run left there become closed files of this one: counted
   * by maxFiles (oldest first), and deleted once expired. Until one has been read (in the
   * background, so a large one does not hold up the start) it counts as not expiring.
   */
  static async open(opts: RotatingNdjsonOptions): Promise<RotatingNdjsonExporter> {
    // The files of this base are this exporter's alone: another service writing them (the same
    // --out twice) would have its open file taken for an earlier run's and deleted, or truncated.
    const lock = join(opts.dir, `${opts.base}.lock`);
    const lockToken = await takeLock(
      lock,
      opts.dir,
      (owner) => `${opts.dir}: the ${opts.base} files are being written by another exporter (${owner}, ${lock}): give each service its own --out (delete the lock if no such service runs)`,
    );
    const pattern = new RegExp(`^${escapeRegExp(opts.base)}\\.(\\d+)\\.ndjson$`);
    const earlier = (await readdir(opts.dir))
      .map((n) => pattern.exec(n))
      .filter((m) => m !== null)
      .map((m) => ({ seq: Number(m[1]), path: join(opts.dir, m[0]) }))
      .sort((a, b) => a.seq - b.seq);
    const exporter = new RotatingNdjsonExporter(opts, (earlier.at(-1)?.seq ?? 0) + 1);
    exporter.lockToken = lockToken;
    // Only regular files are an earlier run's (NdjsonFile makes nothing else): a device, a FIFO or
    // a folder under such a name (a link to /dev/zero, say) is not read (a device has no end, a
    // FIFO's open waits for a writer), not deleted and not counted by maxFiles. Its number is still
    // passed over above, so nothing is written into it either; it is said once, as a file-error.
    for (const f of earlier) {
      const kind = await stat(f.path).then(
        (st) => (st.isFile() ? 'file' : 'other'),
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'gone' : 'file'),
      );
      if (kind === 'file') exporter.closedFiles.push({ path: f.path, expiresAt: Infinity });
      else if (kind === 'other') opts.onError?.(new Error(`${f.path}: not a regular file: left as it is (not read for its expiry, not deleted)`));
    }
    exporter.adopting = exporter.learnExpiry([...exporter.closedFiles]).then(() => exporter.trimAdopted());
    return exporter;
  }

  /** Paths of the closed files not deleted (an earlier run's included), oldest first. */
  get closedPaths(): string[] {
    return this.closedFiles.map((f) => f.path);
  }

  get currentPath(): string | undefined {
    return this.current?.path;
  }

  async send(line: ExportLine): Promise<void> {
    await this.writeLine(JSON.stringify(line), exportLineExpiresAt(line));
  }

  /**
   * Appends one serialised line; `expiresAt` null means the line does not expire. Calls are
   * queued, so lines keep their order and a rotation never cuts between them.
   */
  writeLine(json: string, expiresAt: number | null): Promise<void> {
    return this.serial(() => this.write(json, expiresAt));
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(json: string, expiresAt: number | null): Promise<void> {
    const now = this.clock();
    const bytes = Buffer.byteLength(json) + 1;
    if (this.current && this.currentBytes > 0) {
      const tooBig = this.currentBytes + bytes > (this.opts.maxBytes ?? 64 << 20);
      const tooOld = this.opts.maxAgeSec !== undefined && now - this.currentOpenedAt >= this.opts.maxAgeSec;
      if (tooBig || tooOld) await this.closeCurrent();
    }
    const opening = this.current === undefined;
    const file = this.current ?? (await this.openNext(now));
    file.writeLine(json);
    this.currentBytes += bytes;
    this.currentExpiresAt = Math.max(this.currentExpiresAt, expiresAt ?? Infinity);
    // later lines only move the open file's moments later: a timer set for its first line may
    // fire early, finds nothing due and is set again; not one setTimeout per line
    if (opening) this.schedule();
  }

  flush(): Promise<void> {
    return this.serial(async () => {
      await this.current?.flush();
      await this.deleteExpired();
    });
  }

  /** Closes the current file and deletes what has expired; no timer is left (nor a file being read). */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.adopting;
    try {
      await this.serial(async () => {
        await this.closeCurrent();
        await this.deleteExpired();
      });
    } finally {
      // released when the last file cannot be written too (a full disk)
      await releaseLock(join(this.opts.dir, `${this.opts.base}.lock`), this.lockToken);
    }
  }

  /** Closes the current file (the next line opens a new one). */
  rotate(): Promise<void> {
    return this.serial(() => this.closeCurrent());
  }

  private async closeCurrent(): Promise<void> {
    const file = this.current;
    if (!file) return;
    this.current = undefined;
    await file.close();
    this.closedFiles.push({ path: file.path, expiresAt: this.currentExpiresAt });
    this.currentBytes = 0;
    this.currentExpiresAt = -Infinity;
    // the expired first: they must not push a live file out by maxFiles
    await this.deleteExpired();
    await this.deleteOverMaxFiles(false);
    this.schedule();
  }

  private async deleteExpired(): Promise<void> {
    const now = this.clock();
    for (let i = 0; i < this.closedFiles.length; ) {
      const file = this.closedFiles[i]!;
      if (file.expiresAt <= now && (await this.delete(file, 'expired'))) this.forgetClosed(file);
      else i++;
    }
  }

  /**
   * The oldest closed files past maxFiles go; one whose deletion fails stays, tried again later.
   * `untilClosed`: an earlier run's files stop being trimmed once close() has begun.
   */
  private async deleteOverMaxFiles(untilClosed: boolean): Promise<void> {
    const max = this.opts.maxFiles;
    if (max === undefined) return;
    for (let i = 0; this.closedFiles.length - i > max && !(untilClosed && this.closed); ) {
      const file = this.closedFiles[i]!;
      if (await this.delete(file, 'max-files')) this.forgetClosed(file);
      else i++;
    }
  }

  /**
   * A deleted file leaves the list wherever it now stands: an earlier run's files are trimmed
   * (trimAdopted) while writes rotate, so another sweep may have moved the list meanwhile (or
   * taken the file already) — splicing the index it had spliced another file, left on disk.
   */
  private forgetClosed(file: ClosedFile): void {
    const at = this.closedFiles.indexOf(file);
    if (at >= 0) this.closedFiles.splice(at, 1);
  }

  /**
   * Deletes a closed file; false when it could not be (the error goes to onError, never to the
   * write, flush or timer that asked: the file stays listed, due again after DELETE_RETRY_SEC),
   * or when one that failed is not due again yet, whoever asks: a flush after every batch would
   * otherwise tell the same failure once per batch.
   */
  private async delete(file: ClosedFile, reason: 'expired' | 'max-files'): Promise<boolean> {
    if (file.retryAt !== undefined && file.retryAt > this.clock()) return false;
    try {
      await unlink(file.path);
    } catch (err) {
      // already gone (removed by hand): what the deletion was for
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      file.retryAt = this.clock() + DELETE_RETRY_SEC;
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    this.opts.onDelete?.(file.path, reason);
    return true;
  }

  private async openNext(now: number): Promise<NdjsonFile> {
    const file = await NdjsonFile.create(join(this.opts.dir, `${this.opts.base}.${String(this.nextSeq++).padStart(6, '0')}.ndjson`));
    this.current = file;
    this.currentOpenedAt = now;
    return file;
  }

  /** The earliest moment something is due: a closed file to delete, the open file to rotate (its age) or to delete (every line expired). */
  private nextDue(): number {
    let due = Infinity;
    for (const f of this.closedFiles) due = Math.min(due, Math.max(f.expiresAt, f.retryAt ?? -Infinity));
    if (this.current) {
      due = Math.min(due, this.currentExpiresAt);
      if (this.opts.maxAgeSec !== undefined) due = Math.min(due, this.currentOpenedAt + this.opts.maxAgeSec);
    }
    return due;
  }

  /** Sets the timer for the next moment due, unless it already fires by then. Unref'd: it never keeps the process alive. */
  private schedule(): void {
    if (this.closed) return;
    const due = this.nextDue();
    if (this.timer !== undefined && this.timerDue <= due) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = due;
    if (due === Infinity) return;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, (due - this.clock()) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.serial(() => this.tick())
        .catch((err: unknown) => this.opts.onError?.(err instanceof Error ? err : new Error(String(err))))
        .finally(() => this.schedule());
    }, ms).unref();
  }

  /**
   * What the timer does, without waiting for a write: rotates the open file once it is
   * maxAgeSec old, or once every line in it has expired (it is then deleted with the closed
   * files that have: retention before rotation), and deletes expired closed files.
   */
  private async tick(): Promise<void> {
    if (this.closed) return;
    const now = this.clock();
    const tooOld = this.opts.maxAgeSec !== undefined && now - this.currentOpenedAt >= this.opts.maxAgeSec;
    if (this.current && (tooOld || this.currentExpiresAt <= now)) await this.closeCurrent();
    await this.deleteExpired();
    await this.deleteOverMaxFiles(true);
  }

  /**
   * Reads each of an earlier run's files, oldest first, for the latest expiresAt of its lines.
   * A file that cannot be read stays as it is (not expiring); one gone meanwhile is forgotten.
   */
  /**
   * Once an earlier run's files are read: the expired go (as expired), then maxFiles counts
   * them, oldest first — from the start, not from the first rotation (a quiet feed has none).
   */
  private async trimAdopted(): Promise<void> {
    if (this.closed) return;
    try {
      await this.deleteExpired();
      await this.deleteOverMaxFiles(true);
    } catch (err) {
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private async learnExpiry(files: ClosedFile[]): Promise<void> {
    for (const file of files) {
      if (this.closed) return;
      try {
        const latest = await latestExpiry(file.path, () => this.closed);
        if (latest === undefined) return;
        file.expiresAt = latest;
        this.schedule();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          const i = this.closedFiles.indexOf(file);
          if (i >= 0) this.closedFiles.splice(i, 1);
        } else {
          this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
  }
}

/**
 * The latest expiresAt of a file's lines, in one streamed pass (memory: one line, at most
 * MAX_LINE_BYTES); undefined when `stop()` said to stop first. A line without a numeric expiresAt
 * (a report, a decision, one written with none, one that is not JSON) keeps the file: Infinity. A
 * last line with no newline that is not JSON was torn by a crash mid-write (NdjsonFile writes
 * whole lines): no reader can use its bytes, so it does not keep the file past its complete lines.
 *
 * A line longer than MAX_LINE_BYTES is not one of ours: like a line that is not JSON it keeps the
 * file (what the enforcer cannot read, it does not delete), and the reading stops there, without
 * an error: the file is simply kept, as README says of a line that "cannot be read". A file that is
 * not a regular file (replaced since the listing) is an error naming it, for onError.
 */
async function latestExpiry(path: string, stop: () => boolean): Promise<number | undefined> {
  // O_NONBLOCK: a FIFO put in the file's place since the listing opens at once rather than
  // waiting for a writer (no effect on a regular file); fstat then refuses it
  const handle = await openFile(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${path}: not a regular file: left as it is (not read for its expiry, not deleted)`);
    const chunk = Buffer.allocUnsafe(1 << 16);
    /** the line being read: its pieces so far (a line may span chunks) */
    const pieces: Buffer[] = [];
    let pieceBytes = 0;
    let latest = -Infinity;
    const judge = (line: Buffer) => {
      const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
      if (end > 0) latest = Math.max(latest, lineExpiry(line.toString('utf8', 0, end)));
    };
    for (let position = 0; ; ) {
      if (stop()) return undefined;
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let from = 0;
      for (let nl = chunk.indexOf(0x0a, from); nl !== -1 && nl < bytesRead; nl = chunk.indexOf(0x0a, from)) {
        if (pieceBytes + nl - from > MAX_LINE_BYTES) return Infinity;
        if (pieces.length === 0) judge(chunk.subarray(from, nl));
        else {
          pieces.push(chunk.subarray(from, nl));
          judge(Buffer.concat(pieces));
          pieces.length = 0;
          pieceBytes = 0;
        }
        if (latest === Infinity) return Infinity; // nothing later changes it
        from = nl + 1;
      }
      if (from < bytesRead) {
        pieceBytes += bytesRead - from;
        if (pieceBytes > MAX_LINE_BYTES) return Infinity;
        // copied: the chunk is read into again
        pieces.push(Buffer.from(chunk.subarray(from, bytesRead)));
      }
    }
    if (pieces.length > 0) {
      // the last line, with no newline
      const text = Buffer.concat(pieces).toString('utf8');
      const last = lineExpiry(text);
      if (!(last === Infinity && !isJson(text))) latest = Math.max(latest, last);
    }
    return latest;
  } finally {
    await handle.close();
  }
}

/**
 * The longest line the scan of an earlier run's file reads: far above any line the enforcer
 * writes (one record, a report or a decision: kilobytes), far below what would strain memory.
 */
const MAX_LINE_BYTES = 16 << 20;

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function lineExpiry(text: string): number {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return Infinity;
  }
  const expiresAt = typeof line === 'object' && line !== null && 'expiresAt' in line ? line.expiresAt : null;
  return typeof expiresAt === 'number' ? expiresAt : Infinity;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
