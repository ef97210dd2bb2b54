/**
 * Checks of commit 74d75ab (NDJSON files rewritten without their expired lines) that came out
 * fine: each passes now and would fail if the property broke.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileExpiry, isRewriteTemp, rewriteUnexpired, scanExpiry } from '../../../src/export/ndjson-expiry.js';
import { line, onDisk, openIn, sleep, T0, tempDir } from './common.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const waitFor = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(10);
};

describe('rewrite keeps bytes and order', () => {
  it('an earlier run’s file with CRLF lines, a blank line and a torn last line: kept lines byte for byte, in order', async () => {
    const a = line(1, T0, 60);
    const b = line(2, T0, 3600);
    const c = line(3, T0, 60);
    const d = line(4, T0, null);
    // CRLF endings, a blank line, a non-ASCII field, a torn last line
    const bText = JSON.stringify({ ...b, note: 'é — ✓' });
    const text = `${JSON.stringify(a)}\r\n${bText}\r\n\n${JSON.stringify(c)}\n${JSON.stringify(d)}\n{"type":"telem`;
    await writeFile(join(dir, 'exports.000007.ndjson'), text);
    const { told, exporter } = await openIn(dir, T0 + 61);
    await waitFor(() => told.rewrites.length > 0);
    expect(told.rewrites).toEqual([['exports.000007.ndjson', 3]]);
    expect(await readFile(join(dir, 'exports.000007.ndjson'), 'utf8')).toBe(`${bText}\r\n${JSON.stringify(d)}\n`);
    expect(told.errors).toEqual([]);
    await exporter.close();
  });

  it('lines of ~100 KB (across the 64 KiB read chunks and the 256 KiB write batches): the kept ones exactly, in order', async () => {
    const { at, told, exporter } = await openIn(dir, T0);
    const kept: string[] = [];
    for (let i = 0; i < 12; i++) {
      const l = { ...line(i, T0 + (i % 3) * 0.1, i % 2 === 0 ? 60 : 3600), pad: String(i).repeat(100_000 + i) };
      const json = JSON.stringify(l);
      await exporter.writeLine(json, l.expiresAt, l.ts);
      if (i % 2 === 1) kept.push(json + '\n');
    }
    await exporter.rotate();
    at.now = T0 + 60.2;
    await exporter.flush();
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 6]]);
    expect(await readFile(join(dir, 'exports.000001.ndjson'), 'utf8')).toBe(kept.join(''));
    expect(await readdir(dir)).not.toContain('exports.000001.ndjson.tmp');
    await exporter.close();
  });
});

describe('no rewrite beside another, none repeating', () => {
  it('flushes, a rotation and the timer at once: one rewrite, the file right', async () => {
    const { at, told, exporter } = await openIn(dir, T0);
    const short = line(1, T0, 60);
    const long = line(2, T0, 3600);
    await exporter.send(short);
    await exporter.send(long);
    await exporter.rotate();
    at.now = T0 + 60;
    await Promise.all([exporter.flush(), exporter.flush(), exporter.rotate(), exporter.flush()]);
    await sleep(50);
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 1]]);
    expect(await onDisk(dir)).toEqual({ 'exports.000001.ndjson': [long.requestId] });
    await exporter.close();
  });

  it('a rewrite that keeps failing, on the real clock: tried about once a second, not in a loop', async () => {
    const { told, exporter } = await openIn(dir, null);
    const now = Date.now() / 1000;
    await exporter.send(line(1, now, 0.1));
    await exporter.send(line(2, now, 3600));
    await mkdir(join(dir, 'exports.000001.ndjson.tmp'));
    await exporter.rotate();
    await sleep(2300);
    expect(told.errors.length).toBeGreaterThanOrEqual(2);
    expect(told.errors.length).toBeLessThanOrEqual(4);
    await exporter.close();
  });

  it('a closed file whose kept lines have ts far apart (and one that never expires) is not rewritten again and again', async () => {
    const { at, told, exporter } = await openIn(dir, T0);
    await exporter.send(line(1, T0, 60));
    await exporter.send(line(2, T0 - 86400, 7 * 86400));
    await exporter.send(line(3, T0, null));
    await exporter.rotate();
    for (const t of [T0 + 59, T0 + 86400 + 60, T0 + 86400 + 61, T0 + 2 * 86400, T0 + 6 * 86400 + 1, T0 + 30 * 86400]) {
      at.now = t;
      await exporter.flush();
    }
    // the 60 s line at its expiry + spread (1 day), the 7-day line at its expiry + 0
    expect(told.rewrites).toEqual([
      ['exports.000001.ndjson', 1],
      ['exports.000001.ndjson', 1],
    ]);
    expect(await onDisk(dir)).toEqual({ 'exports.000001.ndjson': [line(3, T0, null).requestId] });
    await exporter.close();
  });
});

describe('an earlier run’s leftovers', () => {
  it('only <base>.<digits>.ndjson.tmp is deleted at open', async () => {
    const names = ['exports.000003.ndjson.tmp', 'exports.000003.ndjson.tmp.bak', 'exports.x.ndjson.tmp', 'reports.000003.ndjson.tmp', 'exports.000003.ndjson.tmpx', 'exports.lock.abc.tmp', 'exportsX.000003.ndjson.tmp'];
    for (const n of names) await writeFile(join(dir, n), 'x');
    const { exporter } = await openIn(dir, T0);
    const left = (await readdir(dir)).sort();
    expect(left).toEqual([...names.filter((n) => n !== 'exports.000003.ndjson.tmp'), 'exports.lock'].sort());
    await exporter.close();
    expect(isRewriteTemp('a.b.000001.ndjson.tmp', 'a')).toBe(false);
  });

  it('lines of an earlier run with no ts, with expiresAt 1e400, or not JSON keep their file', async () => {
    const a = line(1, T0, 60);
    const noTs = { ...line(2, T0, 3600), ts: undefined };
    await writeFile(join(dir, 'exports.000001.ndjson'), `${JSON.stringify(a)}\n${JSON.stringify(noTs)}\n`);
    await writeFile(join(dir, 'exports.000002.ndjson'), `${JSON.stringify(a)}\n{"expiresAt":1e400,"ts":${T0}}\n`);
    await writeFile(join(dir, 'exports.000003.ndjson'), `${JSON.stringify(a)}\nnot json\n`);
    const { at, told, exporter } = await openIn(dir, T0 + 61);
    await sleep(200);
    at.now = T0 + 10 * 86400;
    await exporter.flush();
    // 1: no ts, no rewrite, deleted whole at its last expiry; 2: the 60 s line rewritten out; 3: the line
    // that is not JSON keeps the file (and is kept as it is), its expired neighbour goes
    expect(told.rewrites.map(([p]) => p).sort()).toEqual(['exports.000002.ndjson', 'exports.000003.ndjson']);
    expect(await readFile(join(dir, 'exports.000003.ndjson'), 'utf8')).toBe('not json\n');
    expect(told.deletes).toEqual([['exports.000001.ndjson', 'expired']]);
    expect((await readdir(dir)).filter((n) => n.endsWith('.ndjson')).sort()).toEqual(['exports.000002.ndjson', 'exports.000003.ndjson']);
    expect(told.errors).toEqual([]);
    await exporter.close();
  });
});

describe('files of lines that never expire (reports, decisions)', () => {
  it('are neither rewritten nor deleted, and set no timer', async () => {
    const { at, told, exporter } = await openIn(dir, T0);
    await exporter.writeLine('{"type":"decision","n":1}', null);
    await exporter.writeLine('{"type":"scope-removed","ts":1}', null, 1);
    expect((exporter as unknown as { timer: unknown }).timer).toBeUndefined();
    await exporter.rotate();
    at.now = T0 + 365 * 86400;
    await exporter.flush();
    expect(told.rewrites).toEqual([]);
    expect(told.deletes).toEqual([]);
    expect(await readFile(join(dir, 'exports.000001.ndjson'), 'utf8')).toBe('{"type":"decision","n":1}\n{"type":"scope-removed","ts":1}\n');
    await exporter.close();
  });
});

describe('ndjson-expiry units', () => {
  it('FileExpiry: spread of the expiring lines only; NaN / non-finite expiresAt never expire', () => {
    const e = new FileExpiry();
    e.add(100, 10);
    e.add(null, 0);
    e.add(200, 15);
    expect(e.rewriteAt).toBe(105);
    expect(e.latest).toBe(Infinity);
    const n = new FileExpiry();
    n.add(NaN, 1);
    expect(n.dueAt).toBe(Infinity);
  });

  it('rewriteUnexpired leaves a file with nothing expired untouched, and scanExpiry stops when told', async () => {
    const p = join(dir, 'f.ndjson');
    const text = `${JSON.stringify(line(1, T0, 60))}\n`;
    await writeFile(p, text);
    const r = await rewriteUnexpired(p, T0);
    expect(r.dropped).toBe(0);
    expect(await readFile(p, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['f.ndjson']);
    expect(await scanExpiry(p, () => true)).toBeUndefined();
  });

  it('close() is prompt with a due timer and a background scan, and leaves no timer', async () => {
    await writeFile(join(dir, 'exports.000001.ndjson'), `${JSON.stringify(line(1, T0, 60))}\n`.repeat(2000));
    const { exporter } = await openIn(dir, null);
    await exporter.send(line(2, Date.now() / 1000, 0.05));
    await exporter.close();
    expect((exporter as unknown as { timer: unknown }).timer).toBeUndefined();
  });
});
