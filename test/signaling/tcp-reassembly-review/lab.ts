/**
 * Lab for the TCP-reassembly review: Ethernet TCP segments (IPv4 or IPv6) with capture times,
 * written as a pcap, read by tshark (the oracle, `-o tcp.desegment_tcp_streams:TRUE`) and by
 * the packet feed (what SIP messages each frame completes).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { buildIpv4Tcp, buildIpv6Packet, buildTcpSegment, EtherType, IpProtocol, parseIpv6, TcpFlag, wrapEthernet } from '../../../native-free/frame-builder.js';
import { LinkType } from '../../../native-free/types.js';
import { PacketFeed } from '../../../src/pipeline/packet-feed.js';
import { batchOf } from '../../native-free/packet-helpers.js';

export { TcpFlag };

export interface Dir {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}
export const A: Dir = { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060 };
export const B: Dir = { src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 5060 };
export const A6: Dir = { src: 'fd00::1', dst: 'fd00::2', sport: 5060, dport: 5060 };
export const B6: Dir = { src: 'fd00::2', dst: 'fd00::1', sport: 5060, dport: 5060 };

export interface Rec {
  ts: number;
  data: Uint8Array;
}

const bytesOf = (p: string | Uint8Array) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p);

export function seg(dir: Dir, seq: number, flags: number, payload: string | Uint8Array = '', ts = 0, ack?: number): Rec {
  const pl = bytesOf(payload);
  const a = flags & TcpFlag.SYN && !(flags & TcpFlag.ACK) ? undefined : (ack ?? 1);
  const f = flags & ~TcpFlag.ACK;
  if (!dir.src.includes(':')) return { ts, data: buildIpv4Tcp({ ...dir, seq: seq >>> 0, ...(a !== undefined ? { ack: a } : {}), flags: f, payload: pl }) };
  const s = parseIpv6(dir.src);
  const d = parseIpv6(dir.dst);
  const tcp = buildTcpSegment(s, d, { sport: dir.sport, dport: dir.dport, seq: seq >>> 0, ...(a !== undefined ? { ack: a } : {}), flags: f, payload: pl });
  return { ts, data: wrapEthernet(EtherType.IPV6, buildIpv6Packet({ src: s, dst: d, protocol: IpProtocol.TCP, payload: tcp })) };
}

/** Gives records without a time 1000 + index (seconds). */
export function timed(recs: Rec[]): Rec[] {
  return recs.map((r, i) => (r.ts ? r : { ...r, ts: 1000 + i }));
}

let dir: string | null = null;
let n = 0;
// Vitest workers outlive a test file (no process 'exit' per file): each file importing the lab
// (a module of its own per file) removes its captures when it is done.
afterAll(() => {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});
export function writeCap(recs: Rec[]): string {
  dir ??= mkdtempSync(path.join(tmpdir(), 'tcp-reasm-'));
  const file = path.join(dir, `c${n++}.pcap`);
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(1, 20);
  const parts: Buffer[] = [head];
  for (const r of timed(recs)) {
    const h = Buffer.alloc(16);
    const sec = Math.floor(r.ts);
    h.writeUInt32LE(sec, 0);
    h.writeUInt32LE(Math.round((r.ts - sec) * 1e6), 4);
    h.writeUInt32LE(r.data.length, 8);
    h.writeUInt32LE(r.data.length, 12);
    parts.push(h, Buffer.from(r.data));
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** tshark's SIP per frame: [frame, ["METHOD callId" | "STATUS callId"]] */
export function tsharkSip(file: string, extra: string[] = []): [number, string[]][] {
  const out = execFileSync(
    'tshark',
    ['-r', file, '-Y', 'sip', '-o', 'tcp.desegment_tcp_streams:TRUE', ...extra, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'frame.number', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [frame, methods, statuses, callIds, cseqs] = l.split('\t');
      const ids = (callIds ?? '').split('|');
      const cs = (cseqs ?? '').split('|');
      return [Number(frame), ids.map((id, i) => `${(cs[i] ?? '').split(' ').pop()} ${id}`)] as [number, string[]];
    });
}

/** The feed's SIP per frame: messages as "METHOD-of-CSeq callId", errors as "reason: detail". */
export async function oursSip(recs: Rec[], toTheEnd = true): Promise<[number, string[]][]> {
  const out: [number, string[]][] = [];
  const feed = new PacketFeed({
    media() {},
    other() {},
    malformed() {},
    sip(messages, ctx) {
      out.push([ctx.frame, messages.map((m) => (m.message ? `${m.message.cseq?.method ?? '?'} ${m.message.callId}` : `${m.errors[0]?.reason}: ${m.errors[0]?.detail}`))]);
    },
  });
  const batch = batchOf(timed(recs).map((r) => ({ data: r.data, linkType: LinkType.ETHERNET, ts: r.ts })));
  if (toTheEnd)
    await feed.runBatches(
      (async function* () {
        yield batch;
      })(),
    );
  else await feed.feedBatch(batch);
  return out;
}

export function sipMsg(method: string, callId: string, body = '', extra = ''): string {
  return `${method} sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-${callId}\r\nFrom: <sip:a@x>;tag=a1\r\nTo: <sip:b@x>\r\nCall-ID: ${callId}\r\nCSeq: 1 ${method}\r\n${extra}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
}
