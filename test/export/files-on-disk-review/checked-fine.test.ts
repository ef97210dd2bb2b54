/**
 * Checks of what the enforcer keeps on disk in `live` that turned out FINE (regression tests).
 *
 * - size rotation at the exact bound: a file may reach maxBytes exactly; a line that would take
 *   it one byte past rotates BEFORE it is written; a line longer than maxBytes goes whole into a
 *   file of its own, and the next line opens another file;
 * - age rotation by the timer (no write) and deletion of a closed file by the timer within
 *   ~100 ms of its last line's expiresAt, not before;
 * - numbering after a restart with gaps (000002, 000005 → 000006), and after an earlier run's
 *   torn last line (kept file, new file numbered after it, torn file's complete lines still count);
 * - spool: a crash (no close) with some items acknowledged: the next start gives back exactly
 *   the waiting ones in order, a second crash-restart the same, acknowledged ones never again;
 * - spool: maxItems overflow counted and told, the overflowed item not back after a restart;
 * - spool: an item expiring while spooled is gone from disk once expire() runs at its expiry
 *   (DiskSpool level, fake clock), its neighbour kept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';
import { DiskSpool } from '../../../src/export/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-disk-pass-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function files(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of (await readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort()) out[n] = await readFile(join(dir, n), 'utf8');
  return out;
}

describe('rotating NDJSON: bounds', () => {
  it('a file reaches maxBytes exactly; one byte more rotates before the line; an oversized line goes alone', async () => {
    const l10 = '{"a":"12"}'; // 10 bytes + newline = 11
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxBytes: 22, clock: () => 1000 });
    await ex.writeLine(l10, null);
    await ex.writeLine(l10, null); // 22: exactly the bound
    await ex.writeLine('{"a":"1"}', null); // 10 more: file 2
    await ex.writeLine('{"a":"12345678"}', null); // 17 + 10 = 27 > 22: file 3
    await ex.writeLine('{"big":"' + 'x'.repeat(40) + '"}', null); // 51 alone: file 4
    await ex.writeLine('{"a":"1"}', null); // file 5
    await ex.close();
    const f = await files();
    expect(Object.keys(f)).toEqual(['exports.000001.ndjson', 'exports.000002.ndjson', 'exports.000003.ndjson', 'exports.000004.ndjson', 'exports.000005.ndjson']);
    expect((await stat(join(dir, 'exports.000001.ndjson'))).size).toBe(22);
    expect(f['exports.000002.ndjson']).toBe('{"a":"1"}\n');
    expect(f['exports.000003.ndjson']).toBe('{"a":"12345678"}\n');
    expect(f['exports.000004.ndjson']).toBe('{"big":"' + 'x'.repeat(40) + '"}\n');
  });

  it('the timer rotates by age with no write, and deletes a closed file at its expiry, not before', async () => {
    const deleted: string[] = [];
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxAgeSec: 0.2, onDelete: (p, why) => deleted.push(`${p.slice(dir.length + 1)} ${why}`) });
    const t = Date.now() / 1000;
    await ex.writeLine(JSON.stringify({ expiresAt: t + 0.6 }), t + 0.6);
    await wait(350);
    expect(ex.currentPath).toBeUndefined();
    expect(ex.closedPaths).toEqual([join(dir, 'exports.000001.ndjson')]);
    expect(deleted).toEqual([]);
    await wait(Math.max(0, (t + 0.6) * 1000 - Date.now() - 60));
    expect(Object.keys(await files())).toEqual(['exports.000001.ndjson']);
    await wait(200);
    expect(deleted).toEqual(['exports.000001.ndjson expired']);
    expect(Object.keys(await files())).toEqual([]);
    await ex.close();
  });

  it('numbering after a restart counts on past gaps and past a file whose last line a crash tore', async () => {
    const far = 4_000_000_000;
    await writeFile(join(dir, 'exports.000002.ndjson'), JSON.stringify({ expiresAt: far }) + '\n');
    await writeFile(join(dir, 'exports.000005.ndjson'), JSON.stringify({ expiresAt: far }) + '\n');
    await appendFile(join(dir, 'exports.000005.ndjson'), '{"expiresAt":1,"ty');
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await ex.writeLine('{"x":1}', far);
    expect(ex.currentPath).toBe(join(dir, 'exports.000006.ndjson'));
    await wait(100);
    await ex.close();
    // the torn file's complete line keeps it (far future); nothing appended to it
    expect(await files()).toEqual({
      'exports.000002.ndjson': '{"expiresAt":4000000000}\n',
      'exports.000005.ndjson': '{"expiresAt":4000000000}\n{"expiresAt":1,"ty',
      'exports.000006.ndjson': '{"x":1}\n',
    });
  });
});

describe('disk spool: restart and limits', () => {
  const item = (n: number, expiresAt: number | null = null) => ({ id: `id-${n}`, expiresAt, body: `{"n":${n}}` });
  const waiting = (s: DiskSpool): string[] => {
    const out: string[] = [];
    for (let e = s.firstWaiting(() => true); e; e = s.firstWaiting((id) => !out.includes(id))) out.push(e.id);
    return out;
  };

  it('crash-restart twice: exactly the waiting items come back, in order; acknowledged ones never', async () => {
    const a = await DiskSpool.open(dir, { segmentBytes: 64 });
    for (let n = 1; n <= 6; n++) await a.append(item(n));
    await a.acknowledge('id-2');
    await a.acknowledge('id-5');
    await a.drained();
    const b = await DiskSpool.open(dir, { segmentBytes: 64 });
    expect(waiting(b)).toEqual(['id-1', 'id-3', 'id-4', 'id-6']);
    await b.acknowledge('id-3');
    await b.drained();
    const c = await DiskSpool.open(dir, { segmentBytes: 64 });
    expect(waiting(c)).toEqual(['id-1', 'id-4', 'id-6']);
    expect(c.knows('id-2') && c.knows('id-3') && c.knows('id-5')).toBe(true);
    expect(await c.append(item(5))).toBe(false);
  });

  it('maxItems overflow is counted and told; the overflowed item is not back after a restart', async () => {
    const told: string[] = [];
    const s = await DiskSpool.open(dir, { maxItems: 3, onDiscard: (id, why) => told.push(`${id} ${why}`) });
    for (let n = 0; n < 5; n++) await s.append(item(n));
    await s.drained();
    expect(s.stats.overflowed).toBe(2);
    expect(told).toEqual(['id-0 overflow', 'id-1 overflow']);
    const again = await DiskSpool.open(dir, { maxItems: 3 });
    expect(waiting(again)).toEqual(['id-2', 'id-3', 'id-4']);
  });

  it('an item expiring while spooled: its bytes are gone once expire() runs at its expiry', async () => {
    let now = 1000;
    const s = await DiskSpool.open(dir, { clock: () => now });
    await s.append({ id: 'short', expiresAt: 1005, body: '{"secret":"SHORT"}' });
    await s.append({ id: 'long', expiresAt: 9000, body: '{"secret":"LONG"}' });
    await s.drained();
    now = 1005;
    expect(await s.expire()).toBe(1);
    await s.drained();
    const text = Object.entries(await files()).filter(([n]) => n.startsWith('segment-')).map(([, t]) => t).join('');
    expect(text).not.toContain('SHORT');
    expect(text).toContain('LONG');
  });
});
