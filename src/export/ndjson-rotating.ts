/**
 * NDJSON files that rotate by size and by age, for a live service that runs for days:
 * `<dir>/<base>.<seq>.ndjson`, seq counting up from past the highest file already there, so a
 * restart never appends to or overwrites an earlier run's file. Each file is an NdjsonFile
 * (whole lines only). A closed file whose every line has passed its expiresAt is deleted, and one
 * whose lines expire at different times is rewritten without those that have (ndjson-expiry.ts
 * says when): the enforcer keeps nothing past retention (SPEC §4) — on a quiet feed too (a timer,
 * not the next write, rotates by age, rewrites and deletes), and an earlier run's files too
 * (adopted at open).
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseLock, takeLock } from './dir-lock.js';
import { NdjsonFile } from './ndjson-file.js';
import { exportLineExpiresAt, type ExportLine, type Exporter } from './exporter.js';
import { FileExpiry, isRewriteTemp, rewriteUnexpired, scanExpiry } from './ndjson-expiry.js';
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
  /** told of every file rewritten without its expired lines: how many went */
  onRewrite?: (path: string, dropped: number) => void;
  /**
   * told, at a flush or the close, of the lines not written since the last time because their
   * expiresAt had passed when they came (an old capture replayed, an agent's clock behind by more
   * than the retention): a line past its retention is not kept, not even for a moment, as the
   * spool does not take one nor NATS send one
   */
  onExpiredOnArrival?: (count: number) => void;
  /** told of what fails where no caller waits: the timer's rotations and deletions, reading an earlier run's file */
  onError?: (err: Error) => void;
}

interface ClosedFile {
  path: string;
  /** what its lines say of their expiry; null for an earlier run's file until it is read (kept meanwhile) */
  expiry: FileExpiry | null;
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
  private currentExpiry = new FileExpiry();
  /** lines not written since the last flush: past their expiresAt when they came (onExpiredOnArrival) */
  private expiredOnArrival = 0;
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
    const names = await readdir(opts.dir);
    // what a rewrite cut short by a crash left (the file it was rewriting still stands whole):
    // lines, expired ones among them, that nothing would ever look at again
    for (const n of names.filter((x) => isRewriteTemp(x, opts.base))) {
      await unlink(join(opts.dir, n)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') opts.onError?.(new Error(`${join(opts.dir, n)}: a rewrite's leftover that cannot be deleted: ${err.message}`));
      });
    }
    const earlier = names
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
      if (kind === 'file') exporter.closedFiles.push({ path: f.path, expiry: null });
      else if (kind === 'other') opts.onError?.(new Error(`${f.path}: not a regular file: left as it is (not read for its expiry, not deleted)`));
    }
    // (trimmed in turn with the writes: a rewrite must not run beside another of the same file)
    exporter.adopting = exporter.learnExpiry([...exporter.closedFiles]).then(() => exporter.serial(() => exporter.trimAdopted()));
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
    await this.writeLine(JSON.stringify(line), exportLineExpiresAt(line), line.ts);
  }

  /**
   * Appends one serialised line; `expiresAt` null means the line does not expire, `ts` is its
   * capture time (lines of one file whose capture times are unknown are not rewritten: the file
   * goes whole once its last line has expired). Calls are queued, so lines keep their order and a
   * rotation never cuts between them.
   */
  writeLine(json: string, expiresAt: number | null, ts: number | null = null): Promise<void> {
    return this.serial(() => this.write(json, expiresAt, ts));
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(json: string, expiresAt: number | null, ts: number | null): Promise<void> {
    const now = this.clock();
    if (expiresAt !== null && expiresAt <= now) {
      this.expiredOnArrival++;
      return;
    }
    const bytes = Buffer.byteLength(json) + 1;
    if (this.current && this.currentBytes > 0) {
      const tooBig = this.currentBytes + bytes > (this.opts.maxBytes ?? 64 << 20);
      const tooOld = this.opts.maxAgeSec !== undefined && now - this.currentOpenedAt >= this.opts.maxAgeSec;
      // (one due to be rewritten, its timer not yet run: this line would put its rewrite off)
      if (tooBig || tooOld || this.currentExpiry.dueAt <= now) await this.closeCurrent();
    }
    const opening = this.current === undefined;
    const file = this.current ?? (await this.openNext(now));
    file.writeLine(json);
    this.currentBytes += bytes;
    this.currentExpiry.add(expiresAt, ts);
    // later lines mostly move the open file's moments later: a timer set for its first line may
    // fire early, finds nothing due and is set again; not one setTimeout per line — but a line of
    // a shorter retention beside them brings its rewrite forward, and the timer with it
    if (opening || this.currentExpiry.dueAt < this.timerDue) this.schedule();
  }

  flush(): Promise<void> {
    return this.serial(async () => {
      this.tellExpiredOnArrival();
      await this.current?.flush();
      await this.tidyClosed();
    });
  }

  private tellExpiredOnArrival(): void {
    if (this.expiredOnArrival === 0) return;
    const count = this.expiredOnArrival;
    this.expiredOnArrival = 0;
    this.opts.onExpiredOnArrival?.(count);
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
        this.tellExpiredOnArrival();
        await this.closeCurrent();
        await this.tidyClosed();
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
    this.closedFiles.push({ path: file.path, expiry: this.currentExpiry });
    this.currentBytes = 0;
    this.currentExpiry = new FileExpiry();
    // the expired first: they must not push a live file out by maxFiles
    await this.tidyClosed();
    await this.deleteOverMaxFiles(false);
    this.schedule();
  }

  /** Closed files whose every line has expired are deleted, those with some expired lines rewritten without them. */
  private async tidyClosed(): Promise<void> {
    const now = this.clock();
    for (let i = 0; i < this.closedFiles.length; ) {
      const file = this.closedFiles[i]!;
      const expiry = file.expiry;
      // (an earlier run's file not read yet is kept)
      const gone = expiry !== null && (expiry.latest <= now ? await this.delete(file, 'expired') : expiry.rewriteAt <= now && (await this.rewrite(file, now)));
      if (gone) this.forgetClosed(file);
      else i++;
    }
  }

  /**
   * Rewrites a closed file without its expired lines; true when none was left and it was deleted.
   * A failure goes to onError (the file stands, due again after DELETE_RETRY_SEC), as a deletion's.
   */
  private async rewrite(file: ClosedFile, now: number): Promise<boolean> {
    if (file.retryAt !== undefined && file.retryAt > now) return false;
    let done;
    try {
      done = await rewriteUnexpired(file.path, now);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      file.retryAt = this.clock() + DELETE_RETRY_SEC;
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    if (done.expiry === null) return this.delete(file, 'expired');
    // (a line too long to read again: nothing in the file is rewritten, and it still goes whole at
    // its last line's expiry, which this run knows from writing it — or, an earlier run's, never)
    if (done.unreadable) file.expiry?.stopRewriting();
    else file.expiry = done.expiry;
    if (done.dropped > 0) this.opts.onRewrite?.(file.path, done.dropped);
    return false;
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

  /**
   * The earliest moment something is due: a closed file to delete or rewrite, the open file to
   * rotate (its age) or to close so as to delete or rewrite it.
   */
  private nextDue(): number {
    let due = Infinity;
    for (const f of this.closedFiles) if (f.expiry !== null) due = Math.min(due, Math.max(f.expiry.dueAt, f.retryAt ?? -Infinity));
    if (this.current) {
      due = Math.min(due, this.currentExpiry.dueAt);
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
   * maxAgeSec old, or once every line in it has expired or some are due to go (it is then deleted
   * or rewritten with the closed files: retention before rotation), and deletes or rewrites closed
   * files whose lines have expired.
   */
  private async tick(): Promise<void> {
    if (this.closed) return;
    const now = this.clock();
    const tooOld = this.opts.maxAgeSec !== undefined && now - this.currentOpenedAt >= this.opts.maxAgeSec;
    if (this.current && (tooOld || this.currentExpiry.dueAt <= now)) await this.closeCurrent();
    await this.tidyClosed();
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
      await this.tidyClosed();
      await this.deleteOverMaxFiles(true);
    } catch (err) {
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private async learnExpiry(files: ClosedFile[]): Promise<void> {
    for (const file of files) {
      if (this.closed) return;
      try {
        const expiry = await scanExpiry(file.path, () => this.closed);
        if (expiry === undefined) return;
        file.expiry = expiry;
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
