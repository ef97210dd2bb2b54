/**
 * README's Performance table is the table `npm run bench` wrote (bench/results/<stamp>.md) for
 * the results file it names, row for row. It was quoted by hand from a run seven rounds of
 * changes before bench/results/latest.json, on an older capture, and said otherwise on 8 of 8
 * headline rows (`--workers 1` 1.27 M packets/s and 17.9× tshark against 1.07 M and 14.4×).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownTable, type BenchFigure } from '../../bench/report.js';

const REPO = process.cwd();
const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');

describe("README's Performance table", () => {
  const section = readme.slice(readme.indexOf('## Performance'));
  const start = section.indexOf('| suite | benchmark |');
  const table = section.slice(start, section.indexOf('\n\n', start) + 1);
  const named = /`(bench\/results\/[0-9TZ-]+\.json)`/.exec(section.slice(start + table.length))?.[1];

  it('names the results file it quotes, right after it', () => {
    expect(start).toBeGreaterThan(0);
    expect(named).toBeDefined();
  });

  it('is that file’s table, as the bench wrote it', () => {
    const figures = (JSON.parse(readFileSync(path.join(REPO, named!), 'utf8')) as { figures: BenchFigure[] }).figures;
    expect(table).toBe(markdownTable(figures));
    expect(readFileSync(path.join(REPO, named!.replace(/\.json$/, '.md')), 'utf8')).toBe(table);
  });
});

describe('markdownTable', () => {
  it('writes one row per figure, a | inside a cell escaped', () => {
    const t = markdownTable([{ suite: 's', name: 'a | b', value: 1.5e6, unit: 'packets/s', ratio: { to: 'walk', value: 0.125 }, note: 'n' }]);
    expect(t).toBe('| suite | benchmark | result | ratio | note |\n| --- | --- | --- | --- | --- |\n| s | a \\| b | 1.50 M packets/s | 0.13× walk | n |\n');
  });
});
