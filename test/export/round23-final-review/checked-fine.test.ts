/**
 * Review of bc617ce (spool expiry timer) and 38f623f (dir-lock). Checked and FINE (these pass):
 * - spool timer, recovery at open: items a previous run left (DiskSpool reopened by the exporter)
 *   are gone from disk by their expiry (+120 ms slack on a loaded machine), the service down;
 * - spool timer, an item expiring while in flight (service never answers): its line gone from disk
 *   by its expiry; one waiting (not in flight) in a rotated, closed segment (segmentBytes 200: a
 *   segment each): that segment deleted by its expiry, the live item's kept;
 * - spool timer, a segment whose deletion fails for good (a non-empty folder in its place): no
 *   tight loop — few expire calls in 600 ms (expirySweepMs 60 s), nextDueAt Infinity after;
 * - spool timer, frozen fake clock with due in the future: fires at most every ~10 ms gap
 *   (the min gap holds; no 1 ms loop);
 * - spool timer, close: no timer left, no expire after close; the timer is unref'd;
 * - nextDueAt after discard / after an expire with nothing due: exact;
 * - lock: a `.break` naming a dead pid of this host beside a dead owner's lock is cleared at once
 *   (taken < 2 s); a `.break` holding this process's other (held) lock token is not taken for dead
 *   (still there after 1.5 s, the taker waiting), the taker proceeding once it goes.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiServiceExporter } from '../../../src/export/http-exporter.js';
import { DiskSpool } from '../../../src/export/spool.js';
import { takeLock, releaseLock } from '../../../src/export/dir-lock.js';
import { startAiService } from '../ai-service-stub.js';
import { telemetryLine } from '../lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r23final-pass-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
async function spoolText(): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('segment-'));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8').catch(() => '')))).join('');
}
const sleepUntil = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));
const down = { baseMs: 60_000, maxMs: 60_000, random: () => 0 };

it('recovery at open: what a previous run left is gone by its expiry', async () => {
  const now = Date.now() / 1000;
  const prev = await DiskSpool.open(dir);
  await prev.append({ id: 'old-1', expiresAt: now + 0.4, body: '{"t":"old-1"}' });
  await prev.append({ id: 'old-2', expiresAt: now + 3600, body: '{"t":"old-2"}' });
  await prev.close();
  const exporter = await AiServiceExporter.open({ url: `http://127.0.0.1:${await closedPort()}/i`, spoolDir: dir, backoff: down });
  try {
    expect(await spoolText()).toContain('old-1');
    await sleepUntil((now + 0.4) * 1000 + 120);
    const text = await spoolText();
    expect(text).not.toContain('old-1');
    expect(text).toContain('old-2');
  } finally {
    await exporter.close();
  }
});

it('an item expiring in flight, and one in a rotated segment, are gone by their expiry', async () => {
  const now = Date.now() / 1000;
  const service = await startAiService(() => undefined); // never answers
  const exporter = await AiServiceExporter.open({ url: service.url, spoolDir: dir, concurrency: 1, spool: { segmentBytes: 200 } });
  try {
    const l1 = telemetryLine(1, { ts: now, retentionSec: 0.4 });
    const l2 = telemetryLine(2, { ts: now, retentionSec: 0.6 });
    const l3 = telemetryLine(3, { ts: now, retentionSec: 3600 });
    await exporter.send(l1);
    await exporter.send(l2);
    await exporter.send(l3);
    await exporter.flush();
    expect((await readdir(dir)).filter((n) => n.startsWith('segment-')).length).toBeGreaterThan(1);
    await sleepUntil(l1.expiresAt! * 1000 + 120);
    expect(await spoolText()).not.toContain(l1.requestId);
    await sleepUntil(l2.expiresAt! * 1000 + 120);
    const text = await spoolText();
    expect(text).not.toContain(l2.requestId);
    expect(text).toContain(l3.requestId);
  } finally {
    await exporter.close();
    await service.close();
  }
});

it('a segment that cannot be deleted: no tight timer loop', async () => {
  const exporter = await AiServiceExporter.open({ url: `http://127.0.0.1:${await closedPort()}/i`, spoolDir: dir, backoff: down, expirySweepMs: 60_000 });
  const spool = (exporter as unknown as { spool: DiskSpool }).spool;
  const spy = vi.spyOn(spool, 'expire');
  const errors: string[] = [];
  try {
    const line = telemetryLine(9, { retentionSec: 0.2 });
    await exporter.send(line);
    await exporter.flush();
    const seg = join(dir, 'segment-1.ndjson');
    await unlink(seg);
    await mkdir(seg);
    await writeFile(join(seg, 'x'), 'x');
    await sleepUntil(line.expiresAt! * 1000 + 600);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(4);
    expect(spool.nextDueAt).toBe(Infinity);
  } finally {
    await exporter.close().catch((e: unknown) => errors.push(String(e)));
  }
});

it('frozen fake clock: the timer keeps its min gap', async () => {
  const frozen = Date.now() / 1000;
  const exporter = await AiServiceExporter.open({ url: `http://127.0.0.1:${await closedPort()}/i`, spoolDir: dir, backoff: down, expirySweepMs: 60_000, spool: { clock: () => frozen } });
  const spool = (exporter as unknown as { spool: DiskSpool }).spool;
  const spy = vi.spyOn(spool, 'expire');
  try {
    await spool.append({ id: 'f', expiresAt: frozen + 0.001, body: '{}' });
    (exporter as unknown as { armExpiry(): void }).armExpiry();
    await new Promise((r) => setTimeout(r, 300));
    expect(spy.mock.calls.length).toBeLessThanOrEqual(35);
  } finally {
    await exporter.close();
  }
});

it('close leaves no timer and no expire after it; the timer is unref\'d', async () => {
  const exporter = await AiServiceExporter.open({ url: `http://127.0.0.1:${await closedPort()}/i`, spoolDir: dir, backoff: down });
  const line = telemetryLine(4, { retentionSec: 0.3 });
  await exporter.send(line);
  const timer = (exporter as unknown as { expiryTimer?: NodeJS.Timeout }).expiryTimer;
  expect(timer).toBeDefined();
  expect(timer!.hasRef()).toBe(false);
  const spool = (exporter as unknown as { spool: DiskSpool }).spool;
  await exporter.close();
  expect((exporter as unknown as { expiryTimer?: NodeJS.Timeout }).expiryTimer).toBeUndefined();
  const spy = vi.spyOn(spool, 'expire');
  await sleepUntil(line.expiresAt! * 1000 + 200);
  expect(spy).not.toHaveBeenCalled();
  expect(existsSync(join(dir, 'spool.lock'))).toBe(false);
});

it('nextDueAt after discard and an idle expire', async () => {
  let now = 1000;
  const spool = await DiskSpool.open(dir, { clock: () => now });
  try {
    await spool.append({ id: 'a', expiresAt: 1003, body: '{}' });
    await spool.append({ id: 'b', expiresAt: 1007, body: '{}' });
    await spool.discard('a');
    expect(spool.nextDueAt).toBe(1003);
    now = 1001;
    await spool.expire(false);
    expect(spool.nextDueAt).toBe(1003);
    now = 1004;
    await spool.expire(false);
    expect(spool.nextDueAt).toBe(1007);
    expect(await spoolText()).not.toContain('"a"');
  } finally {
    await spool.close();
  }
});

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

it('lock: a dead clearer\'s .break beside a dead owner\'s lock is cleared at once', async () => {
  const lock = join(dir, 'spool.lock');
  const pid = deadPid();
  await writeFile(lock, `${pid} ${hostname()} dead-owner\n`);
  await writeFile(`${lock}.break`, `${pid} ${hostname()} dead-clearer\n`);
  const t0 = performance.now();
  const token = await takeLock(lock, dir, (o) => `in use ${o}`);
  expect(performance.now() - t0).toBeLessThan(2000);
  expect(existsSync(`${lock}.break`)).toBe(false);
  await releaseLock(lock, token);
});

it('lock: a .break of this process\'s other held lock is not taken for dead', async () => {
  const other = join(dir, 'other.lock');
  const tokenA = await takeLock(other, dir, (o) => `in use ${o}`);
  const lock = join(dir, 'spool.lock');
  await writeFile(lock, `${deadPid()} ${hostname()} dead-owner\n`);
  await writeFile(`${lock}.break`, `${tokenA}\n`);
  let done = false;
  const taking = takeLock(lock, dir, (o) => `in use ${o}`).finally(() => (done = true));
  await new Promise((r) => setTimeout(r, 1500));
  expect(done).toBe(false);
  expect(await readFile(`${lock}.break`, 'utf8')).toBe(`${tokenA}\n`);
  await unlink(`${lock}.break`);
  const token = await taking;
  await releaseLock(lock, token);
  await releaseLock(other, tokenA);
});
