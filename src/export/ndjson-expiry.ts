/**
 * When the lines of an NDJSON file expire, and the file rewritten without the lines that have
 * (RotatingNdjsonExporter): the enforcer keeps nothing past retention (SPEC §4), and a file holds
 * lines of several retentions — a 90 s raw item beside a 7-day aggregate — so deleting files
 * whole, once their last line has expired, kept the short-lived lines as long as the longest.
 *
 * A file is rewritten, not at each line's expiry, but once the line that expires first is its
 * `spread` past expiry: the spread of the capture times (`ts`) of its lines that expire. Lines of
 * one retention written over that spread expire over it too, so each rewrite takes every line of
 * at least the retention that expired first: a file is rewritten at most about once per distinct
 * retention among its lines, and no line stays longer past its expiry than the file's spread —
 * what deleting a file of one retention whole, at its last line's expiry, always meant for its
 * first line. Lines written together (a spread of 0) go at their expiry.
 */
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';

/** What a file's lines say of their expiry, added up line by line. */
export class FileExpiry {
  /** the latest expiresAt of its lines; Infinity once a line had none (or could not be read) */
  latest = Number.NEGATIVE_INFINITY;
  /** the earliest expiresAt among its lines that have one */
  earliest = Number.POSITIVE_INFINITY;
  private tsMin = Number.POSITIVE_INFINITY;
  private tsMax = Number.NEGATIVE_INFINITY;
  /** a line that expires but has no capture time: its spread is unknown, so it is never rewritten */
  private spreadUnknown = false;

  /** A line: its expiresAt (null: it never expires), and its capture time (null: unknown). */
  add(expiresAt: number | null, ts: number | null): void {
    if (expiresAt === null || !Number.isFinite(expiresAt)) {
      this.latest = Number.POSITIVE_INFINITY;
      return;
    }
    if (expiresAt > this.latest) this.latest = expiresAt;
    if (expiresAt < this.earliest) this.earliest = expiresAt;
    if (ts === null || !Number.isFinite(ts)) this.spreadUnknown = true;
    else {
      if (ts < this.tsMin) this.tsMin = ts;
      if (ts > this.tsMax) this.tsMax = ts;
    }
  }

  /** Lines that cannot be read: they keep the file, and nothing in it is rewritten. */
  unreadable(): void {
    this.latest = Number.POSITIVE_INFINITY;
    this.spreadUnknown = true;
  }

  /** Nothing in the file is rewritten any more (a line in it cannot be read back); it still goes whole at `latest`. */
  stopRewriting(): void {
    this.spreadUnknown = true;
  }

  /** When the file is due to be rewritten without its expired lines (Infinity: never). */
  get rewriteAt(): number {
    if (this.earliest === Number.POSITIVE_INFINITY || this.spreadUnknown) return Number.POSITIVE_INFINITY;
    return this.earliest + (this.tsMax - this.tsMin);
  }

  /** When something is due: the file's deletion (every line expired) or its rewrite. */
  get dueAt(): number {
    return Math.min(this.latest, this.rewriteAt);
  }
}

/**
 * The longest line a scan or a rewrite reads: far above any line the enforcer writes (one record,
 * a report or a decision: kilobytes), far below what would strain memory. A longer one is not one
 * of ours: like a line that is not JSON it keeps the file (what the enforcer cannot read, it does
 * not delete), and nothing in that file is rewritten.
 */
const MAX_LINE_BYTES = 16 << 20;

/**
 * Each line of a regular file, in one streamed pass (memory: one line, at most MAX_LINE_BYTES),
 * with whether it ended with a newline. Returns false when a line was longer than MAX_LINE_BYTES
 * (the pass stops there) or `stop()` said to stop, else true. A file that is not a regular file
 * (replaced since it was listed) is an error naming it.
 */
async function eachLine(path: string, line: (bytes: Buffer, newline: boolean) => void | Promise<void>, stop: () => boolean): Promise<boolean> {
  // O_NONBLOCK: a FIFO put in the file's place since the listing opens at once rather than
  // waiting for a writer (no effect on a regular file); fstat then refuses it
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${path}: not a regular file: left as it is (not read for its expiry, not deleted)`);
    const chunk = Buffer.allocUnsafe(1 << 16);
    /** the line being read: its pieces so far (a line may span chunks) */
    const pieces: Buffer[] = [];
    let pieceBytes = 0;
    for (let position = 0; ; ) {
      if (stop()) return false;
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let from = 0;
      for (let nl = chunk.indexOf(0x0a, from); nl !== -1 && nl < bytesRead; nl = chunk.indexOf(0x0a, from)) {
        if (pieceBytes + nl - from > MAX_LINE_BYTES) return false;
        let whole: Buffer;
        if (pieces.length === 0) whole = chunk.subarray(from, nl + 1);
        else {
          pieces.push(chunk.subarray(from, nl + 1));
          whole = Buffer.concat(pieces);
          pieces.length = 0;
          pieceBytes = 0;
        }
        await line(whole, true);
        from = nl + 1;
      }
      if (from < bytesRead) {
        pieceBytes += bytesRead - from;
        if (pieceBytes > MAX_LINE_BYTES) return false;
        // copied: the chunk is read into again
        pieces.push(Buffer.from(chunk.subarray(from, bytesRead)));
      }
    }
    if (pieces.length > 0) await line(Buffer.concat(pieces), false);
    return true;
  } finally {
    await handle.close();
  }
}

/** A line's expiresAt (null: none, or not JSON) and capture time; `json` false when it is not JSON. */
function readLine(bytes: Buffer, newline: boolean): { json: boolean; expiresAt: number | null; ts: number | null } {
  let end = newline ? bytes.length - 1 : bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8', 0, end));
  } catch {
    return { json: false, expiresAt: null, ts: null };
  }
  if (typeof value !== 'object' || value === null) return { json: true, expiresAt: null, ts: null };
  const fields = value as { expiresAt?: unknown; ts?: unknown };
  return { json: true, expiresAt: typeof fields.expiresAt === 'number' ? fields.expiresAt : null, ts: typeof fields.ts === 'number' ? fields.ts : null };
}

/** An empty line (a blank between records) holds nothing and keeps nothing. */
function isBlank(bytes: Buffer, newline: boolean): boolean {
  const end = newline ? bytes.length - 1 : bytes.length;
  return end === 0 || (end === 1 && bytes[0] === 0x0d);
}

/**
 * A last line with no newline that is not JSON was torn by a crash mid-write (NdjsonFile writes
 * whole lines): no reader can use its bytes, so it keeps nothing and is not kept.
 */
function isTorn(read: { json: boolean }, newline: boolean): boolean {
  return !newline && !read.json;
}

/**
 * What a file's lines say of their expiry (an earlier run's file, taken over at start); undefined
 * when `stop()` said to stop first. A line without a numeric expiresAt (a report, a decision, one
 * written with none, one that is not JSON) keeps the file; a torn last line does not.
 */
export async function scanExpiry(path: string, stop: () => boolean): Promise<FileExpiry | undefined> {
  const expiry = new FileExpiry();
  const read = await eachLine(
    path,
    (bytes, newline) => {
      if (isBlank(bytes, newline)) return;
      const line = readLine(bytes, newline);
      if (!isTorn(line, newline)) expiry.add(line.expiresAt, line.ts);
    },
    stop,
  );
  if (!read) {
    if (stop()) return undefined;
    expiry.unreadable();
  }
  return expiry;
}

/**
 * A rewrite's outcome: the lines it dropped, and the kept lines' expiry (null: none kept, the file
 * is to be deleted); `unreadable`: a line could not be read back, the file was left as it was (and
 * `expiry` says only what the lines before it did).
 */
export interface Rewritten {
  dropped: number;
  expiry: FileExpiry | null;
  unreadable: boolean;
}

/**
 * Rewrites a file without its lines whose expiresAt is `now` or earlier (written to `<path>.tmp`,
 * then renamed over it, as the spool rewrites its segments), keeping every other line's bytes as
 * they were. When no line is left, nothing is renamed and the caller deletes the file; when none
 * has expired, or a line cannot be read (longer than MAX_LINE_BYTES: `unreadable`), the file is
 * left as it was. On failure what the rewrite wrote is deleted, and the file stands.
 */
export async function rewriteUnexpired(path: string, now: number): Promise<Rewritten> {
  const tmp = `${path}.tmp`;
  let out: FileHandle | undefined;
  const expiry = new FileExpiry();
  let kept = 0;
  let dropped = 0;
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  const drain = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    out ??= await open(tmp, 'w');
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending.length = 0;
    pendingBytes = 0;
    for (let at = 0; at < bytes.length; ) at += (await out.write(bytes, at, bytes.length - at)).bytesWritten;
  };
  try {
    const whole = await eachLine(
      path,
      async (bytes, newline) => {
        if (isBlank(bytes, newline)) return;
        const line = readLine(bytes, newline);
        if (isTorn(line, newline) || (line.expiresAt !== null && line.expiresAt <= now)) {
          dropped++;
          return;
        }
        kept++;
        expiry.add(line.expiresAt, line.ts);
        // copied: the bytes may be a view of the chunk being read into again
        pending.push(Buffer.from(bytes));
        pendingBytes += bytes.length;
        if (pendingBytes >= 1 << 18) await drain();
      },
      () => false,
    );
    if (!whole || kept === 0 || dropped === 0) {
      await out?.close();
      out = undefined;
      await unlink(tmp).catch(() => undefined);
      return { dropped: whole ? dropped : 0, expiry: whole && kept === 0 ? null : expiry, unreadable: !whole };
    }
    await drain();
    await out!.close();
    out = undefined;
    await rename(tmp, path);
    return { dropped, expiry, unreadable: false };
  } catch (err) {
    await out?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The name of a rewrite's temporary file, for the stray ones a crash left (`<base>.<seq>.ndjson.tmp`). */
export function isRewriteTemp(name: string, base: string): boolean {
  return name.startsWith(`${base}.`) && /^\d+\.ndjson\.tmp$/.test(name.slice(base.length + 1));
}
