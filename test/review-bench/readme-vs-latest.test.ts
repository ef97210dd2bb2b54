/**
 * Review: README "Performance" quotes its headline table from bench/results/2026-12-04T02-35-29
 * (a run on an older generator hash, g0f53b5e2ec, seven rounds of changes ago), while
 * bench/results/latest.json (2026-12-04T22-28-28, the current capture g001cfea16f) says
 * otherwise for nearly every row: e.g. `--workers 1` 1.27 M packets/s and 17.9× tshark in the
 * table, 1.07 M and 14.4× in latest.json; live 80.5 k datagrams/s without loss, 40.0 k.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../bench/replay-child.js';

interface Figure {
  suite: string;
  name: string;
  value: number;
  unit: string;
}

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const latest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'bench', 'results', 'latest.json'), 'utf8')) as { figures: Figure[] };

/** the rows of the first table under "## Performance": [benchmark, result, vs walk, note] */
function performanceRows(): string[][] {
  const section = readme.slice(readme.indexOf('## Performance'));
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| benchmark |'));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split('|').slice(1, -1).map((c) => c.trim().replace(/\*\*/g, '')));
  }
  return rows;
}

function parseAmount(text: string): number {
  const m = /([\d.]+)\s*(M|k)?/.exec(text)!;
  return Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1);
}

const PAIRS: [readmeRow: string, figure: string][] = [
  ['bare record walk', 'bare record walk (readCaptureBatches)'],
  ['record walk + packet layers', 'record walk + packet layers (PacketDecoder)'],
  ['replay `--workers 0`', 'replay --workers 0'],
  ['replay `--workers 1`', 'replay --workers 1'],
  ['replay `--workers 2`', 'replay (default workers = 2)'],
  ['naive pipeline on werift', 'naive werift pipeline (RtpPacket + RtcpPacketConverter)'],
  ['RTCP decode (`-Y rtcp`', 'tshark RTCP decode (-Y rtcp, heuristic RTCP)'],
  ['live `--udp` mirror', 'UDP mirror: highest rate with no loss'],
];

describe('README Performance table against bench/results/latest.json (review)', () => {
  it('quotes the figures the latest results file holds', () => {
    const rows = performanceRows();
    const differ: string[] = [];
    for (const [rowLabel, figureName] of PAIRS) {
      const row = rows.find((r) => r[0]!.includes(rowLabel));
      const fig = latest.figures.find((f) => f.name === figureName);
      expect(row, rowLabel).toBeDefined();
      expect(fig, figureName).toBeDefined();
      const quoted = parseAmount(row![1]!);
      // the README rounds to three significant digits: within 1% is the same figure
      if (Math.abs(quoted - fig!.value) / fig!.value > 0.01) differ.push(`${rowLabel}: README ${row![1]}, latest.json ${fig!.value.toPrecision(4)} ${fig!.unit}`);
    }
    expect(differ).toEqual([]);
  });
});
