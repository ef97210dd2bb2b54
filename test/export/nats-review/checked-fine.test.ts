/**
 * NATS JetStream export, checked fine against a real nats-server (SPEC §4, §7, README "NATS JetStream"):
 *  1. the message body is byte for byte the exports.ndjson / reports.ndjson line of the same item (real
 *     replays of samples/call-small.pcap and a generated capture under a raw policy, lines handed over as live hands them: JSON.parse of the text);
 *     subject per kind; Nats-Msg-Id = requestId (a report's derived id); Aipref-Expires-At = expiresAt,
 *     none on a report.
 *  2. `live --nats` (no credentials needed) starts, makes the AIPREF stream with the three subjects,
 *     max_age = --nats-max-age, duplicate window 10 min (the harness of nats-credentials-in-url.test.ts).
 *  3. the same line from two enforcers is stored once, and deleted at its expiresAt (each deletes the
 *     same sequence; "no message found" is not a failure).
 *  4. an item already past its expiresAt is never published, not even once (nothing stored, `expired`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { nanos } from 'nats';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { exportLineId, exportLineKind, type ExportLine } from '../../../src/export/exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { telemetryLine } from '../lines.js';
import { BIN, cli, SMALL_PCAP, SMALL_POLICY, smallCapture, Workspace } from '../../e2e/e2e-helpers.js';
import { observe, stored, wait } from './helpers.js';

const nats = natsServerEachTest('aipref-nats-review-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS export checked fine', () => {
  it('1. body = the NDJSON line, byte for byte; subject, Nats-Msg-Id and Aipref-Expires-At', async () => {
    const out = await mkdtemp(join(tmpdir(), 'aipref-nats-review-out-'));
    cleanups.push(() => rm(out, { recursive: true, force: true }));
    const ws = new Workspace();
    cleanups.push(() => ws.cleanup());
    const generated = await ws.generate(smallCapture(7));
    const rawPolicy = join(out, 'raw.json');
    await writeFile(rawPolicy, JSON.stringify({ apts: { 'apt-raw': { type: 'domain', export: 'raw', retention: '24h', features: ['media-metrics', 'rtcp-xr', 'feedback', 'sdes', 'app'] } }, default: 'apt-raw' }));
    const texts: string[] = [];
    for (const [capture, policy] of [[SMALL_PCAP, SMALL_POLICY], [generated.path, rawPolicy]] as const) {
      const dir = join(out, String(texts.length));
      const r = await cli('replay', capture, '--policy', policy, '--out', dir, '--workers', '0');
      expect(r.code).toBe(0);
      texts.push(...(await readFile(join(dir, 'exports.ndjson'), 'utf8')).split('\n').filter((l) => l !== '').slice(0, 150));
      texts.push(...(await readFile(join(dir, 'reports.ndjson'), 'utf8')).split('\n').filter((l) => l !== ''));
    }
    const lines = texts.map((t) => JSON.parse(t) as ExportLine);
    const kinds = new Set(lines.map(exportLineKind));
    expect([...kinds].sort()).toEqual(['aggregate', 'report', 'telemetry']);
    const earliest = Math.min(...lines.map((l) => l.ts));
    // capture times long past: the clock is set a million seconds before them (nothing expired, nothing due)
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { clock: () => earliest - 1e6 }));
    cleanups.push(() => exporter.close(1000));
    for (const l of lines) await exporter.send(l);
    const byId = new Map<string, { text: string; line: ExportLine }>();
    for (let i = 0; i < lines.length; i++) byId.set(exportLineId(lines[i]!), { text: texts[i]!, line: lines[i]! });
    const msgs = await stored(await observe(nats.server.url, cleanups));
    expect(msgs.length).toBe(byId.size);
    const decoder = new TextDecoder();
    for (const m of msgs) {
      const want = byId.get(m.msgId);
      expect(want, m.msgId).toBeDefined();
      expect(decoder.decode(m.data)).toBe(want!.text);
      expect(Buffer.from(m.data).equals(Buffer.from(want!.text, 'utf8'))).toBe(true);
      expect(m.subject).toBe(`aipref.${exportLineKind(want!.line)}`);
      if (want!.line.type === 'telemetry' || want!.line.type === 'aggregate') {
        expect(m.msgId).toBe(want!.line.requestId);
        expect(Number(m.expiresHeader)).toBe(want!.line.expiresAt);
      } else expect(m.expiresHeader).toBe('');
    }
  }, 60_000);

  it('2. live --nats makes the stream: three subjects, max_age = --nats-max-age, 10 min duplicate window', async () => {
    const child = spawn(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--nats', nats.server.url, '--nats-max-age', '90s', '--workers', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, wait(10_000)]);
      child.kill('SIGKILL');
    });
    for (let i = 0; i < 100 && !/"event":"start"/.test(stderr); i++) await wait(50);
    expect(stderr).toMatch(/"event":"start"/);
    const { config } = await (await (await observe(nats.server.url, cleanups)).jetstreamManager()).streams.info('AIPREF');
    expect(config.subjects).toEqual(['aipref.telemetry', 'aipref.aggregate', 'aipref.report']);
    expect(config.max_age).toBe(nanos(90_000));
    expect(config.duplicate_window).toBe(nanos(90_000 < 600_000 ? 90_000 : 600_000));
  }, 30_000);

  it('3. the same line from two enforcers: stored once, gone at its expiresAt, no failure', async () => {
    const failures: string[] = [];
    const a = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (r) => failures.push(r) }));
    cleanups.push(() => a.close(500));
    const b = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (r) => failures.push(r) }));
    cleanups.push(() => b.close(500));
    const line = telemetryLine(7, { ts: Date.now() / 1000, retentionSec: 1.5 });
    await a.send(line);
    await b.send(line);
    const nc = await observe(nats.server.url, cleanups);
    expect((await stored(nc)).map((m) => m.msgId)).toEqual([line.requestId]);
    expect([a.stats.published, b.stats.duplicates]).toEqual([1, 1]);
    await wait(Math.max(0, (line.expiresAt! + 1) * 1000 - Date.now()));
    expect(await stored(nc)).toEqual([]);
    expect(a.stats.deletedExpired + b.stats.deletedExpired).toBe(1);
    expect(failures).toEqual([]);
  }, 20_000);

  it('4. an item already past its expiresAt is never stored', async () => {
    const kinds: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { onFailure: (_r, _id, k) => kinds.push(k) }));
    cleanups.push(() => exporter.close(500));
    const now = Date.now() / 1000;
    await exporter.send(telemetryLine(8, { ts: now - 10, retentionSec: 5 }));
    expect(await stored(await observe(nats.server.url, cleanups))).toEqual([]);
    expect(exporter.stats).toMatchObject({ published: 0, expired: 1, retries: 0 });
    expect(kinds).toEqual(['expired']);
  }, 20_000);
});
