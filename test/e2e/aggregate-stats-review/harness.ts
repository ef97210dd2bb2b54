/**
 * Hand-built captures for the aggregate-statistics review: packets placed at chosen capture
 * times (A 10.0.0.1, B 10.0.0.2), RTCP written byte by byte (../e2e/aggregate-audit/wire.ts),
 * RTP written byte by byte here (RFC 3550 §5.1), replayed with 0 and 2 workers (same lines).
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';
import { parseLines, policyOf, replayLines, type PcapRecord, type Workspace, writePcapRecords } from '../e2e-helpers.js';

export const T0 = 1767225600;
export const A = '10.0.0.1';
export const B = '10.0.0.2';
const enc = new TextEncoder();

export interface Pkt {
  t: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

function sipMsg(head: string[], body: string | null): Uint8Array {
  const b = body ?? '';
  const lines = [...head, ...(body !== null ? ['Content-Type: application/sdp'] : []), `Content-Length: ${enc.encode(b).length}`];
  return enc.encode(lines.join('\r\n') + '\r\n\r\n' + b);
}

export const CALL = 'agg-review@10.0.0.1';

/** INVITE (A→B) at t, 200 OK at t+0.01, ACK at t+0.02; AI-Pref on the INVITE. */
export function call(t: number, offer: string, answer: string, aiPref = 'AI-Pref: apt-agg;scope=dialog'): Pkt[] {
  const common = (m: string) => [`Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${m}`, `From: <sip:a@${A}>;tag=ft`, `Call-ID: ${CALL}`];
  return [
    { t, src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', ...common('inv'), `To: <sip:b@${B}>`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}>`, aiPref], offer) },
    { t: t + 0.01, src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 200 OK', ...common('inv'), `To: <sip:b@${B}>;tag=tt`, 'CSeq: 1 INVITE', `Contact: <sip:b@${B}>`], answer) },
    { t: t + 0.02, src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', ...common('ack'), `To: <sip:b@${B}>;tag=tt`, 'CSeq: 1 ACK'], null) },
  ];
}

export function sdp(addr: string, media: string[][]): string {
  return ['v=0', `o=u 1 1 IN IP4 ${addr}`, 's=-', `c=IN IP4 ${addr}`, 't=0 0', ...media.flat(), ''].join('\r\n');
}

/** RFC 3550 §5.1 fixed header, no CSRC, no extension, 20 bytes of payload. */
export function rtpBytes(pt: number, seq: number, ts: number, ssrc: number): Uint8Array {
  const b = Buffer.alloc(32);
  b[0] = 0x80;
  b[1] = pt & 0x7f;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return Uint8Array.from(b);
}

export const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

export const POLICY = policyOf({ apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' }, 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } });

let n = 0;
export async function run(ws: Workspace, pkts: Pkt[], policy: PolicyFile = POLICY, windowSec = 10) {
  const records: PcapRecord[] = [...pkts].sort((a, b) => a.t - b.t).map((p) => ({ ts: T0 + p.t, data: buildEthernetIpv4Udp(p) }));
  const file = await ws.file(`agg-${n++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const one = await replayLines({ capture: file, policy, explain: true, windowSec });
  const two = await replayLines({ capture: file, policy, explain: true, windowSec, workers: 2 });
  expect(two.exports).toEqual(one.exports);
  return {
    file,
    exports: parseLines<any>(one.exports),
    aggs: parseLines<any>(one.exports).filter((e) => e.type === 'aggregate'),
    decisions: parseLines<any>(one.decisions),
    reports: parseLines<any>(one.reports),
  };
}

/** SDES (RFC 3550 §6.5): one chunk, CNAME then PRIV (prefix, value) when given. */
export function sdesBytes(ssrc: number, cname: string, priv?: { prefix: string; value: string }): Uint8Array {
  const items: number[] = [];
  const c = Buffer.from(cname, 'latin1');
  items.push(1, c.length, ...c);
  if (priv) {
    const p = Buffer.from(priv.prefix, 'latin1');
    const v = Buffer.from(priv.value, 'latin1');
    items.push(8, 1 + p.length + v.length, p.length, ...p, ...v);
  }
  items.push(0);
  while ((items.length + 4) % 4 !== 0) items.push(0);
  const body = Buffer.alloc(4);
  body.writeUInt32BE(ssrc >>> 0, 0);
  const all = Buffer.concat([body, Buffer.from(items)]);
  const head = Buffer.from([0x81, 202, 0, 0]);
  head.writeUInt16BE(all.length / 4, 2);
  return Uint8Array.from(Buffer.concat([head, all]));
}
