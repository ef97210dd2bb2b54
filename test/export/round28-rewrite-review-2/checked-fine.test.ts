/**
 * Checks of commit 0b32123 (the NDJSON rewrite's fixes: the open file's timer brought forward,
 * an unreadable rewrite keeping the known expiry, lines past expiresAt on arrival not written and
 * told as lines-not-written) that came out fine: each passes now and would fail if the property
 * broke.
 */
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLive, type LiveService } from '../../../src/cli/live.js';
import { liveOptionsFromArgs, type LogEvent } from '../../../src/cli/live-options.js';
import type { ExportLine } from '../../../src/export/exporter.js';
import { cli, ensureBuilt } from '../../live/live-helpers.js';
import { reportLine } from '../lines.js';
import { line, onDisk, openIn, sleep, T0, tempDir } from '../round28-rewrite-review/common.js';

const REPO = path.resolve(import.meta.dirname, '../../..');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => cleanup?.());

let sub = 0;
const subDir = async () => {
  const { mkdir } = await import('node:fs/promises');
  const d = path.join(dir, `case-${++sub}`);
  await mkdir(d);
  return d;
};

describe('the open file’s timer (fix 1)', () => {
  it('a busy feed of five retentions, capture times jittered back up to 2 s and aggregate-like expiries: a handful of setTimeout calls for 5000 lines, not one per line', async () => {
    const d = await subDir();
    const { at, exporter } = await openIn(d, T0);
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      for (let i = 0; i < 5000; i++) {
        at.now = T0 + i * 0.01;
        const ts = at.now - (i % 7) * 0.3;
        const l = line(i, ts, [90, 3600, 60, 30, 600][i % 5]!);
        if (i % 11 === 0) l.expiresAt = ts - 5 + 90;
        await exporter.send(l);
      }
      expect(spy.mock.calls.length).toBeLessThan(10);
    } finally {
      spy.mockRestore();
      await exporter.close();
    }
  });

  it('real clock: lines that never expire, then one of 0.3 s: the timer (no write, no flush after it) takes it out of the open file', async () => {
    const d = await subDir();
    const { told, exporter } = await openIn(d, null);
    const now = Date.now() / 1000;
    const keep = line(1, now, null);
    const short = line(2, now, 0.3);
    await exporter.send(keep);
    await exporter.send(short);
    await exporter.flush();
    for (let i = 0; i < 100 && told.rewrites.length === 0; i++) await sleep(20);
    expect(told.rewrites).toEqual([['exports.000001.ndjson', 1]]);
    expect(await onDisk(d)).toEqual({ 'exports.000001.ndjson': [keep.requestId] });
    await exporter.close();
  });
});

describe('lines past expiresAt on arrival (fix 3)', () => {
  it('interleaved with live lines: the live ones stay in one file; each flush tells how many since the last, close the rest; a line at exactly expiresAt is not written, one a millisecond later is; lines with no expiresAt are never counted', async () => {
    const d = await subDir();
    const counts: number[] = [];
    const { at, exporter } = await openIn(d, T0 + 100, { onExpiredOnArrival: (n) => void counts.push(n) });
    const live: string[] = [];
    for (let i = 0; i < 10; i++) {
      const l = line(i, T0 + 100, 3600);
      live.push(l.requestId);
      await exporter.send(l);
      await exporter.send(line(100 + i, T0, 60)); // expired 40 s ago
      await exporter.writeLine(JSON.stringify(reportLine(i)), null);
    }
    await exporter.flush();
    await exporter.flush(); // nothing new: told nothing
    const atEdge = line(200, T0 + 40, 60); // expiresAt === now
    const justAfter = line(201, T0 + 40.001, 60);
    await exporter.send(atEdge);
    await exporter.send(justAfter);
    at.now = T0 + 100;
    await exporter.close();
    expect(counts).toEqual([10, 1]);
    // one file (an expired line no longer closes it), the live lines in order, nothing expired
    expect(await readExports(d)).toEqual({ 'exports.000001.ndjson': [...live, justAfter.requestId] });
  });
});

async function readExports(d: string): Promise<Record<string, string[]>> {
  const { readdir, readFile } = await import('node:fs/promises');
  const out: Record<string, string[]> = {};
  for (const n of (await readdir(d)).filter((x) => x.endsWith('.ndjson')).sort()) {
    out[n] = (await readFile(path.join(d, n), 'utf8'))
      .split('\n')
      .filter((t) => t !== '')
      .map((t) => JSON.parse(t) as { requestId?: string })
      .filter((o) => o.requestId !== undefined)
      .map((o) => o.requestId!);
  }
  return out;
}

describe('live: an old capture at its own pace, files and an HTTP service beside', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    await ensureBuilt();
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('lines-not-written: no line per batch, nothing lost at SIGTERM (stop), the same count as the spool’s expired failures; no file holds an export', async () => {
    const d = await subDir();
    const logs: LogEvent[] = [];
    let oldLines = 0;
    let batches = 0;
    const opts = await liveOptionsFromArgs(['--hep', '127.0.0.1:0', '--out', path.join(d, 'out'), '--to', `http://127.0.0.1:${port}/v1`, '--spool', path.join(d, 'spool'), '--policy', path.join(REPO, 'samples/policy.json'), '--workers', '0', '--batch-ms', '5', '--no-resolve-uri', '--quiet']);
    let service: LiveService | undefined;
    try {
      service = await startLive({
        ...opts,
        log: (e) => void logs.push(e),
        onExported: (lines: readonly ExportLine[]) => {
          const now = Date.now() / 1000;
          const old = lines.filter((l) => 'expiresAt' in l && typeof l.expiresAt === 'number' && l.expiresAt <= now).length;
          if (old > 0) {
            oldLines += old;
            batches++;
          }
        },
      });
      await cli(['replay', path.join(REPO, 'samples/call-small.pcap'), '--to', `hep://127.0.0.1:${service.addresses.hep!.udp.port}`, '--speed', '1']);
      await sleep(500);
      const before = logs.filter((l) => l.event === 'lines-not-written');
      expect(before.length).toBeLessThanOrEqual(1);
      await service.stop();
      const unwritten = logs.filter((l) => l.event === 'lines-not-written');
      expect(unwritten.every((l) => l.base === 'exports')).toBe(true);
      const stopLine = logs.find((l) => l.event === 'stop')!;
      // every aggregate made was old: each told once, at once or at the stop, before the stop line
      expect(oldLines).toBe((stopLine.aggregates as number) + (stopLine.exports as number));
      expect(oldLines).toBeGreaterThan(0);
      expect(unwritten.reduce((n, l) => n + (l.count as number), 0)).toBe(oldLines);
      expect(logs.indexOf(unwritten.at(-1)!)).toBeLessThan(logs.indexOf(stopLine));
      expect(unwritten.length).toBeLessThanOrEqual(2);
      expect(batches).toBeGreaterThanOrEqual(unwritten.length);
      const metrics = await service.metrics.text();
      expect(metrics).toContain(`aipref_export_failures_total{exporter="http",kind="expired"} ${oldLines}`);
      expect(Object.values(await readExports(path.join(d, 'out'))).flat()).toEqual([]);
    } finally {
      await service?.stop().catch(() => undefined);
    }
  }, 60_000);
});
