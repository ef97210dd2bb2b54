import { describe, expect, it } from 'vitest';
import { byFrameThenKey, decodeRuns, encodeLines, mergedRuns, type EncodedLines } from '../../src/pipeline/encoded-lines.js';
import type { OutputLine } from '../../src/pipeline/media-core.js';

/** What the engine wrote before lines were encoded: every shard's lines, shard after shard, stably sorted. */
function sortedTexts(shards: OutputLine[][]): string[] {
  return shards.flat().sort(byFrameThenKey).map((l) => l.text);
}

/** Deterministic lines: frames and keys that tie within and across shards, texts of every UTF-8 width. */
function shardLines(seed: number, n: number): OutputLine[] {
  let x = seed;
  const rnd = (m: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % m;
  };
  const texts = ['{"a":1}', '{"t":"caf\u00e9"}', '{"t":"\u65e5\u672c"}', '{"t":"\ud83d\udcde"}', '{"t":"' + 'z'.repeat(2000) + '"}'];
  return Array.from({ length: n }, (_, i) => ({
    frame: rnd(40),
    key: ['i0', 'i1', 'i1w', 'w~a', 'm000001'][rnd(5)]!,
    text: `${texts[rnd(texts.length)]!.slice(0, -1)},"shard":${seed},"n":${i}}`,
  }));
}

describe('encoded lines', () => {
  it('one shard: its lines in output order, as one run of UTF-8 lines with their newlines', () => {
    const lines = shardLines(1, 300);
    const want = sortedTexts([lines]);
    const encoded = encodeLines([...lines], false);
    expect(encoded.frames).toBeNull();
    const runs = mergedRuns([encoded]);
    expect(runs).toHaveLength(1);
    expect(Buffer.from(runs[0]!.bytes.subarray(runs[0]!.start, runs[0]!.end)).toString('utf8')).toBe(want.map((t) => t + '\n').join(''));
    expect(decodeRuns(runs)).toEqual(want);
    // the scratch buffer grew past its first size (2000-character lines): what came before it is intact
    expect(encoded.bytes.length).toBeGreaterThan(64 * 1024);
  });

  it('several shards merge into the order a stable sort of all their lines gives, ties going to the lower shard', () => {
    for (const sizes of [[50, 50], [0, 120, 3], [200, 1, 0, 90], [0, 0]]) {
      const shards = sizes.map((n, s) => shardLines(s + 7, n));
      const want = sortedTexts(shards);
      const encoded: EncodedLines[] = shards.map((l) => encodeLines([...l], true));
      const runs = mergedRuns(encoded);
      expect(decodeRuns(runs)).toEqual(want);
      expect(runs.reduce((n, r) => n + r.lines, 0)).toBe(want.length);
      // consecutive lines of one shard go out as one run
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.bytes === runs[i - 1]!.bytes && runs[i]!.start === runs[i - 1]!.end).toBe(false);
    }
  });

  it('merging shards whose lines were encoded without their frames and keys is refused', () => {
    const a = encodeLines(shardLines(1, 3), false);
    const b = encodeLines(shardLines(2, 3), false);
    expect(() => mergedRuns([a, b])).toThrow(/frames and keys/);
  });
});
