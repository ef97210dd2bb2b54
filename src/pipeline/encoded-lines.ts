/**
 * Output lines as a shard thread hands them back to the main thread: sorted by (frame, key) and
 * encoded, each line as UTF-8 followed by its newline, into one byte array.
 *
 * A thread's lines reached the main thread as strings before. Tens of thousands of export lines
 * (~5 MB for the 1 M-packet bench capture) were then made again as strings in the main thread's
 * heap, lived there until their batch was written (surviving young-generation collections, so
 * copied and promoted), and were encoded to UTF-8 only then. As bytes they are one buffer per
 * batch outside the heap, copied into the file's write buffer as they are.
 */
import type { OutputLine } from './media-core.js';

export interface EncodedLines {
  count: number;
  /** every line's UTF-8 bytes and its newline, one after the other */
  bytes: Uint8Array;
  /** where each line ends in `bytes`, past its newline */
  ends: Uint32Array;
  /**
   * Each line's frame and key, to merge the lines with other shards'. Null when the shard is
   * alone: its lines are already in output order.
   */
  frames: Float64Array | null;
  keys: string[] | null;
}

/** A shard's lines of one kind in a batch: in-thread as made, from a thread encoded. */
export type ShardLines = OutputLine[] | EncodedLines;

/** Whole lines, bytes[start, end), `lines` of them. */
export interface ByteRun {
  bytes: Uint8Array;
  start: number;
  end: number;
  lines: number;
}

/** Output order: by frame, then by key. */
export function byFrameThenKey(a: OutputLine, b: OutputLine): number {
  return a.frame - b.frame || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function isTextLines(lines: ShardLines): lines is OutputLine[] {
  return Array.isArray(lines);
}

/** Where a shard thread encodes its lines before they are copied out at their size. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Sorts `lines` (in place, stably) into output order and encodes them. `withKeys`: keep each
 * line's frame and key, for a merge with other shards' lines.
 */
export function encodeLines(lines: OutputLine[], withKeys: boolean): EncodedLines {
  lines.sort(byFrameThenKey);
  const n = lines.length;
  const ends = new Uint32Array(n);
  const frames = withKeys ? new Float64Array(n) : null;
  const keys = withKeys ? new Array<string>(n) : null;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const line = lines[i]!;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 for 2)
    const worst = line.text.length * 3 + 1;
    if (worst > scratch.length - used) {
      const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, used + worst));
      scratch.copy(grown, 0, 0, used);
      scratch = grown;
    }
    used += scratch.write(line.text, used, 'utf8');
    scratch[used++] = 0x0a;
    ends[i] = used;
    if (frames !== null) {
      frames[i] = line.frame;
      keys![i] = line.key;
    }
  }
  // a copy at its size: a view of the scratch would take the whole scratch buffer along
  const bytes = new Uint8Array(used);
  bytes.set(scratch.subarray(0, used));
  return { count: n, bytes, ends, frames, keys };
}

/**
 * The shards' lines of one batch in output order, as runs of consecutive lines from one shard.
 * Where two shards have a line with the same frame and key, the lower shard's comes first: the
 * order a stable sort of all the lines, shard after shard, gives.
 */
export function mergedRuns(parts: readonly EncodedLines[]): ByteRun[] {
  const live = parts.filter((p) => p.count > 0);
  if (live.length === 0) return [];
  if (live.length === 1) {
    const p = live[0]!;
    return [{ bytes: p.bytes, start: 0, end: p.bytes.length, lines: p.count }];
  }
  const next = new Array<number>(live.length).fill(0);
  const runs: ByteRun[] = [];
  let last = -1;
  for (;;) {
    // the part whose next line comes first (few parts: a scan beats a heap)
    let best = -1;
    for (let s = 0; s < live.length; s++) {
      const i = next[s]!;
      if (i >= live[s]!.count) continue;
      if (best < 0 || before(live[s]!, i, live[best]!, next[best]!)) best = s;
    }
    if (best < 0) return runs;
    const p = live[best]!;
    const i = next[best]!++;
    const start = i === 0 ? 0 : p.ends[i - 1]!;
    if (best === last) {
      const run = runs[runs.length - 1]!;
      run.end = p.ends[i]!;
      run.lines++;
    } else runs.push({ bytes: p.bytes, start, end: p.ends[i]!, lines: 1 });
    last = best;
  }
}

/** Whether line i of a comes strictly before line j of b (a tie keeps the earlier part first). */
function before(a: EncodedLines, i: number, b: EncodedLines, j: number): boolean {
  if (a.frames === null || b.frames === null) throw new Error('encoded lines of several shards need their frames and keys');
  const fa = a.frames[i]!;
  const fb = b.frames[j]!;
  if (fa !== fb) return fa < fb;
  return a.keys![i]! < b.keys![j]!;
}

const decoder = new TextDecoder();

/** The runs' lines as strings, without their newlines. */
export function decodeRuns(runs: readonly ByteRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    let at = run.start;
    while (at < run.end) {
      const nl = run.bytes.indexOf(0x0a, at);
      lines.push(decoder.decode(run.bytes.subarray(at, nl)));
      at = nl + 1;
    }
  }
  return lines;
}
