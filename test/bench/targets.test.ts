/**
 * The bench's target rows. The memory target is the for the 1 M-packet capture and for
 * one ten times larger: with `--large`, the large replays get a row of their own (the row took
 * the 1 M-packet series alone — 125 MB "met" in 2026-12-04T02-34-04 while the large series
 * peaked at 240 MB, and a large replay past 250 MB would still have read "met").
 */
import { describe, expect, it } from 'vitest';
import { targetFigures, type SeriesFigures } from '../../bench/targets.js';

const series = (rss: [number, number, number], rate = 1e6): SeriesFigures[] =>
  [0, 1, undefined].map((workers, i) => ({ label: `w${workers ?? 'default'}`, workers, median: { packetsPerSec: rate + i }, peakRssMB: rss[i]! }));

describe('targetFigures', () => {
  it('gives the 10× capture its own memory row, from its own worst replay', () => {
    const rows = targetFigures({ series: series([100, 110, 120]), walkRecordsPerSec: 1e7, tsharkPacketsPerSec: 7e4, largeSeries: series([150, 200, 300]) });
    const rss = rows.filter((r) => r.name.startsWith('peak RSS'));
    expect(rss.map((r) => [r.name, r.value, r.note])).toEqual([
      ['peak RSS < 250 MB (worst: wdefault)', 120, 'met; 0: 100, 1: 110, default: 120 MB'],
      ['peak RSS < 250 MB, 10× capture (worst: wdefault)', 300, 'NOT met; 0: 150, 1: 200, default: 300 MB'],
    ]);
  });

  it('without --large, one memory row; without tshark, no tshark row; the best rate against 2 M/s and a third of the walk', () => {
    const rows = targetFigures({ series: series([100, 110, 120], 2.5e6), walkRecordsPerSec: 6e6, tsharkPacketsPerSec: null, largeSeries: null });
    expect(rows.map((r) => [r.name, r.note])).toEqual([
      ['replay ≥ 2 M packets/s (best: wdefault)', 'met'],
      ['replay ≥ 1/3 of the record walk (best: wdefault)', 'met'],
      ['peak RSS < 250 MB (worst: wdefault)', 'met; 0: 100, 1: 110, default: 120 MB'],
    ]);
  });
});
