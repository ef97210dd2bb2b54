import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RotatingNdjsonExporter } from '../../src/export/ndjson-rotating.js';
import { reportLine, telemetryLine } from './lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-rot-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function contents(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of (await readdir(dir)).filter((n) => !n.endsWith('.lock')).sort()) out[name] = (await readFile(join(dir, name), 'utf8')).split('\n').filter((l) => l !== '');
  return out;
}

describe('rotating NDJSON exporter', () => {
  it('rotates by size: no file grows past maxBytes, no line is split, order is kept', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => telemetryLine(i, { ts: 1700000000 + i }));
    const oneLine = Buffer.byteLength(JSON.stringify(lines[0])) + 1;
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxBytes: oneLine * 4 + 10, clock: () => 1700000000 });
    await Promise.all(lines.map((l) => exporter.send(l)));
    await exporter.close();
    const files = await contents();
    expect(Object.keys(files)).toEqual(['exports.000001.ndjson', 'exports.000002.ndjson', 'exports.000003.ndjson', 'exports.000004.ndjson', 'exports.000005.ndjson', 'exports.000006.ndjson', 'exports.000007.ndjson', 'exports.000008.ndjson']);
    for (const name of Object.keys(files)) expect((await readFile(join(dir, name))).length).toBeLessThanOrEqual(oneLine * 4 + 10);
    expect(Object.values(files).flat().map((l) => JSON.parse(l) as unknown)).toEqual(lines);
  });

  it('rotates by age at the next write', async () => {
    let now = 1000;
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'reports', maxAgeSec: 60, clock: () => now });
    await exporter.send(reportLine(1));
    now += 59;
    await exporter.send(reportLine(2));
    now += 1;
    await exporter.send(reportLine(3));
    await exporter.close();
    const files = await contents();
    expect(Object.values(files).map((f) => f.length)).toEqual([2, 1]);
  });

  it('never appends to an earlier run’s files', async () => {
    await writeFile(join(dir, 'exports.000041.ndjson'), '{"old":true}\n');
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await exporter.send(reportLine(1));
    await exporter.close();
    expect(Object.keys(await contents())).toEqual(['exports.000041.ndjson', 'exports.000042.ndjson']);
  });

  it('deletes a closed file once every line in it has expired, and keeps at most maxFiles', async () => {
    let now = 1_700_000_000;
    const deleted: string[] = [];
    const onDelete = (path: string, reason: string) => deleted.push(`${basename(path)} ${reason}`);
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxAgeSec: 10, clock: () => now, onDelete });
    await exporter.send(telemetryLine(1, { ts: now, retentionSec: 30 }));
    await exporter.send(telemetryLine(2, { ts: now, retentionSec: 90 }));
    now += 10;
    await exporter.send(telemetryLine(3, { ts: now, retentionSec: 30 }));
    now += 10;
    await exporter.send(telemetryLine(4, { ts: now, retentionSec: null }));
    expect(exporter.closedPaths).toHaveLength(2);
    now = 1_700_000_000 + 45;
    await exporter.flush();
    // file 1 holds a line living to +90: kept; file 2 expired at +40: deleted
    expect(Object.keys(await contents())).toEqual(['exports.000001.ndjson', 'exports.000003.ndjson']);
    now = 1_700_000_000 + 91;
    await exporter.close();
    // a line without expiresAt keeps its file
    expect(Object.keys(await contents())).toEqual(['exports.000003.ndjson']);

    const bounded = await RotatingNdjsonExporter.open({ dir, base: 'capped', maxBytes: 1, maxFiles: 2, onDelete });
    for (const n of [1, 2, 3, 4]) await bounded.send(reportLine(n));
    await bounded.close();
    expect(Object.keys(await contents()).filter((n) => n.startsWith('capped'))).toEqual(['capped.000003.ndjson', 'capped.000004.ndjson']);
    // every deletion is told (the live service logs it)
    expect(deleted).toEqual(['exports.000002.ndjson expired', 'exports.000001.ndjson expired', 'capped.000001.ndjson max-files', 'capped.000002.ndjson max-files']);
  });
});
