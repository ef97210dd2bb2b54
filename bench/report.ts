import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One figure a benchmark measured. `value` is in `unit`; `ratio` compares it with a named baseline. */
export interface BenchFigure {
  suite: string;
  name: string;
  value: number;
  unit: string;
  ratio?: { to: string; value: number };
  note?: string;
}

export function machineDescription(): { cpu: string; cores: number; memoryGiB: number; node: string; platform: string } {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

function formatValue(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(v >= 100 ? 0 : 2);
}

const TABLE_HEAD = ['suite', 'benchmark', 'result', 'ratio', 'note'];

/**
 * Two decimals from 1 up; below 1, two significant figures, which two decimals lose (a 0.0043
 * ratio printed 0.00×, 0.0479 printed 0.05×). Fixed notation, never an exponent.
 */
function formatRatio(v: number): string {
  // rounded first, so that 0.0999 shows as 0.10, not 0.100
  const rounded = Number(v.toPrecision(2));
  if (rounded >= 1 || rounded <= 0 || !Number.isFinite(rounded)) return v.toFixed(2);
  return rounded.toFixed(Math.min(20, Math.max(2, 1 - Math.floor(Math.log10(rounded)))));
}

/** A figure as the table's cells: suite, benchmark, result, ratio, note. */
function cells(f: BenchFigure): string[] {
  return [f.suite, f.name, `${formatValue(f.value)} ${f.unit}`, f.ratio ? `${formatRatio(f.ratio.value)}× ${f.ratio.to}` : '', f.note ?? ''];
}

/**
 * The same table in Markdown, as the README's Performance section quotes it (written beside the
 * JSON as <stamp>.md; test/bench/readme-table.test.ts holds the README to the file it names).
 */
export function markdownTable(figures: readonly BenchFigure[]): string {
  const row = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [row(TABLE_HEAD), row(TABLE_HEAD.map(() => '---')), ...figures.map((f) => row(cells(f)))].join('\n') + '\n';
}

/** Prints the figures as a table on stdout. */
export function printTable(figures: BenchFigure[]): void {
  const rows = figures.map(cells);
  const head = TABLE_HEAD;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Writes the figures with the machine they ran on to bench/results/<stamp>.json and latest.json, and the table to <stamp>.md. */
export async function writeResults(dir: string, figures: BenchFigure[], context: Record<string, unknown> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const doc = { date: new Date().toISOString(), machine: machineDescription(), ...context, figures };
  const text = JSON.stringify(doc, null, 2) + '\n';
  const file = path.join(dir, `${doc.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, text);
  await writeFile(path.join(dir, 'latest.json'), text);
  await writeFile(file.replace(/\.json$/, '.md'), markdownTable(figures));
  return file;
}
