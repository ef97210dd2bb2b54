/**
 * `live --out` rotating NDJSON files and SPEC §4 ("The enforcer itself keeps nothing
 * past retention"); README: "a closed file whose every line has expired is deleted", "Aggregation
 * windows close on time on a silent feed too ... so nothing is held past its window or its
 * retention waiting for traffic", "--max-files keeps the newest".
 * The CLI runs as a child (test/live/live-helpers.ts); RTCP SRs arrive over a plain UDP mirror and
 * the policy's default APT exports them raw with a 2 s retention.
 */
import { describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LiveChild } from '../live/live-helpers.js';
import { liveDeliveryFolder, sendSrs } from './live-fixtures.js';
import { RotatingNdjsonExporter } from '../../src/export/ndjson-rotating.js';
import { telemetryLine } from '../export/lines.js';

const folder = liveDeliveryFolder('aipref-delivery-ndjson-', '2s');

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** Lines of every exports.*.ndjson under `out`, with the file they are in. */
async function exportLines(out: string): Promise<{ file: string; expiresAt: number | null }[]> {
  const lines: { file: string; expiresAt: number | null }[] = [];
  for (const name of (await readdir(out)).filter((n) => n.startsWith('exports.') && n.endsWith('.ndjson'))) {
    for (const t of (await readFile(path.join(out, name), 'utf8')).split('\n')) if (t !== '') lines.push({ file: name, expiresAt: (JSON.parse(t) as { expiresAt: number | null }).expiresAt });
  }
  return lines;
}

async function untilExports(out: string, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await exportLines(out)).length >= n) return;
    await wait(50);
  }
  throw new Error(`fewer than ${n} export lines in ${out}`);
}

describe('NDJSON files and retention (live)', () => {
  it('a silent feed: with --rotate-age 1s no file keeps a line past its expiresAt while the service runs', async () => {
    const out = path.join(folder.dir, 'silent');
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--out', out, '--rotate-age', '1s', '--workers', '0', '--batch-ms', '5']);
    try {
      await sendSrs(addresses.udp!.port, 5, 0x11223344);
      await untilExports(out, 5);
      // the relay goes quiet; 2 s retention + 3 s
      await wait(5000);
      const now = Date.now() / 1000;
      const expired = (await exportLines(out)).filter((l) => l.expiresAt !== null && l.expiresAt <= now);
      expect(expired, `still on disk: ${JSON.stringify(expired)}`).toEqual([]);
    } finally {
      expect(await live.terminate()).toBe(0);
    }
  }, 30_000);

  it('a restart: the files an earlier run left are deleted once their lines have expired', async () => {
    const out = path.join(folder.dir, 'restart');
    const first = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--out', out, '--rotate-age', '1s', '--workers', '0', '--batch-ms', '5']);
    await sendSrs(first.addresses.udp!.port, 3, 0x01010101);
    await untilExports(out, 3);
    expect(await first.live.terminate()).toBe(0); // stopped before the lines expired: the file stays, rightly
    const leftByFirst = (await exportLines(out)).map((l) => l.file);
    expect(leftByFirst.length).toBe(3);

    const second = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--out', out, '--rotate-age', '1s', '--workers', '0', '--batch-ms', '5']);
    try {
      await wait(3000); // the first run's lines are past their expiresAt now
      // traffic keeps coming, so the second run rotates and sweeps its own files
      for (let i = 0; i < 4; i++) {
        await sendSrs(second.addresses.udp!.port, 2, 0x02020202 + i);
        await wait(1200);
      }
      const now = Date.now() / 1000;
      const stale = (await exportLines(out)).filter((l) => leftByFirst.includes(l.file) && l.expiresAt !== null && l.expiresAt <= now);
      expect(stale, `first run's expired lines still on disk: ${JSON.stringify(stale)}`).toEqual([]);
    } finally {
      expect(await second.live.terminate()).toBe(0);
    }
    // not even when the second run stops
    const files = (await readdir(out)).filter((n) => n.startsWith('exports.') && n.endsWith('.ndjson'));
    expect(files.filter((f) => leftByFirst.includes(f))).toEqual([]);
  }, 40_000);

  it('--max-files counts the files an earlier run left too (RotatingNdjsonExporter)', async () => {
    const out = path.join(folder.dir, 'maxfiles');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(out);
    for (const n of [1, 2, 3, 4, 5]) await writeFile(path.join(out, `exports.00000${n}.ndjson`), JSON.stringify(telemetryLine(n, { retentionSec: null })) + '\n');
    const exporter = await RotatingNdjsonExporter.open({ dir: out, base: 'exports', maxBytes: 1, maxFiles: 2 });
    for (const n of [10, 11, 12, 13]) await exporter.send(telemetryLine(n, { retentionSec: null }));
    await exporter.close();
    const files = (await readdir(out)).filter((n) => n.startsWith('exports.') && n.endsWith('.ndjson')).sort();
    expect(files).toEqual(['exports.000008.ndjson', 'exports.000009.ndjson']);
  });
});
