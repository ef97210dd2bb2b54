/**
 * A delivery spool on disk: items wait here until the receiver acknowledges them, across
 * restarts. The directory holds NDJSON segment files (`segment-<n>.ndjson`, one item a line)
 * and `acks.ndjson` (the ids of acknowledged items, kept as long as the item could come
 * again so that a rerun never delivers it twice).
 *
 * Retention is enforced here, not only at delivery: an item past its `expiresAt` is removed
 * from memory and its bytes from disk (the segment is rewritten without it), so the spool
 * never keeps telemetry longer than the preferences allow (SPEC §4).
 */
import { appendFile, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { makeDir } from './make-dir.js';
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
}

const SEGMENT_FILE = /^segment-(\d+)\.ndjson$/;
const ACKS_FILE = 'acks.ndjson';

export class SpoolFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`spool ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SpoolFileError';
  }
}

export class DiskSpool {
  /** pending items in spool order (Map keeps insertion order) */
  private readonly pending = new Map<string, StoredEntry>();
  /** settled (acknowledged, refused, overflowed) id → until when to remember it */
  private readonly acked = new Map<string, number>();
  private readonly liveInSegment = new Map<number, number>();
  private activeSegment = 0;
  private activeBytes = 0;
  private ackLines = 0;
  private io: Promise<void> = Promise.resolve();
  private readonly unwritten = new Map<string, string[]>();
  private unwrittenFlush: Promise<void> | undefined;
  readonly stats: SpoolStats = { spooled: 0, acknowledged: 0, expired: 0, discarded: 0, duplicates: 0, overflowed: 0, unreadableLines: 0 };
  private readonly segmentBytes: number;
  private readonly maxAgeSec: number;
  private readonly maxItems: number;
  readonly clock: () => number;

  private constructor(
    readonly dir: string,
    opts: DiskSpoolOptions,
  ) {
    this.segmentBytes = opts.segmentBytes ?? 1 << 20;
    this.maxAgeSec = opts.maxAgeSec ?? 86_400;
    this.maxItems = opts.maxItems ?? 100_000;
    this.clock = opts.clock ?? (() => Date.now() / 1000);
  }

  /** Opens (creating) the spool directory and takes up what a previous run left. */
  static async open(dir: string, opts: DiskSpoolOptions = {}): Promise<DiskSpool> {
    const spool = new DiskSpool(dir, opts);
    await makeDir(dir);
    await spool.recover();
    return spool;
  }

  get size(): number {
    return this.pending.size;
  }

  /** true when the id is waiting or was acknowledged (so sending it again would duplicate it). */
  knows(id: string): boolean {
    return this.pending.has(id) || this.acked.has(id);
  }

  /** Oldest waiting item that has not expired. */
  head(): SpoolEntry | undefined {
    return this.firstWaiting(() => true);
  }

  /** Oldest waiting item that has not expired and that `wanted` accepts (e.g. not in flight). */
  firstWaiting(wanted: (id: string) => boolean): SpoolEntry | undefined {
    const now = this.clock();
    for (const entry of this.pending.values()) {
      if (wanted(entry.id) && !this.isExpired(entry, now)) return entry;
    }
    return undefined;
  }

  /** Writes an item; false when it was a duplicate or already expired (nothing written). */
  append(entry: Omit<SpoolEntry, 'spooledAt'>): Promise<boolean> {
    if (this.knows(entry.id)) {
      this.stats.duplicates++;
      return Promise.resolve(false);
    }
    const stored: StoredEntry = { ...entry, spooledAt: this.clock(), segment: this.activeSegment };
    if (this.isExpired(stored, stored.spooledAt)) {
      this.stats.expired++;
      return Promise.resolve(false);
    }
    const line = JSON.stringify({ id: stored.id, expiresAt: stored.expiresAt, spooledAt: stored.spooledAt, body: stored.body }) + '\n';
    const segment = this.activeSegment;
    this.activeBytes += Buffer.byteLength(line);
    if (this.activeBytes >= this.segmentBytes) this.startSegment();
    this.pending.set(stored.id, stored);
    this.liveInSegment.set(segment, (this.liveInSegment.get(segment) ?? 0) + 1);
    this.stats.spooled++;
    const written = this.appendLine(this.segmentPath(segment), line);
    if (this.pending.size > this.maxItems) {
      const oldest = this.pending.values().next().value!;
      this.stats.overflowed++;
      void this.settle(oldest);
    }
    return written.then(() => true);
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
   * the segments, so the item is not taken up again even while its line is still on disk.
   */
  private async settle(entry: StoredEntry): Promise<void> {
    const until = entry.expiresAt ?? entry.spooledAt + this.maxAgeSec;
    this.acked.set(entry.id, until);
    this.ackLines++;
    const written = this.appendLine(join(this.dir, ACKS_FILE), JSON.stringify({ id: entry.id, until }) + '\n');
    await Promise.all([written, this.remove(entry, false)]);
    if (this.ackLines > 2 * this.acked.size + 1000) await this.rewriteAcks();
  }

  /** Removes every item past its time, from memory and disk; returns how many. */
  async expire(): Promise<number> {
    const now = this.clock();
    const gone: StoredEntry[] = [];
    for (const entry of this.pending.values()) if (this.isExpired(entry, now)) gone.push(entry);
    const touched = new Set<number>();
    for (const entry of gone) {
      this.pending.delete(entry.id);
      this.stats.expired++;
      touched.add(entry.segment);
      this.liveInSegment.set(entry.segment, (this.liveInSegment.get(entry.segment) ?? 1) - 1);
    }
    for (const segment of touched) await this.settleSegment(segment, true);
    for (const [id, until] of this.acked) if (until <= now) this.acked.delete(id);
    return gone.length;
  }

  /** Resolves once every write so far is on disk. */
  async drained(): Promise<void> {
    await this.io;
  }

  private isExpired(entry: SpoolEntry, now: number): boolean {
    return (entry.expiresAt ?? entry.spooledAt + this.maxAgeSec) <= now;
  }

  private async remove(entry: StoredEntry, expiredBytesLeft: boolean): Promise<void> {
    if (!this.pending.delete(entry.id)) return;
    this.liveInSegment.set(entry.segment, (this.liveInSegment.get(entry.segment) ?? 1) - 1);
    await this.settleSegment(entry.segment, expiredBytesLeft);
  }

  /**
   * A segment with no live items is deleted; one still holding live items but also expired
   * ones is rewritten with the live ones only, so expired bytes leave the disk at once.
   */
  private async settleSegment(segment: number, hasExpiredBytes: boolean): Promise<void> {
    const live = this.liveInSegment.get(segment) ?? 0;
    const path = this.segmentPath(segment);
    if (live <= 0) {
      this.liveInSegment.delete(segment);
      if (segment === this.activeSegment) this.startSegment();
      await this.serial(() => unlink(path).catch(ignoreMissing));
      return;
    }
    if (!hasExpiredBytes) return;
    // New items go elsewhere, so the rewrite below is the segment's last write.
    if (segment === this.activeSegment) this.startSegment();
    await this.serial(async () => {
      // The text is taken when the write runs, after every earlier append reached the file.
      let text = '';
      for (const e of this.pending.values()) {
        if (e.segment === segment) text += JSON.stringify({ id: e.id, expiresAt: e.expiresAt, spooledAt: e.spooledAt, body: e.body }) + '\n';
      }
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
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
   * item, which is what lets a burst of exports be spooled at disk speed.
   */
  private appendLine(path: string, line: string): Promise<void> {
    let lines = this.unwritten.get(path);
    if (!lines) {
      lines = [];
      this.unwritten.set(path, lines);
    }
    lines.push(line);
    this.unwrittenFlush ??= this.serial(async () => {
      const batch = [...this.unwritten];
      this.unwritten.clear();
      this.unwrittenFlush = undefined;
      for (const [file, text] of batch) await appendFile(file, text.join(''));
    });
    return this.unwrittenFlush;
  }

  private serial(task: () => Promise<unknown>): Promise<void> {
    const run = this.io.then(task).then(
      () => undefined,
      (err: unknown) => {
        throw new SpoolFileError(this.dir, err);
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
   */
  private async recover(): Promise<void> {
    const now = this.clock();
    const acksText = await readFile(join(this.dir, ACKS_FILE), 'utf8').catch(emptyIfMissing);
    for (const line of acksText.split('\n')) {
      if (line === '') continue;
      const parsed = parseJson(line);
      if (isRecord(parsed) && typeof parsed.id === 'string' && typeof parsed.until === 'number') {
        if (parsed.until > now) this.acked.set(parsed.id, parsed.until);
      } else this.stats.unreadableLines++;
    }
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_FILE.test(n));
    const numbered = names.map((n) => Number(SEGMENT_FILE.exec(n)![1])).sort((a, b) => a - b);
    const recovered: SpoolEntry[] = [];
    const seen = new Set<string>();
    for (const n of numbered) {
      const text = await readFile(this.segmentPath(n), 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const parsed = parseJson(line);
        if (!isSpoolEntry(parsed)) {
          this.stats.unreadableLines++;
          continue;
        }
        if (seen.has(parsed.id) || this.acked.has(parsed.id)) continue;
        seen.add(parsed.id);
        if (this.isExpired(parsed, now)) {
          this.stats.expired++;
          continue;
        }
        recovered.push(parsed);
      }
    }
    this.activeSegment = (numbered.at(-1) ?? 0) + 1;
    const segment = this.activeSegment;
    const text = recovered.map((e) => JSON.stringify({ id: e.id, expiresAt: e.expiresAt, spooledAt: e.spooledAt, body: e.body }) + '\n').join('');
    if (recovered.length > 0) {
      await writeFile(`${this.segmentPath(segment)}.tmp`, text);
      await rename(`${this.segmentPath(segment)}.tmp`, this.segmentPath(segment));
    }
    for (const e of recovered) this.pending.set(e.id, { ...e, segment });
    if (recovered.length > 0) this.liveInSegment.set(segment, recovered.length);
    this.activeBytes = Buffer.byteLength(text);
    for (const n of numbered) await unlink(this.segmentPath(n)).catch(ignoreMissing);
    await this.rewriteAcks();
  }

  private async rewriteAcks(): Promise<void> {
    this.ackLines = this.acked.size;
    await this.serial(async () => {
      const text = [...this.acked].map(([id, until]) => JSON.stringify({ id, until }) + '\n').join('');
      await writeFile(join(this.dir, `${ACKS_FILE}.tmp`), text);
      await rename(join(this.dir, `${ACKS_FILE}.tmp`), join(this.dir, ACKS_FILE));
    });
  }
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
