/**
 * `aipref-enforcer live` end to end, as a child process on loopback ephemeral ports: a
 * generated capture (capture times = now, so nothing has expired by the exporters' clock) is
 * sent with `replay --to` over HEPv3/UDP, over HEPv3/TCP (frames written back to back on one
 * connection), and as a UDP mirror; after SIGTERM the service's NDJSON exports and reports are
 * compared with an offline `replay` of the same capture.
 *
 * What differs, and why:
 * - HEPv3 (UDP and TCP) carries the original addresses, ports and capture times: the lines are
 *   the same, byte for byte once parsed. Frame numbers (and the telemetry requestIds made
 *   from them) are arrival positions; they equal the capture's here because every record of
 *   the generated capture is a UDP datagram and loopback keeps their order.
 * - A UDP mirror in ip-packet mode carries addresses and ports but not capture times: the
 *   listener stamps arrival. Everything derived from time differs — ts, expiresAt, window
 *   start/end, the aggregates' requestIds (made from the window times), the RTT statistics
 *   (arrival time − LSR − DLSR) — and nothing else.
 * - A plain UDP mirror carries only payloads: the addresses are the mirroring hop's, so no
 *   stream binds to its dialog by transport. The same RTCP items are judged, all unbound but
 *   those of the streams an a=ssrc line declares.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { mkdtemp, rm, writeFile, copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { generateCapture } from '../../samples/generator/generate-capture.js';
import { encodeHep, hepTimestamp, IpProtocolNumber } from '../../src/sources/hep.js';
import { isNativePcapAvailable } from '../../src/sources/native-pcap.js';
import { guessHepProtocol } from '../../src/sources/replay-sender.js';
import { cli, ensureBuilt, LiveChild, readLines, REPO, without, type Addresses } from './live-helpers.js';

const POLICY = path.join(REPO, 'samples/policy.json');
let dir: string;
let capture: string;
let offline: { exports: Record<string, unknown>[]; reports: Record<string, unknown>[]; summary: Record<string, unknown> };

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-'));
  capture = path.join(dir, 'capture.pcap');
  await generateCapture({ calls: 4, durationSec: 6, seed: 3, videoBytes: 200, packetRateScale: 0.2, startTime: Math.floor(Date.now() / 1000) }, capture);
  const out = path.join(dir, 'offline');
  const { stdout } = await cli(['replay', capture, '--policy', POLICY, '--out', out, '--workers', '0', '--json']);
  offline = { exports: await readLines(out, 'exports'), reports: await readLines(out, 'reports'), summary: JSON.parse(stdout) as Record<string, unknown> };
  expect(offline.exports.length).toBeGreaterThan(10);
  expect(offline.reports.length).toBeGreaterThan(2);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function scrape(addresses: Addresses, what: '/metrics' | '/healthz'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${addresses.metrics!.port}${what}`);
  return { status: res.status, text: await res.text() };
}

/** A counter's value in the Prometheus text (0 when the series is not there). */
function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Waits until the source's listener counted `n` received records (read from the socket), scraping /metrics. */
async function untilReceived(addresses: Addresses, source: string, n: number): Promise<void> {
  const series = `aipref_source_records_total{source="${source}",kind="received"}`;
  for (let i = 0; i < 200; i++) {
    if (metric((await scrape(addresses, '/metrics')).text, series) >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${source}: fewer than ${n} records received`);
}

async function startLive(name: string, extra: string[]): Promise<{ live: LiveChild; addresses: Addresses; out: string }> {
  const out = path.join(dir, name);
  const { live, addresses } = await LiveChild.start(['--metrics', '127.0.0.1:0', '--out', out, '--workers', '0', '--batch-ms', '5', ...extra]);
  return { live, addresses, out };
}

async function stopAndRead(live: LiveChild, out: string) {
  expect(await live.terminate()).toBe(0);
  const stop = await live.waitFor((l) => l.event === 'stop', 1000);
  return { exports: await readLines(out, 'exports'), reports: await readLines(out, 'reports'), summary: stop.summary as Record<string, unknown> };
}

/** Every UDP datagram of the capture as one HEPv3 frame, written back to back on one TCP connection. */
async function sendHepOverTcp(file: string, port: number): Promise<number> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const decoder = new PacketDecoder();
  const view = createPacketView();
  let sent = 0;
  for await (const batch of readCaptureBatches(file)) {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < batch.count; i++) {
      if (decoder.decode(batch, i, view) !== 'udp') continue;
      const payload = view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength);
      frames.push(encodeHep({ ipVersion: view.ipVersion, ipProtocol: IpProtocolNumber.UDP, src: view.src, dst: view.dst, sport: view.sport, dport: view.dport, ...hepTimestamp(view.ts), protocolType: guessHepProtocol(payload), payload }));
    }
    sent += frames.length;
    // one write of many frames: the listener's framer must cut them wherever reads end
    if (!socket.write(Buffer.concat(frames))) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  return sent;
}

describe('live beside a relay: the same exports and reports as an offline replay', () => {
  it('HEPv3 over UDP (replay --to hep://, speed 0): identical lines and summary', async () => {
    const { live, addresses, out } = await startLive('hep-udp', ['--hep', '127.0.0.1:0', '--policy', POLICY]);
    const { stdout } = await cli(['replay', capture, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0']);
    const sent = JSON.parse(stdout) as { sent: number; skipped: number };
    expect(sent.skipped).toBe(0);
    await untilReceived(addresses, 'hep', sent.sent);
    const got = await stopAndRead(live, out);
    expect(got.exports).toEqual(offline.exports);
    expect(got.reports).toEqual(offline.reports);
    expect(got.summary).toEqual(offline.summary);
  });

  it('HEPv3 over TCP (frames back to back on one connection), options from --config (flags win): identical lines', async () => {
    const config = path.join(dir, 'live.json');
    await writeFile(config, JSON.stringify({ hep: '127.0.0.1:0', policy: POLICY, out: path.join(dir, 'not-this-one'), 'batch-ms': 20, quiet: true }));
    const { live, addresses, out } = await startLive('hep-tcp', ['--config', config]);
    expect(addresses.hep!.tcp.port).toBe(addresses.hep!.udp.port);
    const sent = await sendHepOverTcp(capture, addresses.hep!.tcp.port);
    await untilReceived(addresses, 'hep', sent);
    const got = await stopAndRead(live, out);
    expect(got.exports).toEqual(offline.exports);
    expect(got.reports).toEqual(offline.reports);
    expect(existsSync(path.join(dir, 'not-this-one'))).toBe(false);
  });

  it('UDP mirror of whole IP packets (replay --to udp:// --udp-mode ip-packet): the same lines but for arrival-time fields', async () => {
    const { live, addresses, out } = await startLive('udp-ip', ['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet', '--policy', POLICY]);
    const { stdout } = await cli(['replay', capture, '--to', `udp://127.0.0.1:${addresses.udp!.port}`, '--udp-mode', 'ip-packet', '--speed', '0']);
    const sent = JSON.parse(stdout) as { sent: number };
    await untilReceived(addresses, 'udp', sent.sent);
    const got = await stopAndRead(live, out);
    const timeFields = ['ts', 'expiresAt', 'requestId', 'window', 'stats.rttMs'];
    // requestIds come from capture times too (telemetry: frame, item, time, SSRC; aggregates: window times): all differ
    expect(got.exports.filter((l) => l.type === 'telemetry').map((l) => l.requestId)).not.toEqual(offline.exports.filter((l) => l.type === 'telemetry').map((l) => l.requestId));
    expect(without(got.exports, timeFields)).toEqual(without(offline.exports, timeFields));
    expect(without(got.reports, ['ts'])).toEqual(without(offline.reports, ['ts']));
    expect(got.summary).toEqual(offline.summary);
  });

  it('plain UDP mirror (payloads only): the same RTCP items judged, all unbound but the a=ssrc streams; a junk datagram is counted and reported, /metrics and /healthz answer', async () => {
    const { live, addresses, out } = await startLive('udp-plain', ['--udp', '127.0.0.1:0', '--policy', POLICY]);
    const health = await scrape(addresses, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toMatchObject({ status: 'ok', stopping: false });
    const junk = createSocket('udp4');
    await new Promise<void>((resolve, reject) => junk.send(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff]), addresses.udp!.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    junk.close();
    await live.waitFor((l) => l.event === 'malformed-datagram');
    const { stdout } = await cli(['replay', capture, '--to', `udp://127.0.0.1:${addresses.udp!.port}`, '--speed', '0']);
    const sent = JSON.parse(stdout) as { sent: number };
    await untilReceived(addresses, 'udp', sent.sent + 1);
    // received is counted at the socket, the packets by the pipeline after it: on a loaded machine
    // (CI) the datagrams may still be queued when the receipt count is reached
    let metrics = (await scrape(addresses, '/metrics')).text;
    for (let i = 0; i < 100 && (metric(metrics, 'aipref_packets_total{proto="rtcp"}') < (offline.summary.rtcp as number) || metric(metrics, 'aipref_packets_total{proto="sip"}') < (offline.summary.sip as number)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      metrics = (await scrape(addresses, '/metrics')).text;
    }
    expect(metric(metrics, 'aipref_packets_total{proto="malformed"}')).toBe(1);
    expect(metric(metrics, 'aipref_packets_total{proto="rtcp"}')).toBe(offline.summary.rtcp);
    expect(metric(metrics, 'aipref_packets_total{proto="sip"}')).toBe(offline.summary.sip);
    expect(metric(metrics, 'aipref_source_malformed_total{source="udp"}')).toBe(1);
    expect(metrics).toContain('aipref_queue_depth{queue="packets"}');
    const total = (t: unknown) => Object.values(t as Record<string, number>).reduce((a, b) => a + b, 0);
    // every RTCP item decided, counted by outcome (unbound with no default: all dropped, by reason)
    let decided = 0;
    for (let i = 0; i < 100 && decided < total(offline.summary.telemetry); i++) {
      const text = (await scrape(addresses, '/metrics')).text;
      decided = ['export', 'aggregate', 'drop'].reduce((n, o) => n + metric(text, `aipref_decisions_total{outcome="${o}"}`), 0);
      if (decided < total(offline.summary.telemetry)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(decided).toBe(total(offline.summary.telemetry));
    expect((await scrape(addresses, '/metrics')).text).toMatch(/aipref_drops_total\{reason="[a-z-]+"\} \d+/);
    const got = await stopAndRead(live, out);
    expect(total(got.summary.telemetry)).toBe(total(offline.summary.telemetry));
    expect(got.summary.rtcp).toBe(offline.summary.rtcp);
    expect(got.summary.sip).toBe(offline.summary.sip);
    expect(got.summary.dialogs).toBe(offline.summary.dialogs);
    // every stream is unbound but those an a=ssrc line declares (their RTCP names them, and a
    // peer's report block about one is that call's stream, not a second, unbound one)
    const bindings = JSON.parse((await cli(['bindings', capture, '--policy', POLICY, '--json'])).stdout) as { ssrc: number; via: string }[];
    const declared = bindings.filter((b) => b.via === 'a=ssrc').map((b) => b.ssrc);
    expect(declared.length).toBeGreaterThan(0);
    const unbound = got.reports.filter((r) => r.type === 'unbound-stream');
    expect(unbound.filter((r) => declared.includes(r.ssrc as number))).toEqual([]);
    expect(unbound.length).toBe((offline.summary.streams as number) - declared.length);
    const malformed = got.reports.filter((r) => r.type === 'malformed-input');
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toMatchObject({ frame: 0, dialog: null });
    expect(String(malformed[0]!.detail)).toMatch(/neither RTP, RTCP nor SIP/);
  });

  it('HEP junk (not HEPv3) is counted and reported, and the service goes on', async () => {
    const { live, addresses, out } = await startLive('hep-junk', ['--hep', '127.0.0.1:0', '--policy', POLICY]);
    const junk = createSocket('udp4');
    await new Promise<void>((resolve, reject) => junk.send(Buffer.from('HEP3 but not really'), addresses.hep!.udp.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    junk.close();
    await live.waitFor((l) => l.event === 'malformed-datagram' && l.source === 'hep');
    const { stdout } = await cli(['replay', capture, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0']);
    await untilReceived(addresses, 'hep', (JSON.parse(stdout) as { sent: number }).sent + 1);
    const got = await stopAndRead(live, out);
    expect(got.exports).toEqual(offline.exports);
    const malformed = got.reports.filter((r) => r.type === 'malformed-input');
    expect(malformed).toHaveLength(1);
    expect(got.reports.filter((r) => r.type !== 'malformed-input')).toEqual(offline.reports);
  });

  it('--hep-auth-key: frames without the key or with another are counted and logged once per host; replay --to sends with the key', async () => {
    const { live, addresses, out } = await startLive('hep-auth', ['--hep', '127.0.0.1:0', '--hep-auth-key', 'k1', '--policy', POLICY]);
    const sock = createSocket('udp4');
    const refused = (authKey?: string) =>
      encodeHep({ ipVersion: 4, ipProtocol: IpProtocolNumber.UDP, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, ...hepTimestamp(5), protocolType: 5, payload: Uint8Array.of(0x81, 0xc9, 0, 1, 0, 0, 0, 1), ...(authKey !== undefined && { authKey }) });
    for (const frame of [refused(), refused('k2'), refused('wrong')]) {
      await new Promise<void>((resolve, reject) => sock.send(frame, addresses.hep!.udp.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
    sock.close();
    await untilReceived(addresses, 'hep', 3);
    expect(metric((await scrape(addresses, '/metrics')).text, 'aipref_source_record_kinds_total{source="hep",kind="auth-rejected"}')).toBe(3);
    const { stdout } = await cli(['replay', capture, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0', '--hep-auth-key', 'k1']);
    await untilReceived(addresses, 'hep', (JSON.parse(stdout) as { sent: number }).sent + 3);
    const got = await stopAndRead(live, out);
    expect(got.exports).toEqual(offline.exports);
    expect(got.reports).toEqual(offline.reports);
    const logged = live.logs.filter((l) => l.event === 'hep-auth-rejected');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'warn', source: 'hep' });
    expect(String(logged[0]!.peer)).toMatch(/^udp:127\.0\.0\.1:\d+$/);
    expect(String(logged[0]!.reason)).toMatch(/^HEP frames with no auth key \(chunk 14\) are dropped/);
  });

  it('SIGHUP: a valid policy file is applied from the next batch on; an invalid one is logged and the old one kept', async () => {
    const full = JSON.parse(await readFile(POLICY, 'utf8')) as Record<string, unknown>;
    const file = path.join(dir, 'reloaded-policy.json');
    // at start: the same repository, but no APT statements at all, another default and another window
    await writeFile(file, JSON.stringify({ ...full, apts: {}, default: 'apt-dom-2', window: '30s' }));
    const { live, addresses, out } = await startLive('reload', ['--hep', '127.0.0.1:0', '--policy', file]);
    expect(await live.waitFor((l) => l.event === 'start')).toMatchObject({ windowSec: 30 });
    await copyFile(POLICY, file);
    live.child.kill('SIGHUP');
    const reload = await live.waitFor((l) => l.event === 'reload');
    expect(reload).toMatchObject({ apts: Object.keys(full.apts as object).length, default: null, windowSec: 10, changed: ['apts', 'default', 'window'] });
    await writeFile(file, JSON.stringify({ ...full, apts: { 'apt-dom-1': { type: 'domain', export: 'maybe' } } }));
    live.child.kill('SIGHUP');
    const failed = await live.waitFor((l) => l.event === 'reload-failed');
    expect(String(failed.error)).toMatch(/maybe/);
    expect((await scrape(addresses, '/healthz')).status).toBe(200);
    const { stdout } = await cli(['replay', capture, '--to', `hep://127.0.0.1:${addresses.hep!.udp.port}`, '--speed', '0']);
    await untilReceived(addresses, 'hep', (JSON.parse(stdout) as { sent: number }).sent);
    const got = await stopAndRead(live, out);
    // decided by the reloaded statements, default and window (the invalid file changed nothing): as offline with the full policy
    expect(got.exports).toEqual(offline.exports);
    expect(got.reports).toEqual(offline.reports);
  });

  it('refuses bad usage (exit 2) and a missing interface in one line (exit 1)', async () => {
    await expect(cli(['live'])).rejects.toMatchObject({ code: 2 });
    await expect(cli(['live', '--udp', 'nonsense'])).rejects.toMatchObject({ code: 2 });
    await expect(cli(['replay', capture, '--to', 'tcp://127.0.0.1:1'])).rejects.toMatchObject({ code: 2 });
    const err = await cli(['live', '--interface', 'no-such-interface-aipref0', '--out', path.join(dir, 'iface')]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    // (libpcap itself may warn on stderr first; the enforcer's own message is one line)
    const ours = err!.stderr.trim().split('\n').filter((l) => l.startsWith('aipref-enforcer'));
    expect(ours).toHaveLength(1);
    // with libpcap the interface is named; without the optional package, how to get it
    expect(ours[0]).toMatch((await isNativePcapAvailable()) ? /no-such-interface-aipref0/ : /optional native 'pcap' package.*apt-get install libpcap-dev/);
  });

  it('refuses an --out that cannot be a folder in one line (exit 1), before it listens', async () => {
    const blocker = path.join(dir, 'a-file-not-a-folder');
    await writeFile(blocker, 'x');
    const err = await cli(['live', '--udp', '127.0.0.1:0', '--out', path.join(blocker, 'out')]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err!.stderr.trim().split('\n')).toEqual([`aipref-enforcer live: --out ${path.join(blocker, 'out')}: ${blocker} is not a folder`]);
  });

  it('refuses an --uri-ca it cannot read in one line naming the flag and the file (exit 1)', async () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const err = await cli(['live', '--udp', '127.0.0.1:0', '--uri-ca', missing, '--out', path.join(dir, 'uri-ca')]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err!.stderr.trim().split('\n')).toEqual([`aipref-enforcer live: --uri-ca ${missing}: ENOENT`]);
  });
});
