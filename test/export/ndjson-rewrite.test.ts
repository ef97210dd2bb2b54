/**
 * The rotating NDJSON files keep no line past its retention (SPEC §4: "The enforcer itself keeps
 * nothing past retention"), whatever else its file holds: a file whose lines expire at different
 * times is rewritten without those that have, once the first to expire is the file's spread of
 * capture times past its expiry (src/export/ndjson-expiry.ts), and deleted once all have. The
 * clock is the exporter's own (RotatingNdjsonOptions.clock), moved by hand; flush() and rotate()
 * run what the timer runs on a quiet feed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RotatingNdjsonExporter } from '../../src/export/ndjson-rotating.js';
import { line, onDisk as filesIn, openIn, T0, tempDir } from './rotating-ndjson-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const openAt = (start: number) => openIn(dir, start);
const onDisk = () => filesIn(dir);

/** A 60 s line and a 1 h one, both at T0, sent and their file closed: the lines, and the file's text then. */
async function shortBesideLong(exporter: RotatingNdjsonExporter) {
  const short = line(1, T0, 60);
  const long = line(2, T0, 3600);
  await exporter.send(short);
  await exporter.send(long);
  await exporter.rotate();
  return { short, long, before: await readFile(join(dir, 'exports.000001.ndjson'), 'utf8') };
}

describe('rotating NDJSON files: lines of several retentions in one file', () => {
  it('a 60 s line beside a 1 h one written together: gone at its expiry, the other kept byte for byte, then the file at the hour', async () => {
    const { at, told, exporter } = await openAt(T0);
    const { short, long, before } = await shortBesideLong(exporter);
    at.now = T0 + 59.9;
    await exporter.flush();
    expect(await onDisk()).toEqual({ 'exports.000001.ndjson': [short.requestId, long.requestId] });
    at.now = T0 + 60;
    await exporter.flush();
    expect(await onDisk()).toEqual({ 'exports.000001.ndjson': [long.requestId] });
    expect(await readFile(join(dir, 'exports.000001.ndjson'), 'utf8')).toBe(before.split('\n')[1] + '\n');
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 1]]);
    at.now = T0 + 3599;
    await exporter.flush();
    expect(told.rewrites.length).toBe(1);
    at.now = T0 + 3600;
    await exporter.flush();
    expect(await onDisk()).toEqual({});
    expect(told.deletes).toEqual([['exports.000001.ndjson', 'expired']]);
    expect(told.errors).toEqual([]);
    await exporter.close();
    expect((await readdir(dir)).filter((n) => n !== 'exports.lock')).toEqual([]);
  });

  it('lines of one retention written over 10 s are not rewritten one by one: the file goes whole at its last line’s expiry', async () => {
    const { at, told, exporter } = await openAt(T0);
    for (let i = 0; i <= 10; i++) await exporter.send(line(i, T0 + i, 60));
    await exporter.rotate();
    for (let t = T0 + 59; t < T0 + 70; t += 0.5) {
      at.now = t;
      await exporter.flush();
      expect(Object.values(await onDisk()).flat().length, `at +${t - T0} s`).toBe(11);
    }
    at.now = T0 + 70;
    await exporter.flush();
    expect(await onDisk()).toEqual({});
    expect(told.rewrites).toEqual([]);
    await exporter.close();
  });

  it('60 s lines written over 4 s beside 1 h ones: rewritten once, 4 s after the first 60 s line expired, taking all of them', async () => {
    const { at, told, exporter } = await openAt(T0);
    const shorts = [0, 1, 2, 3, 4].map((i) => line(10 + i, T0 + i, 60));
    const longs = [0, 2, 4].map((i) => line(20 + i, T0 + i, 3600));
    for (let i = 0; i <= 4; i++) {
      await exporter.send(shorts[i]!);
      if (i % 2 === 0) await exporter.send(longs[i / 2]!);
    }
    await exporter.rotate();
    at.now = T0 + 63.9;
    await exporter.flush();
    expect(Object.values(await onDisk()).flat().length).toBe(8);
    at.now = T0 + 64;
    await exporter.flush();
    expect(await onDisk()).toEqual({ 'exports.000001.ndjson': longs.map((l) => l.requestId) });
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 5]]);
    // and no more until the hour's lines expire
    for (const t of [T0 + 100, T0 + 1000, T0 + 3603.9]) {
      at.now = t;
      await exporter.flush();
    }
    expect(told.rewrites.length).toBe(1);
    expect(Object.values(await onDisk()).flat().length).toBe(3);
    await exporter.close();
  });

  it('the open file is not rotated to be rewritten while lines keep coming; a line written after the moment due closes it first', async () => {
    const { at, told, exporter } = await openAt(T0);
    // a 5 s line and a 1 h one every second, for 20 s: each write moves the rewrite on by a second
    for (let i = 0; i < 20; i++) {
      at.now = T0 + i;
      await exporter.send(line(100 + i, T0 + i, 5));
      await exporter.send(line(200 + i, T0 + i, 3600));
      await exporter.flush();
    }
    expect(Object.keys(await onDisk())).toEqual(['exports.000001.ndjson']);
    expect(told.rewrites).toEqual([]);
    // quiet until past the last 5 s line's expiry (+19 + 5): the next line closes the file, which is rewritten
    at.now = T0 + 24;
    const next = line(300, T0 + 24, 3600);
    await exporter.send(next);
    await exporter.flush();
    const files = await onDisk();
    expect(files['exports.000001.ndjson']).toEqual(Array.from({ length: 20 }, (_, i) => line(200 + i, T0 + i, 3600).requestId));
    expect(files['exports.000002.ndjson']).toEqual([next.requestId]);
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 20]]);
    await exporter.close();
  });

  it('lines whose capture time is not given (writeLine without ts) are not rewritten: their file goes whole, as before', async () => {
    const { at, told, exporter } = await openAt(T0);
    const short = line(1, T0, 60);
    const long = line(2, T0, 3600);
    await exporter.writeLine(JSON.stringify(short), short.expiresAt);
    await exporter.writeLine(JSON.stringify(long), long.expiresAt);
    await exporter.rotate();
    at.now = T0 + 100;
    await exporter.flush();
    expect(await onDisk()).toEqual({ 'exports.000001.ndjson': [short.requestId, long.requestId] });
    expect(told.rewrites).toEqual([]);
    await exporter.close();
  });

  it('a line that never expires keeps its file, and its expired neighbours still go', async () => {
    const { at, told, exporter } = await openAt(T0);
    const short = line(1, T0, 60);
    const forever = line(2, T0, null);
    await exporter.send(short);
    await exporter.send(forever);
    await exporter.rotate();
    at.now = T0 + 61;
    await exporter.flush();
    expect(await onDisk()).toEqual({ 'exports.000001.ndjson': [forever.requestId] });
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 1]]);
    at.now = T0 + 10 * 86400;
    await exporter.flush();
    expect(await onDisk()).toEqual({ 'exports.000001.ndjson': [forever.requestId] });
    await exporter.close();
  });
});

describe('rotating NDJSON files: an earlier run’s files and failed rewrites', () => {
  it('an earlier run’s file of two retentions is rewritten once read; a rewrite’s leftover .tmp is deleted at open', async () => {
    const short = line(1, T0, 60);
    const long = line(2, T0, 3600);
    const text = `${JSON.stringify(short)}\n${JSON.stringify(long)}\n`;
    await writeFile(join(dir, 'exports.000004.ndjson'), text);
    await writeFile(join(dir, 'exports.000004.ndjson.tmp'), text.slice(0, 40));
    await writeFile(join(dir, 'other.000004.ndjson.tmp'), 'not ours');
    const { told, exporter } = await openAt(T0 + 120);
    // read in the background: wait for it
    for (let i = 0; i < 100 && told.rewrites.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(told.rewrites).toEqual([['exports.000004.ndjson', 1]]);
    expect(await onDisk()).toEqual({ 'exports.000004.ndjson': [long.requestId] });
    expect((await readdir(dir)).sort()).toEqual(['exports.000004.ndjson', 'exports.lock', 'other.000004.ndjson.tmp']);
    await exporter.close();
  });

  it('a rewrite that fails leaves the file as it was, says so once, and is tried again a second later', async () => {
    const { at, told, exporter } = await openAt(T0);
    const { short, long, before } = await shortBesideLong(exporter);
    // the rewrite's temporary file cannot be made: a folder stands in its place
    await mkdir(join(dir, 'exports.000001.ndjson.tmp'));
    at.now = T0 + 61;
    await exporter.flush();
    await exporter.flush();
    expect(told.errors.length).toBe(1);
    expect(told.errors[0]).toContain('exports.000001.ndjson.tmp');
    expect(await readFile(join(dir, 'exports.000001.ndjson'), 'utf8')).toBe(before);
    expect(told.rewrites).toEqual([]);
    await rm(join(dir, 'exports.000001.ndjson.tmp'), { recursive: true });
    at.now = T0 + 61.5;
    await exporter.flush();
    expect(told.rewrites).toEqual([]);
    at.now = T0 + 62;
    await exporter.flush();
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 1]]);
    expect(await onDisk()).toEqual({ 'exports.000001.ndjson': [long.requestId] });
    await exporter.close();
  });
});
