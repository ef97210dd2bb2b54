/**
 * From a review of the AI-service message form (seed 001, SPEC §7): the checks that came out fine.
 *
 * PASSING checks (regression candidates): what `aipref-enforcer live --to …` really sends, field
 * by field, against seed 001 §3.2/§3.3 and SPEC §7/§8 — the CLI as a child (dist/), RTCP SRs
 * (with one report block each) from two senders over the plain UDP mirror, the policy's default
 * APT `apt-d` exporting raw (HTTP run) or aggregated-only with a 1 s window (WebSocket run),
 * `--out` beside `--to` so the NDJSON files are the oracle for each payload.
 *
 * Checked, for every request: one POST (or one WebSocket text message) per export/report line;
 * `Authorization: Bearer <--token>` (HTTP header; the WebSocket handshake); HTTP
 * `content-type: application/json` and `x-request-id` = the body's requestId; body keys exactly
 * requestId, contentType, session, task, expiresAt, payload; payload deep-equals a line of
 * exports.*.ndjson / reports.*.ndjson, and every file line arrives once; requestId = the export
 * line's own requestId (a report's: its content digest), all distinct; session.sessionId = the
 * payload's dialog Call-ID or null, session.dialog = payload.dialog, session.stream =
 * payload.stream (exports only), serviceContext "aipref-enforcer"; task = {type:
 * "aipref-<telemetry|aggregate|report>", apt: payload.apt ?? []}; expiresAt = payload.expiresAt
 * (null for reports), and no request reaches the service at or after its expiresAt.
 */
import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { LiveChild, ensureBuilt } from '../../live/live-helpers.js';
import { exportLineId, type ExportLine } from '../../../src/export/exporter.js';
import type { AiServiceRequest } from '../../../src/export/ai-service-message.js';
import { startHttp, tempDirEachTest, wait } from './helpers.js';

const temp = tempDirEachTest('live-');

/** `n` SRs from `ssrc`, each with one report block on `about`, to 127.0.0.1:port. */
async function sendSrs(port: number, ssrc: number, about: number, n: number): Promise<void> {
  const s = createSocket('udp4');
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(52);
    b[0] = 0x81;
    b[1] = 200;
    b.writeUInt16BE(12, 2);
    b.writeUInt32BE(ssrc, 4);
    b.writeUInt32BE(0x83aa7e80 + i, 8);
    b.writeUInt32BE(1000 * i, 16);
    b.writeUInt32BE(10 * i, 20);
    b.writeUInt32BE(1000 * i, 24);
    b.writeUInt32BE(about, 28);
    b.writeUInt32BE(0x01000002, 32); // fraction 1/256, 2 lost
    b.writeUInt32BE(100 + i, 36);
    b.writeUInt32BE(40, 40);
    await new Promise((r) => s.send(b, port, '127.0.0.1', r));
    await wait(5);
  }
  s.close();
}

async function fileLines(out: string, prefix: string): Promise<ExportLine[]> {
  const lines: ExportLine[] = [];
  for (const name of (await readdir(out)).filter((n) => n.startsWith(prefix) && n.endsWith('.ndjson')))
    for (const t of (await readFile(path.join(out, name), 'utf8')).split('\n')) if (t !== '') lines.push(JSON.parse(t) as ExportLine);
  return lines;
}

function checkForm(bodies: { body: AiServiceRequest; at: number }[], exportsFile: ExportLine[], reportsFile: ExportLine[]): void {
  const fileLinesAll = [...exportsFile, ...reportsFile];
  expect(bodies.map((b) => b.body.payload).sort(byId)).toEqual([...fileLinesAll].sort(byId));
  const ids = bodies.map((b) => b.body.requestId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const { body, at } of bodies) {
    const p = body.payload;
    expect(Object.keys(body).sort()).toEqual(['contentType', 'expiresAt', 'payload', 'requestId', 'session', 'task']);
    expect(body.requestId).toBe(exportLineId(p));
    if (p.type === 'telemetry' || p.type === 'aggregate') expect(body.requestId).toBe(p.requestId);
    expect(body.contentType).toBe('application/json');
    const kind = p.type === 'telemetry' || p.type === 'aggregate' ? p.type : 'report';
    expect(body.task).toEqual({ type: `aipref-${kind}`, apt: p.apt ?? [] });
    const session: Record<string, unknown> = { sessionId: p.dialog?.callId ?? null, dialog: p.dialog ?? null, serviceContext: 'aipref-enforcer' };
    if (kind !== 'report') session.stream = (p as { stream: unknown }).stream;
    expect(body.session).toEqual(session);
    expect(body.expiresAt).toBe(kind === 'report' ? null : (p as { expiresAt: number | null }).expiresAt);
    if (body.expiresAt !== null) expect(at).toBeLessThan(body.expiresAt);
  }
}
const byId = (a: ExportLine, b: ExportLine) => exportLineId(a).localeCompare(exportLineId(b));

describe('live --to: the seed 001 request of every line', () => {
  it('over HTTP POST (raw telemetry and reports)', async () => {
    await ensureBuilt();
    const policy = path.join(temp.dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));
    const service = await startHttp((_h, _n, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    temp.cleanups.push(service.close);
    const out = path.join(temp.dir, 'out');
    await mkdir(out);
    const { live, addresses } = await LiveChild.start([
      '--udp', '127.0.0.1:0', '--policy', policy, '--to', `${service.url}/v1/ai`, '--token', 'tok-live', '--spool', path.join(temp.dir, 'spool'),
      '--out', out, '--workers', '0', '--batch-ms', '5', '--quiet',
    ]);
    try {
      await sendSrs(addresses.udp!.port, 0x11111111, 0x22222222, 3);
      await sendSrs(addresses.udp!.port, 0x22222222, 0x11111111, 2);
      for (let i = 0; i < 100 && service.hits.length < 7; i++) await wait(50);
      await wait(300);
      expect(await live.terminate(15_000)).toBe(0);
    } finally {
      live.child.kill('SIGKILL');
    }
    const exportsFile = await fileLines(out, 'exports.');
    const reportsFile = await fileLines(out, 'reports.');
    expect(exportsFile.length).toBe(5);
    expect(reportsFile.length).toBeGreaterThanOrEqual(2);
    for (const h of service.hits) {
      expect(h.method).toBe('POST');
      expect(h.url).toBe('/v1/ai');
      expect(h.headers.authorization).toBe('Bearer tok-live');
      expect(h.headers['content-type']).toBe('application/json');
      expect(h.headers['x-request-id']).toBe((JSON.parse(h.body) as AiServiceRequest).requestId);
    }
    checkForm(service.hits.map((h) => ({ body: JSON.parse(h.body) as AiServiceRequest, at: Date.now() / 1000 })), exportsFile, reportsFile);
  }, 40_000);

  it('over a WebSocket (aggregates, 1 s window, and reports), one text message per line', async () => {
    await ensureBuilt();
    const policy = path.join(temp.dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'apt-d', window: '1s' }));
    const messages: { body: AiServiceRequest; at: number; binary: boolean }[] = [];
    const authorizations: (string | undefined)[] = [];
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws, req) => {
      authorizations.push(req.headers.authorization);
      ws.on('message', (data, binary) => {
        const body = JSON.parse(data.toString()) as AiServiceRequest;
        messages.push({ body, at: Date.now() / 1000, binary });
        ws.send(JSON.stringify({ requestId: body.requestId, status: 'success' }));
      });
    });
    temp.cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    const out = path.join(temp.dir, 'out');
    await mkdir(out);
    const { live, addresses } = await LiveChild.start([
      '--udp', '127.0.0.1:0', '--policy', policy, '--to', `ws://127.0.0.1:${(wss.address() as { port: number }).port}/ai`, '--token', 'tok-ws', '--spool', path.join(temp.dir, 'spool'),
      '--out', out, '--workers', '0', '--batch-ms', '5', '--quiet',
    ]);
    try {
      await sendSrs(addresses.udp!.port, 0x11111111, 0x22222222, 3);
      await sendSrs(addresses.udp!.port, 0x22222222, 0x11111111, 2);
      for (let i = 0; i < 100 && messages.filter((m) => m.body.task.type === 'aipref-aggregate').length < 2; i++) await wait(50);
      await wait(300);
      expect(await live.terminate(15_000)).toBe(0);
    } finally {
      live.child.kill('SIGKILL');
    }
    const exportsFile = await fileLines(out, 'exports.');
    const reportsFile = await fileLines(out, 'reports.');
    expect(exportsFile.filter((l) => l.type === 'aggregate').length).toBeGreaterThanOrEqual(2);
    expect(exportsFile.filter((l) => l.type === 'telemetry')).toEqual([]);
    expect(authorizations).toEqual(['Bearer tok-ws']);
    expect(messages.every((m) => !m.binary)).toBe(true);
    checkForm(messages, exportsFile, reportsFile);
  }, 40_000);
});
