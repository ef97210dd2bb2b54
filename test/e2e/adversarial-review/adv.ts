/**
 * Adversarial captures for the review: one hand-built call (A 10.0.0.1 audio 4000 SSRC 1111,
 * B 10.0.0.2 audio 5000 SSRC 2222), signaling over UDP or one TCP connection, then whatever
 * hostile packets a test adds; replayed by the built CLI with --out in a tmpdir.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildEthernetIpv4Udp, buildIpv4Packet, buildIpv4Tcp, buildUdpDatagram, IpProtocol, parseIpv4, TcpFlag, wrapEthernet, EtherType } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const T0 = 1767225600;
export const CALL = 'adv-review@10.0.0.1';
const enc = new TextEncoder();
export const text = (s: string): Uint8Array => enc.encode(s);

export interface Rec { ts: number; data: Uint8Array }

export function sipMsg(head: string[], body: string | Uint8Array | null, contentType = 'application/sdp'): Uint8Array {
  const b = body === null ? new Uint8Array(0) : typeof body === 'string' ? text(body) : body;
  const lines = [...head, ...(body !== null ? [`Content-Type: ${contentType}`] : []), `Content-Length: ${b.length}`];
  const h = text(lines.join('\r\n') + '\r\n\r\n');
  const out = new Uint8Array(h.length + b.length);
  out.set(h);
  out.set(b, h.length);
  return out;
}
export const invite = (body: string | Uint8Array | null, headers: string[] = [], contentType?: string, transport = 'UDP'): Uint8Array =>
  sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', `Via: SIP/2.0/${transport} 10.0.0.1:5060;branch=z9hG4bKinv1`, 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', `Call-ID: ${CALL}`, 'CSeq: 1 INVITE', 'Contact: <sip:a@10.0.0.1:5060>', ...headers], body, contentType);
export const ok = (body: string | null, headers: string[] = [], transport = 'UDP'): Uint8Array =>
  sipMsg(['SIP/2.0 200 OK', `Via: SIP/2.0/${transport} 10.0.0.1:5060;branch=z9hG4bKinv1`, 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>;tag=bbb', `Call-ID: ${CALL}`, 'CSeq: 1 INVITE', 'Contact: <sip:b@10.0.0.2:5060>', ...headers], body);
export const ack = (transport = 'UDP'): Uint8Array =>
  sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', `Via: SIP/2.0/${transport} 10.0.0.1:5060;branch=z9hG4bKack1`, 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>;tag=bbb', `Call-ID: ${CALL}`, 'CSeq: 1 ACK'], null);

export function sdp(party: 'a' | 'b', extraSession: string[] = [], media: string[] | null = null): string {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const port = party === 'a' ? 4000 : 5000;
  const ssrc = party === 'a' ? 1111 : 2222;
  const m = media ?? [`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:${party}`, 'a=sendrecv'];
  return ['v=0', `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', ...extraSession, ...m, ''].join('\r\n');
}

export const udp = (fromA: boolean, sport: number, dport: number, payload: Uint8Array, id?: number): Uint8Array =>
  buildEthernetIpv4Udp({ src: fromA ? '10.0.0.1' : '10.0.0.2', dst: fromA ? '10.0.0.2' : '10.0.0.1', sport, dport, payload, ...(id !== undefined ? { id } : {}) });

/** An IPv4 fragment of a UDP datagram: `offset` in bytes, `more` the MF flag. */
export function ipv4Fragment(fromA: boolean, id: number, offset: number, more: boolean, payload: Uint8Array): Uint8Array {
  const ip = buildIpv4Packet({ src: parseIpv4(fromA ? '10.0.0.1' : '10.0.0.2'), dst: parseIpv4(fromA ? '10.0.0.2' : '10.0.0.1'), protocol: IpProtocol.UDP, payload, id, fragmentOffset: offset, moreFragments: more });
  return wrapEthernet(EtherType.IPV4, ip);
}
export { buildUdpDatagram, parseIpv4 };

/** One TCP connection A:5060 → B:5060 carrying `stream` in segments of `mss` bytes (with SYN/SYN-ACK). */
export function tcpRecords(ts: number, streams: { fromA: boolean; bytes: Uint8Array }[], mss = 1400): Rec[] {
  const A = { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060 };
  const B = { src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 5060 };
  const out: Rec[] = [];
  let seqA = 1000, seqB = 5000;
  out.push({ ts, data: buildIpv4Tcp({ ...A, seq: seqA++, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
  out.push({ ts, data: buildIpv4Tcp({ ...B, seq: seqB++, ack: seqA, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
  for (const s of streams) {
    for (let i = 0; i < s.bytes.length; i += mss) {
      const chunk = s.bytes.subarray(i, i + mss);
      if (s.fromA) {
        out.push({ ts, data: buildIpv4Tcp({ ...A, seq: seqA, ack: seqB, flags: TcpFlag.PSH, payload: chunk }) });
        seqA += chunk.length;
      } else {
        out.push({ ts, data: buildIpv4Tcp({ ...B, seq: seqB, ack: seqA, flags: TcpFlag.PSH, payload: chunk }) });
        seqB += chunk.length;
      }
    }
  }
  return out;
}

export async function writeCapture(file: string, records: Rec[]): Promise<void> {
  const w = await PcapWriter.open(file, { linkType: 1 });
  for (const r of records) w.write(T0 + r.ts, r.data);
  await w.close();
}

export interface Run { raw: { reports: string; decisionsHash: string; exportsHash: string }; sizes: Record<string, number>; code: number; stdout: string; stderr: string; reports: Record<string, any>[]; decisions: number; exports: number; summary: Record<string, any> | null; ms: number; signal: string | null }

export async function replay(capture: string, workers: number, extra: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const out = await mkdtemp(path.join(tmpdir(), 'aipref-adv-out-'));
  const t = Date.now();
  const r = await new Promise<{ code: number; stdout: string; stderr: string; signal: string | null }>((resolve) => {
    execFile(process.execPath, [BIN, 'replay', capture, '--out', out, '--workers', String(workers), '--json', '--explain', ...extra], { maxBuffer: 256 << 20, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const e = err as { code?: number; signal?: string } | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr, signal: e?.signal ?? null });
    });
  });
  const ms = Date.now() - t;
  const lines = async (f: string) => (existsSync(path.join(out, f)) ? (await readFile(path.join(out, f), 'utf8')).split('\n').filter((l) => l !== '') : []);
  const sizes: Record<string, number> = {};
  for (const f of ['reports.ndjson', 'decisions.ndjson', 'exports.ndjson']) sizes[f] = existsSync(path.join(out, f)) ? (await stat(path.join(out, f))).size : -1;
  const read = async (f: string) => (existsSync(path.join(out, f)) ? await readFile(path.join(out, f), 'utf8') : '<none>');
  const hash = (t: string) => createHash('sha256').update(t).digest('hex');
  const raw = { reports: await read('reports.ndjson'), decisionsHash: hash(await read('decisions.ndjson')), exportsHash: hash(await read('exports.ndjson')) };
  const reports = (await lines('reports.ndjson')).map((l) => JSON.parse(l) as Record<string, any>);
  const decisions = (await lines('decisions.ndjson')).length;
  const exports = (await lines('exports.ndjson')).length;
  await rm(out, { recursive: true, force: true });
  let summary: Record<string, any> | null = null;
  try { summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Record<string, any>; } catch { summary = null; }
  return { ...r, raw, sizes, reports, decisions, exports, summary, ms };
}

export async function tmpCapture(name: string, records: Rec[]): Promise<{ file: string; cleanup: () => Promise<void>; bytes: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aipref-adv-'));
  const file = path.join(dir, name);
  await writeCapture(file, records);
  return { file, bytes: (await stat(file)).size, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The UDP call: INVITE (body given), 200 OK, ACK, then `after` records. */
export function udpCall(inviteBytes: Uint8Array, answer: Uint8Array = ok(sdp('b'))): Rec[] {
  return [
    { ts: 0, data: udp(true, 5060, 5060, inviteBytes) },
    { ts: 0.1, data: udp(false, 5060, 5060, answer) },
    { ts: 0.2, data: udp(true, 5060, 5060, ack()) },
  ];
}

export const byType = (reports: Record<string, any>[]): Record<string, number> => {
  const c: Record<string, number> = {};
  for (const r of reports) c[r.type] = (c[r.type] ?? 0) + 1;
  return c;
};

/** Replays with --workers 0 and 2; both must give the same files (README: byte-identical whatever n is). */
export async function replayBoth(capture: string, extra: string[] = []): Promise<[Run, Run]> {
  const a = await replay(capture, 0, extra);
  const b = await replay(capture, 2, extra);
  return [a, b];
}
export const malformedDetails = (r: Run): string[] => r.reports.filter((x) => x.type === 'malformed-input').map((x) => String(x.detail));
