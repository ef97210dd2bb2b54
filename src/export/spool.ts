/**
 * A delivery spool on disk: items wait here until the receiver acknowledges them, across
 * restarts. The directory holds NDJSON segment files (`segment-<n>.ndjson`, one item a line)
 * and `acks.ndjson` (the ids of acknowledged items, kept as long as the item could come
 * again so that a rerun never delivers it twice); a service's spool holds `spool.lock` too (see
 * DiskSpoolOptions.lock).
 *
 * Retention is enforced here, not only at delivery: by an item's `expiresAt` its bytes are gone
 * from disk whatever became of it (waiting, acknowledged, refused, pushed out), so the spool
 * never keeps telemetry longer than the preferences allow (SPEC §4).
 *
 * A settled item's line is not cut out at once: that would rewrite a segment per
 * acknowledgement. Its segment is deleted once nothing in it waits, and otherwise rewritten
 * with its waiting items only when one of these comes first:
 * - the settled lines' bytes reach the waiting ones' (closed segments only: the active one is
 *   at most `segmentBytes` anyway). Such a rewrite writes no more than it drops, so these
 *   rewrites together write no more than was ever spooled.
 * - the earliest `expiresAt` among its settled (or expired) lines passes, as `expire()` finds.
 *   That is at most one rewrite per segment per `expire()` call, and it drops every settled
 *   line of the segment, so only items settled after it can call for the next.
 */
import { appendFile, lstat, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { releaseLock, takeLock } from './dir-lock.js';
import { makeDir } from './make-dir.js';
import { errorReason, tornLineNote } from './ndjson-file.js';
import { join } from 'node:path';

export interface SpoolEntry {
  id: string;
  /** seconds since the epoch; null: kept at most `maxAgeSec` after spooling */
  expiresAt: number | null;
  spooledAt: number;
  /** the serialised item, delivered as is */
  body: string;
}

export interface DiskSpoolOptions {
  /** a segment is closed for appends past this size; default 1 MiB */
  segmentBytes?: number;
  /** items without expiresAt, and acknowledgement memory, last this long; default 24 h */
  maxAgeSec?: number;
  /** items held at most; the oldest goes first (counted) past this; default 100 000 */
  maxItems?: number;
  /** seconds since the epoch */
  clock?: () => number;
  /** told of every item that leaves undelivered: past its expiresAt (or the age limit), or pushed out by maxItems */
  onDiscard?: (id: string, why: 'expired' | 'overflow') => void;
  /**
   * told when the disk work of pushing out the oldest item failed (its id to the acks file, its
   * segment's deletion or rewrite): the appended line is on disk, so its append does not fail
   * with it, and the next sweep tries that work again (see append)
   */
  onSpoolError?: (err: SpoolFileError) => void;
  /**
   * Takes `<dir>/spool.lock` at open, before anything in the folder is read or changed, until
   * close(): another service given the same folder is refused, naming the pid that holds it (two
   * spools on one folder would both take up the waiting items, and append to the same segments
   * and acks). The AI-service exporter always takes it; a spool opened without it is a tool's or a
   * test's, which may open a folder again to stand for a restart.
   */
  lock?: boolean;
}

export interface SpoolStats {
  spooled: number;
  acknowledged: number;
  expired: number;
  discarded: number;
  duplicates: number;
  overflowed: number;
  /** lines of the spool files that could not be read back (a crash mid-write) */
  unreadableLines: number;
}

interface StoredEntry extends SpoolEntry {
  segment: number;
  /** length of its line on disk */
  bytes: number;
}

/** What a segment file holds: lines of waiting items, and lines of settled ones not cut out yet. */
interface Segment {
  live: number;
  liveBytes: number;
  deadBytes: number;
  /** the earliest expiry among the dead lines; Infinity when there are none */
  deadUntil: number;
  /** a rewrite is queued and has not taken the segment's text yet */
  rewriteQueued: Promise<void> | undefined;
  /** its last deletion or rewrite failed: left to the sweeps' retries, not counted in nextDueAt */
  failed: boolean;
}

const SEGMENT_FILE = /^segment-(\d+)\.ndjson$/;
const ACKS_FILE = 'acks.ndjson';
const LOCK_FILE = 'spool.lock';
/** what a rewrite cut by a kill leaves (see recover) */
const TEMP_FILE = /^(?:segment-\d+\.ndjson|acks\.ndjson)\.tmp$/;

/**
 * A spool file that could not be written (or read, deleted, or replaced by its rewrite), named as
 * the NDJSON outputs name theirs: `<dir>/segment-3.ndjson: cannot write: no space left on device
 * (ENOSPC)` — the file, what was being done, and the system's reason, in one line. `cutFailure`:
 * an append the disk took part of could not be cut back to its last whole line either (said as
 * src/export/ndjson-file.ts says it).
 */
export class SpoolFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
    doing = 'cannot write',
    cutFailure?: unknown,
  ) {
    const torn = cutFailure === undefined ? '' : tornLineNote(cutFailure);
    super(`${path}: ${doing}: ${errorReason(cause)}${torn}`, { cause });
    this.name = 'SpoolFileError';
  }
}

/**
 * What a sweep (or compaction) failed at: one failure itself, several as an AggregateError of them
 * all (each named in its one-line message), so that none hides another.
 */
function failureOf(failures: unknown[]): unknown {
  // the same failure twice (compact tries again what its expire() failed at) is one
  const byMessage = new Map<string, unknown>();
  for (const f of failures.flatMap((f) => (f instanceof AggregateError ? (f.errors as unknown[]) : [f]))) {
    const message = f instanceof Error ? f.message : String(f);
    if (!byMessage.has(message)) byMessage.set(message, f);
  }
  if (byMessage.size === 1) return [...byMessage.values()][0];
  return new AggregateError([...byMessage.values()], `${byMessage.size} spool failures: ${[...byMessage.keys()].join('; ')}`);
}

/** A failure of the spool's disk work as a SpoolFileError; one not naming a file names the directory. */
function asSpoolError(err: unknown, dir: string): SpoolFileError {
  return err instanceof SpoolFileError ? err : new SpoolFileError(dir, err);
}

/** `task`'s failure as the SpoolFileError naming `path`. */
async function onFile<T>(path: string, task: Promise<T>, doing?: string): Promise<T> {
  try {
    return await task;
  } catch (err) {
    throw new SpoolFileError(path, err, doing);
  }
}

export class DiskSpool {
  /** pending items in spool order (Map keeps insertion order) */
  private readonly pending = new Map<string, StoredEntry>();
  /** settled (acknowledged, refused, overflowed) id → until when to remember it */
  private readonly acked = new Map<string, number>();
  private readonly segments = new Map<number, Segment>();
  private activeSegment = 0;
  private activeBytes = 0;
  private ackLines = 0;
  private io: Promise<void> = Promise.resolve();
  /** lines to append, per file, with what their appenders wait on (see appendLine) */
  private readonly unwritten = new Map<string, { lines: string[]; written: Promise<void> }>();
  /** the flush that will write `unwritten`: the files it could not write, each with its error */
  private unwrittenFlush: Promise<Map<string, SpoolFileError>> | undefined;
  /**
   * Files left ending inside a line: an append the disk took part of, which could not be cut back
   * either. Their next append starts with a newline, so that only the torn line is unreadable.
   */
  private readonly torn = new Set<string>();
  /**
   * An acknowledgement could not be appended: the ids are in `acked` only, and the next sweep
   * writes the acks file whole (rewriteAcks), so that a restart does not deliver them again.
   */
  private acksUnwritten = false;
  /**
   * `.tmp` files a failed rewrite left and could not delete either: they hold item bodies (or
   * ids) that nothing else looks at, so every sweep tries their deletion again until it works.
   */
  private readonly strayTemps = new Set<string>();
  private readonly acksPath: string;
  readonly stats: SpoolStats = { spooled: 0, acknowledged: 0, expired: 0, discarded: 0, duplicates: 0, overflowed: 0, unreadableLines: 0 };
  private readonly segmentBytes: number;
  private readonly maxAgeSec: number;
  private readonly maxItems: number;
  private readonly onDiscard: DiskSpoolOptions['onDiscard'];
  private readonly onSpoolError: DiskSpoolOptions['onSpoolError'];
  readonly clock: () => number;
  /**
   * Recovery found no acknowledgement on disk and wrote the acks file empty: close() removes it if
   * it is still empty, so a spool that never held an acknowledgement leaves no file of its own (a
   * refused start's new --spool folder is then removed whole; an empty file and none read alike).
   */
  private acksWrittenEmpty = false;
  /** what this spool wrote into spool.lock ('' when it took none) */
  private lockToken = '';
  /** see nextDueAt: lowered by append and recover, made exact by expire() */
  private dueAt = Infinity;

  private constructor(
    readonly dir: string,
    opts: DiskSpoolOptions,
  ) {
    this.segmentBytes = opts.segmentBytes ?? 1 << 20;
    this.maxAgeSec = opts.maxAgeSec ?? 86_400;
    this.maxItems = opts.maxItems ?? 100_000;
    this.clock = opts.clock ?? (() => Date.now() / 1000);
    this.onDiscard = opts.onDiscard;
    this.onSpoolError = opts.onSpoolError;
    this.acksPath = join(dir, ACKS_FILE);
  }

  /** Opens (creating) the spool directory, takes its lock (opts.lock) and takes up what a previous run left. */
  static async open(dir: string, opts: DiskSpoolOptions = {}): Promise<DiskSpool> {
    const spool = new DiskSpool(dir, opts);
    // one line naming the folder, not mkdir's or stat's words (`ENOTDIR: not a directory, stat …`)
    await makeDir(dir).catch((err: unknown) => {
      throw new SpoolFileError(dir, err, 'cannot make the folder');
    });
    if (opts.lock === true) {
      const lock = join(dir, LOCK_FILE);
      // the refusal is one line already; a system error (a read-only folder) is named as the spool's others are
      spool.lockToken = await takeLock(lock, dir, (owner) => spoolTaken(dir, owner)).catch((err: unknown) => {
        throw (err as NodeJS.ErrnoException).code === undefined ? err : new SpoolFileError(lock, err, 'cannot take the lock');
      });
    }
    try {
      await spool.recover();
    } catch (err) {
      await spool.close();
      throw err;
    }
    return spool;
  }

  /** Once every write so far is on disk (or failed), releases the folder's lock; the spool is not used after. */
  async close(): Promise<void> {
    await this.drained();
    if (this.acksWrittenEmpty) {
      this.acksWrittenEmpty = false;
      // only while it holds nothing: a failure here leaves an empty file, which costs nothing
      const st = await lstat(this.acksPath).catch(() => undefined);
      if (st?.isFile() === true && st.size === 0) await unlink(this.acksPath).catch(() => undefined);
    }
    if (this.lockToken === '') return;
    const token = this.lockToken;
    this.lockToken = '';
    await releaseLock(join(this.dir, LOCK_FILE), token);
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * The next moment (seconds, by `clock`) at which expire() has bytes to remove: the earliest
   * expiry among waiting items and among settled lines still on disk; Infinity when there is none.
   * It may be early (expire() then finds nothing due and says the next one), never late; a
   * deletion or rewrite that failed is not counted (the sweeps try it again at their interval).
   * Kept up as items come, without a pass over them: a comparison per append.
   */
  get nextDueAt(): number {
    return this.dueAt;
  }

  /** true when the id is waiting or was acknowledged (so sending it again would duplicate it). */
  knows(id: string): boolean {
    return this.pending.has(id) || this.acked.has(id);
  }

  /** Oldest waiting item that has not expired. */
  head(): SpoolEntry | undefined {
    return this.firstWaiting(() => true);
  }

  /** Whether the item is no longer waiting to go out: past its expiresAt (or gone). */
  expired(id: string): boolean {
    const entry = this.pending.get(id);
    return entry === undefined || this.isExpired(entry, this.clock());
  }

  /** Oldest waiting item that has not expired and that `wanted` accepts (e.g. not in flight). */
  firstWaiting(wanted: (id: string) => boolean): SpoolEntry | undefined {
    const now = this.clock();
    for (const entry of this.pending.values()) {
      if (wanted(entry.id) && !this.isExpired(entry, now)) return entry;
    }
    return undefined;
  }

  /**
   * Writes an item; false when it was a duplicate or already expired (nothing written). It
   * rejects only when the item's own line could not be written — the line the spool cannot take
   * (README: that stops the service). Pushing out the oldest item past `maxItems` is waited for
   * too, but its failure (its id not written to the acks, its segment not deleted) is the
   * spool's, told to `onSpoolError` and tried again at the next sweep as any failed settle is.
   */
  append(entry: Omit<SpoolEntry, 'spooledAt'>): Promise<boolean> {
    if (this.knows(entry.id)) {
      this.stats.duplicates++;
      return Promise.resolve(false);
    }
    const item: SpoolEntry = { ...entry, spooledAt: this.clock() };
    if (this.isExpired(item, item.spooledAt)) {
      this.stats.expired++;
      this.onDiscard?.(item.id, 'expired');
      return Promise.resolve(false);
    }
    const line = lineOf(item);
    const stored: StoredEntry = { ...item, segment: this.activeSegment, bytes: Buffer.byteLength(line) };
    this.activeBytes += stored.bytes;
    if (this.activeBytes >= this.segmentBytes) this.startSegment();
    this.pending.set(stored.id, stored);
    // a settled or expired item's line is due at its expiry too: the moment can only come earlier here
    this.dueAt = Math.min(this.dueAt, this.expiryOf(stored));
    const segment = this.segmentOf(stored.segment);
    segment.live++;
    segment.liveBytes += stored.bytes;
    this.stats.spooled++;
    const written = [this.appendLine(this.segmentPath(stored.segment), line)];
    while (this.pending.size > this.maxItems) {
      const oldest = this.pending.values().next().value!;
      this.stats.overflowed++;
      this.onDiscard?.(oldest.id, 'overflow');
      written.push(this.settle(oldest).catch((err: unknown) => this.onSpoolError?.(asSpoolError(err, this.dir))));
    }
    return Promise.all(written).then(() => true);
  }

  /** The receiver has it: never deliver it again, not even after a restart. */
  async acknowledge(id: string): Promise<void> {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.stats.acknowledged++;
    await this.settle(entry);
  }

  /** The receiver refused it for good (a 4xx): it is dropped, not retried, not even after a restart. */
  async discard(id: string): Promise<void> {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.stats.discarded++;
    await this.settle(entry);
  }

  /**
   * Takes an item out for good. Its id goes to the acks file, which a restart reads before
   * the segments, so the item is not taken up again even while its line is still on disk
   * (the line leaves by the item's expiry, see the top of the file).
   */
  private async settle(entry: StoredEntry): Promise<void> {
    const until = this.expiryOf(entry);
    this.acked.set(entry.id, until);
    this.ackLines++;
    // Queued before the segment's rewrite, so the id is on disk before the line is gone. When it
    // cannot be written (a full disk) the settle rejects with that, but the item stays settled: it
    // is not waiting any more, its id is in `acked`, and the next sweep writes the acks file whole
    // (acksUnwritten). Until then a restart would take its line up again (if its segment still
    // holds it) and deliver it once more: a duplicate, never a loss.
    const written = this.appendLine(this.acksPath, JSON.stringify({ id: entry.id, until }) + '\n');
    this.remove(entry);
    await Promise.all([written, this.tidySegment(entry.segment, this.clock())]);
    if (this.ackLines > 2 * this.acked.size + 1000) await this.rewriteAcks();
  }

  /**
   * Removes every item past its time from memory, and from disk every line past its time
   * (of waiting items and of settled ones alike); returns how many waiting items expired.
   * It is the sweep: what failed on disk before (a segment not deleted, a rewrite's `.tmp` left,
   * acknowledgements not written) is tried again here. A failure stops no other step (a file that
   * cannot be deleted is retried each sweep; the acks file is still written whole and the memory
   * of settled ids still pruned): once every step ran, the failure is thrown — several as one
   * AggregateError of them all, so that one failing for good does not hide another.
   *
   * With `retry` false it only does what is due by the clock (for a timer set at nextDueAt, which
   * may fire often): expired items and due settled lines go, but what failed on disk before (a
   * segment marked failed, a stray `.tmp`, unwritten acks) waits for a sweep with `retry`, so that
   * those retries keep to the sweep interval.
   */
  async expire(retry = true): Promise<number> {
    const now = this.clock();
    const gone: StoredEntry[] = [];
    for (const entry of this.pending.values()) if (this.isExpired(entry, now)) gone.push(entry);
    for (const entry of gone) {
      this.stats.expired++;
      this.onDiscard?.(entry.id, 'expired');
      this.remove(entry);
    }
    const failures: unknown[] = [];
    const failed = (err: unknown): void => void failures.push(err);
    if (retry) for (const tmp of [...this.strayTemps]) await this.deleteStrayTemp(tmp).catch(failed);
    // a segment nothing waits in is here only when its deletion failed: due at once
    const due = [...this.segments].filter(([, s]) => (retry || !s.failed) && (s.deadUntil <= now || s.live <= 0)).map(([n]) => n);
    // a failed segment with nothing due is the timer's again (nextDueAt counts its lines): its next
    // due lines are tried at their expiry, and a failure marks it for the sweeps' retries once more
    if (retry) for (const s of this.segments.values()) if (s.failed && !(s.deadUntil <= now || s.live <= 0)) s.failed = false;
    for (const segment of due) await this.tidySegment(segment, now).catch(failed);
    for (const [id, until] of this.acked) if (until <= now) this.acked.delete(id);
    if (retry && this.acksUnwritten) await this.rewriteAcks().catch(failed);
    this.dueAt = this.earliestDue();
    if (failures.length > 0) throw failureOf(failures);
    return gone.length;
  }

  /** nextDueAt exactly: a pass over the waiting items and the segments. */
  private earliestDue(): number {
    let due = Infinity;
    for (const entry of this.pending.values()) due = Math.min(due, this.expiryOf(entry));
    for (const segment of this.segments.values()) if (!segment.failed) due = Math.min(due, segment.deadUntil);
    return due;
  }

  /**
   * Cuts every settled line from disk now, due or not: for a spool about to be closed, whose
   * sweeps stop until the next start (settled lines beside waiting ones would otherwise stay
   * on disk past their expiry while nothing runs). Expired items go as in expire().
   */
  async compact(): Promise<void> {
    // A failure (a file that cannot be rewritten or deleted, acks not written) stops no other
    // step: each segment's settled lines go if they can. Every failure is thrown, as expire's are.
    const failures: unknown[] = [];
    await this.expire().catch((err: unknown) => failures.push(err));
    const now = this.clock();
    for (const n of [...this.segments.keys()]) await this.tidySegment(n, now, true).catch((err: unknown) => failures.push(err));
    await this.drained();
    if (failures.length > 0) throw failureOf(failures);
  }

  /** Resolves once every write so far is on disk. */
  async drained(): Promise<void> {
    await this.io;
  }

  private isExpired(entry: SpoolEntry, now: number): boolean {
    return this.expiryOf(entry) <= now;
  }

  private expiryOf(entry: SpoolEntry): number {
    return entry.expiresAt ?? entry.spooledAt + this.maxAgeSec;
  }

  private segmentOf(n: number): Segment {
    let segment = this.segments.get(n);
    if (!segment) {
      segment = { live: 0, liveBytes: 0, deadBytes: 0, deadUntil: Infinity, rewriteQueued: undefined, failed: false };
      this.segments.set(n, segment);
    }
    return segment;
  }

  /** Out of memory; its line stays on disk, counted as dead, until tidySegment cuts it. */
  private remove(entry: StoredEntry): void {
    if (!this.pending.delete(entry.id)) return;
    const segment = this.segmentOf(entry.segment);
    segment.live--;
    segment.liveBytes -= entry.bytes;
    segment.deadBytes += entry.bytes;
    segment.deadUntil = Math.min(segment.deadUntil, this.expiryOf(entry));
  }

  /**
   * Brings a segment's file in line with the rules at the top of the file: deleted once
   * nothing in it waits, rewritten with its waiting items once its dead lines are due (past
   * their expiry at `now`) or outweigh the live ones.
   */
  private async tidySegment(n: number, now: number, force = false): Promise<void> {
    const segment = this.segments.get(n);
    if (!segment || segment.deadBytes === 0) return;
    const path = this.segmentPath(n);
    if (segment.live <= 0) {
      this.segments.delete(n);
      if (n === this.activeSegment) this.startSegment();
      await this.serial(async () => {
        try {
          await unlink(path).catch(ignoreMissing);
          this.torn.delete(path);
        } catch (err) {
          // Known again, its dead lines still on disk: the next sweep tries the deletion again (a
          // segment nothing waits in is due at once), so the file does not outlive its items'
          // expiry until the next start. Nothing is appended to it meanwhile: it is not the active one.
          segment.failed = true;
          if (!this.segments.has(n)) this.segments.set(n, segment);
          throw new SpoolFileError(path, err, 'cannot delete');
        }
      });
      return;
    }
    const due = force || segment.deadUntil <= now;
    if (!due && (n === this.activeSegment || segment.deadBytes < segment.liveBytes)) return;
    // The queued rewrite has not taken the text yet: it will leave this item's line out too.
    if (segment.rewriteQueued) return segment.rewriteQueued;
    // New items go elsewhere, so the rewrite below is the segment's last write.
    if (n === this.activeSegment) this.startSegment();
    segment.rewriteQueued = this.serial(async () => {
      // The text is taken when the write runs, after every earlier append reached the file;
      // what is settled from here on is in the new file, so it counts as dead from here on.
      segment.rewriteQueued = undefined;
      const taken = { bytes: segment.deadBytes, until: segment.deadUntil };
      segment.deadBytes = 0;
      segment.deadUntil = Infinity;
      let text = '';
      for (const e of this.pending.values()) if (e.segment === n) text += lineOf(e);
      const tmp = `${path}.tmp`;
      try {
        await onFile(tmp, writeFile(tmp, text));
        await onFile(path, rename(tmp, path), 'cannot rewrite');
        this.torn.delete(path);
        segment.failed = false;
        // a .tmp an earlier failed rewrite left is the one just renamed
        this.strayTemps.delete(tmp);
      } catch (err) {
        // The old file stands, dead lines and all: they stay due, so the next expire() tries again
        // (one with `retry`: the timer at nextDueAt leaves it to the sweeps).
        segment.failed = true;
        segment.deadBytes += taken.bytes;
        segment.deadUntil = Math.min(segment.deadUntil, taken.until);
        // What the rewrite wrote goes (a full disk leaves part of it): it holds item bodies that
        // no sweep looks at, which would outlive their expiry until the next start. Should it not
        // go either, it is a stray the sweeps delete (the segment's next step may be its deletion,
        // not a rewrite over it); the failure told is the rewrite's.
        await this.dropTemp(tmp);
        throw err;
      }
    });
    await segment.rewriteQueued;
  }

  /** Deletes what a failed rewrite wrote; one that cannot go is remembered as a stray for the sweeps. */
  private async dropTemp(tmp: string): Promise<void> {
    try {
      await unlink(tmp).catch(ignoreMissing);
      this.strayTemps.delete(tmp);
    } catch {
      this.strayTemps.add(tmp);
    }
  }

  /** A sweep's new attempt at a stray `.tmp` (see strayTemps). */
  private deleteStrayTemp(tmp: string): Promise<void> {
    return this.serial(async () => {
      await onFile(tmp, unlink(tmp).catch(ignoreMissing), 'cannot delete');
      this.strayTemps.delete(tmp);
    });
  }

  private startSegment(): void {
    this.activeSegment++;
    this.activeBytes = 0;
  }

  private segmentPath(segment: number): string {
    return join(this.dir, `segment-${segment}.ndjson`);
  }

  /**
   * Appends are gathered and written together: one write per file per turn, not one per
   * item, which is what lets a burst of exports be spooled at disk speed. The promise rejects
   * when the line's own file could not be written: one file that cannot be (the acks file, say)
   * neither stops the others' appends of the turn nor fails their lines.
   */
  private appendLine(path: string, line: string): Promise<void> {
    let file = this.unwritten.get(path);
    if (!file) {
      const flush = (this.unwrittenFlush ??= this.flushUnwritten());
      const written = flush.then((failed) => {
        const err = failed.get(path);
        if (err !== undefined) throw err;
      });
      file = { lines: [], written };
      this.unwritten.set(path, file);
    }
    file.lines.push(line);
    return file.written;
  }

  /** Writes what appendLine gathered, after the writes before; resolves to the files that failed. */
  private flushUnwritten(): Promise<Map<string, SpoolFileError>> {
    const failed = new Map<string, SpoolFileError>();
    return this.serial(async () => {
      const batch = [...this.unwritten];
      this.unwritten.clear();
      this.unwrittenFlush = undefined;
      for (const [file, { lines }] of batch) {
        const err = await this.appendTo(file, lines.join(''));
        if (err !== undefined) failed.set(file, err);
      }
    }).then(() => failed);
  }

  /**
   * Appends whole lines to a file; the error naming it when that failed. An append the disk took
   * only part of (a disk filling mid-write) leaves the file ending inside a line, and the next
   * append — a line accepted during the drain after write-failed, once a little room came back —
   * would be glued to it: both unreadable at the restart, though the second was reported written.
   * So the file is cut back to its last whole line at once, as the NDJSON outputs do
   * (src/export/ndjson-file.ts); shrinking a file frees space, so this works on a full disk too.
   */
  private async appendTo(file: string, text: string): Promise<SpoolFileError | undefined> {
    try {
      await appendFile(file, this.torn.has(file) ? `\n${text}` : text);
      this.torn.delete(file);
      return undefined;
    } catch (err) {
      if (file === this.acksPath) this.acksUnwritten = true;
      // a file that could not be opened took nothing
      if ((err as NodeJS.ErrnoException).syscall === 'open') return new SpoolFileError(file, err);
      try {
        await cutTornLine(file);
        this.torn.delete(file);
        return new SpoolFileError(file, err);
      } catch (cutErr) {
        this.torn.add(file);
        return new SpoolFileError(file, err, 'cannot write', cutErr);
      }
    }
  }

  private serial(task: () => Promise<unknown>): Promise<void> {
    const run = this.io.then(task).then(
      () => undefined,
      (err: unknown) => {
        throw asSpoolError(err, this.dir);
      },
    );
    // A failed write is reported to its caller; later writes still run.
    this.io = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads what the last run left: acknowledged ids first, then the segments in order, keeping
   * items neither acknowledged nor expired; then writes them back as one fresh segment so the
   * directory holds nothing stale.
   *
   * A `.tmp` file is a rewrite (of a segment, of the acks, or recovery's fresh segment) cut by
   * a kill before its rename; the rename is atomic, so the file it was to replace (or, for a
   * fresh segment, the segments it was made from) is still there and whole, and still the
   * truth: the `.tmp` may be cut short, and holds nothing that file lacks but acks not yet
   * reported written. It is deleted, never completed.
   */
  private async recover(): Promise<void> {
    const now = this.clock();
    // Every failure names its file as the spool's other file errors do (a start on a full disk).
    for (const name of await onFile(this.dir, readdir(this.dir), 'cannot read')) {
      const path = join(this.dir, name);
      if (TEMP_FILE.test(name)) await onFile(path, unlink(path).catch(ignoreMissing), 'cannot delete');
    }
    const acksText = await onFile(this.acksPath, readFile(this.acksPath, 'utf8').catch(emptyIfMissing), 'cannot read');
    // every acknowledged id skips its line below, its memory past or not: an item delivered
    // before a crash left its line in a segment was counted as expired undelivered
    const ackedEver = new Set<string>();
    for (const line of acksText.split('\n')) {
      if (line === '') continue;
      const parsed = parseJson(line);
      if (isRecord(parsed) && typeof parsed.id === 'string' && typeof parsed.until === 'number') {
        ackedEver.add(parsed.id);
        if (parsed.until > now) this.acked.set(parsed.id, parsed.until);
      } else this.stats.unreadableLines++;
    }
    const names = (await onFile(this.dir, readdir(this.dir), 'cannot read')).filter((n) => SEGMENT_FILE.test(n));
    const numbered = names.map((n) => Number(SEGMENT_FILE.exec(n)![1])).sort((a, b) => a - b);
    const recovered: SpoolEntry[] = [];
    const seen = new Set<string>();
    for (const n of numbered) {
      const text = await onFile(this.segmentPath(n), readFile(this.segmentPath(n), 'utf8'), 'cannot read');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const parsed = parseJson(line);
        if (!isSpoolEntry(parsed)) {
          this.stats.unreadableLines++;
          continue;
        }
        if (seen.has(parsed.id) || ackedEver.has(parsed.id)) continue;
        seen.add(parsed.id);
        if (this.isExpired(parsed, now)) {
          this.stats.expired++;
          this.onDiscard?.(parsed.id, 'expired');
          continue;
        }
        recovered.push(parsed);
      }
    }
    // a limit lower than the last run's: the oldest go, as they would have at append
    while (recovered.length > this.maxItems) {
      const oldest = recovered.shift()!;
      this.stats.overflowed++;
      this.onDiscard?.(oldest.id, 'overflow');
    }
    this.activeSegment = (numbered.at(-1) ?? 0) + 1;
    const segment = this.activeSegment;
    const lines = recovered.map(lineOf);
    const text = lines.join('');
    if (recovered.length > 0) {
      const path = this.segmentPath(segment);
      try {
        await onFile(`${path}.tmp`, writeFile(`${path}.tmp`, text));
        await onFile(path, rename(`${path}.tmp`, path));
      } catch (err) {
        // The segments read stand, and the next start reads them again. What the write took of
        // the fresh one goes now: item bodies left until that start, which may be past their expiry.
        await unlink(`${path}.tmp`).catch(() => undefined);
        throw err;
      }
    }
    recovered.forEach((e, i) => {
      const bytes = Buffer.byteLength(lines[i]!);
      this.pending.set(e.id, { id: e.id, expiresAt: e.expiresAt, spooledAt: e.spooledAt, body: e.body, segment, bytes });
      this.dueAt = Math.min(this.dueAt, this.expiryOf(e));
      this.segmentOf(segment).live++;
      this.segmentOf(segment).liveBytes += bytes;
    });
    this.activeBytes = Buffer.byteLength(text);
    for (const n of numbered) await onFile(this.segmentPath(n), unlink(this.segmentPath(n)).catch(ignoreMissing), 'cannot delete');
    await this.rewriteAcks();
    this.acksWrittenEmpty = acksText === '' && this.acked.size === 0;
  }

  private async rewriteAcks(): Promise<void> {
    this.ackLines = this.acked.size;
    await this.serial(async () => {
      const text = [...this.acked].map(([id, until]) => JSON.stringify({ id, until }) + '\n').join('');
      const acks = this.acksPath;
      const tmp = `${acks}.tmp`;
      try {
        await onFile(tmp, writeFile(tmp, text));
        await onFile(acks, rename(tmp, acks), 'cannot rewrite');
        this.strayTemps.delete(tmp);
      } catch (err) {
        // the acks file stands; what was written of its copy goes, as a segment rewrite's does
        await this.dropTemp(tmp);
        throw err;
      }
      // every id in memory is on disk now, those whose append failed too
      this.acksUnwritten = false;
      this.torn.delete(acks);
    });
  }
}

/**
 * Cuts a file back to the end of its last whole line (to nothing when it holds none): what an
 * append the disk took only part of left after it goes. The torn part is at most the failed
 * append's text, so reading back from the end finds the newline in a step or two. A file gone
 * holds nothing, and one that is not a regular file (a device) no line to cut: both are left be.
 */
async function cutTornLine(path: string): Promise<void> {
  const handle = await open(path, 'r+').catch(ignoreMissing);
  if (handle === undefined) return;
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size === 0) return;
    const chunk = Buffer.allocUnsafe(Math.min(stat.size, 1 << 16));
    for (let end = stat.size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at >= 0) {
        if (start + at + 1 < stat.size) await handle.truncate(start + at + 1);
        return;
      }
      end = start;
    }
    await handle.truncate(0);
  } finally {
    await handle.close();
  }
}

/** The refusal of a second spool on a folder, in one line (as the NDJSON outputs' `<base>.lock` says it). */
function spoolTaken(dir: string, owner: string): string {
  return `${dir}: the spool is being used by another exporter (${owner}, ${join(dir, LOCK_FILE)}): give each service its own --spool (delete the lock if no such service runs)`;
}

/** An item's line in a segment file. */
function lineOf(e: SpoolEntry): string {
  return JSON.stringify({ id: e.id, expiresAt: e.expiresAt, spooledAt: e.spooledAt, body: e.body }) + '\n';
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isSpoolEntry(value: unknown): value is SpoolEntry {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    (value.expiresAt === null || typeof value.expiresAt === 'number') &&
    typeof value.spooledAt === 'number' &&
    typeof value.body === 'string'
  );
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

function emptyIfMissing(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return '';
  throw err;
}
