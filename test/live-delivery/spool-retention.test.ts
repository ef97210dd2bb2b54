/**
 * The delivery spool and SPEC §4 "The enforcer itself keeps nothing past retention
 * (windows, spools and retries included)"; README "what expires in the spool is deleted, never sent".
 */
import { describe, expect, it } from 'vitest';
import { createServer, type ServerResponse } from 'node:http';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskSpool } from '../../src/export/spool.js';
import { AiServiceExporter } from '../../src/export/http-exporter.js';
import type { AiServiceRequest } from '../../src/export/ai-service-message.js';
import { telemetryLine } from '../export/lines.js';
import { tempDirEachTest } from '../export/temp-dir.js';

const temp = tempDirEachTest('aipref-delivery-spool-');
const cleanups = temp.cleanups;

/** Every byte of every file in the spool directory (segments, acks, leftovers). */
async function everyFile(): Promise<string> {
  const names = await readdir(temp.dir);
  return (await Promise.all(names.map((n) => readFile(join(temp.dir, n), 'utf8')))).join('');
}

/** The spool's segment files only (the acks file holds ids, not telemetry). */
async function segmentFiles(): Promise<string> {
  const names = (await readdir(temp.dir)).filter((n) => n.startsWith('segment-'));
  return (await Promise.all(names.map((n) => readFile(join(temp.dir, n), 'utf8')))).join('');
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('spool retention', () => {
  it('an acknowledged item leaves the disk by its expiresAt, even while a neighbour in its segment still waits (real HTTP service)', async () => {
    let now = 1_800_000_000;
    const answers: string[] = [];
    // the service takes the short-lived item and answers 503 for the long-lived one
    const server = createServer((req, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as AiServiceRequest;
        answers.push(body.requestId);
        res.writeHead(body.requestId === shortLived.requestId ? 200 : 503).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as { port: number }).port;
    const shortLived = telemetryLine(1, { ts: now, retentionSec: 30 });
    const longLived = telemetryLine(2, { ts: now, retentionSec: 3600 });
    const exporter = await AiServiceExporter.open({ url: `http://127.0.0.1:${port}/`, spoolDir: temp.dir, concurrency: 1, backoff: { baseMs: 20, maxMs: 50 }, spool: { clock: () => now }, expirySweepMs: 20 });
    cleanups.push(() => exporter.close());
    await exporter.send(shortLived);
    await exporter.send(longLived);
    for (let i = 0; i < 100 && exporter.stats.delivered < 1; i++) await wait(20);
    expect(exporter.stats.delivered).toBe(1);
    // the short-lived item's retention passes
    now += 31;
    await wait(200);
    await exporter.flush();
    const segments = await segmentFiles();
    expect(segments).toContain(longLived.requestId); // the waiting one is there, as it should be
    // the short-lived item's spooled request (its telemetry) must be gone from the segments
    expect(segments).not.toContain(shortLived.requestId);
  });

  it('same, on the DiskSpool alone: acknowledged, discarded and overflowed items leave the disk when they expire', async () => {
    let now = 1000;
    const spool = await DiskSpool.open(temp.dir, { clock: () => now, maxItems: 3 });
    await spool.append({ id: 'over', expiresAt: 1010, body: '"SECRET-OVERFLOWED"' });
    await spool.append({ id: 'acked', expiresAt: 1010, body: '"SECRET-ACKED"' });
    await spool.append({ id: 'refused', expiresAt: 1010, body: '"SECRET-REFUSED"' });
    await spool.append({ id: 'live-1', expiresAt: 5000, body: '"live-1"' }); // the 4th: 'over' is pushed out (maxItems 3)
    expect(spool.stats.overflowed).toBe(1);
    await spool.acknowledge('acked');
    await spool.discard('refused');
    now = 1011;
    await spool.expire();
    await spool.drained();
    const text = await everyFile();
    expect(text).toContain('live-1');
    expect(text).not.toContain('SECRET-ACKED');
    expect(text).not.toContain('SECRET-REFUSED');
    expect(text).not.toContain('SECRET-OVERFLOWED');
  });

  it('a rewrite cut by a kill (segment-N.ndjson.tmp, acks.ndjson.tmp) leaves nothing behind after the restart', async () => {
    // the state a SIGKILL leaves when it lands inside settleSegment's/recover's writeFile(`${path}.tmp`) before the rename
    const stale = { id: 'old', expiresAt: 1_000, spooledAt: 900, body: JSON.stringify({ payload: 'TELEMETRY-EXPIRED-LONG-AGO' }) };
    await writeFile(join(temp.dir, 'segment-7.ndjson.tmp'), JSON.stringify(stale) + '\n{"id":"cut-in-the-mid');
    await writeFile(join(temp.dir, 'acks.ndjson.tmp'), '{"id":"x","until":');
    const spool = await DiskSpool.open(temp.dir, { clock: () => 2_000_000_000 });
    await spool.expire();
    await spool.drained();
    expect(spool.size).toBe(0);
    expect(await readdir(temp.dir)).not.toContain('segment-7.ndjson.tmp');
    expect(await everyFile()).not.toContain('TELEMETRY-EXPIRED-LONG-AGO');
  });
});
