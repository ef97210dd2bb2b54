/**
 * Differential harness: the sample call (samples/call-small.pcap, SIP over UDP on 5060) with its
 * SIP messages re-expressed over another transport — TCP segments, WebSocket frames, IP
 * fragments — every other record unchanged. Each output record carries a label: the original
 * frame it stands for (pieces inserted before a message carry the message's frame), so the
 * outputs of two variants can be compared after frame numbers are mapped back to labels.
 */
import { expect } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv4Packet, buildIpv4Tcp, buildIpv6Packet, buildTcpSegment, buildIpv6Udp, buildUdpDatagram, fragmentIpv4, ipv6FragmentBody, IpProtocol, parseIpv4, parseIpv6, TcpFlag, wrapEthernet, EtherType } from '../../../native-free/frame-builder.js';
import { looksLikeSip } from '../../../src/signaling/looks-like-sip.js';
import { loadPolicyFile, type PolicyFile } from '../../../src/policy/policy-file.js';
import { readPcapRecords, replayLines, SMALL_PCAP, SMALL_POLICY, type PcapRecord, type Workspace, writePcapRecords } from '../../e2e/e2e-helpers.js';
import { udp, type Udp } from '../../e2e/sample-edits.js';

export interface Labelled extends PcapRecord {
  /** the original frame (1-based) this record stands for */
  label: number;
}

export interface SampleRecord {
  frame: number;
  rec: PcapRecord;
  /** the SIP datagram, when the record is SIP over UDP */
  sip: Udp | null;
}

let cached: { header: Uint8Array; records: SampleRecord[] } | null = null;

export async function sample(): Promise<{ header: Uint8Array; records: SampleRecord[] }> {
  if (cached) return cached;
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  cached = {
    header,
    records: records.map((rec, i) => {
      const u = udp(rec);
      const sip = u !== null && (u.sport === 5060 || u.dport === 5060) && looksLikeSip(u.payload, 0, u.payload.length) ? u : null;
      return { frame: i + 1, rec, sip };
    }),
  };
  return cached;
}

let policy: PolicyFile | null = null;
export async function samplePolicy(): Promise<PolicyFile> {
  return (policy ??= await loadPolicyFile(SMALL_POLICY));
}

export async function writeLabelled(ws: Workspace, name: string, out: Labelled[]): Promise<{ file: string; labels: number[] }> {
  const { header } = await sample();
  const file = await ws.file(name);
  await writePcapRecords(file, header, out);
  return { file, labels: out.map((r) => r.label) };
}

/** The sample as it is, labelled (every record its own frame). */
export async function identity(): Promise<Labelled[]> {
  const { records } = await sample();
  return records.map((r) => ({ ...r.rec, label: r.frame }));
}

/** The sample with each SIP datagram's payload rewritten (the same for every transport). */
export function mapSip(records: SampleRecord[], f: (text: string, frame: number) => string): SampleRecord[] {
  return records.map((r) => (r.sip === null ? r : { ...r, sip: { ...r.sip, payload: Buffer.from(f(Buffer.from(r.sip.payload).toString('latin1'), r.frame), 'latin1') } }));
}

/** UDP as it was (each SIP datagram rebuilt from its payload). */
export function overUdp(records: SampleRecord[]): Labelled[] {
  return records.map((r) => (r.sip === null ? { ...r.rec, label: r.frame } : { ts: r.rec.ts, data: r.sip.src.includes(':') ? buildIpv6Udp(r.sip) : buildEthernetIpv4Udp(r.sip), label: r.frame }));
}

/** Any-version TCP frame. */
function tcpFrame(o: { src: string; dst: string; sport: number; dport: number; seq: number; ack?: number; flags: number; payload: Uint8Array }): Uint8Array {
  if (!o.src.includes(':')) return buildIpv4Tcp(o);
  const s = parseIpv6(o.src);
  const d = parseIpv6(o.dst);
  return wrapEthernet(EtherType.IPV6, buildIpv6Packet({ src: s, dst: d, protocol: IpProtocol.TCP, payload: buildTcpSegment(s, d, o) }));
}

/** The sample moved to IPv6 (SDP addresses too), as SampleRecords: media records rebuilt, SIP datagrams with v6 addresses. */
export function v6Records(records: SampleRecord[]): SampleRecord[] {
  const v6recs = overIpv6(records, 0);
  return records.map((r, i) => {
    if (r.sip === null) return { ...r, rec: { ts: r.rec.ts, data: v6recs[i]!.data } };
    const b = v6recs[i]!.data;
    const payload = b.subarray(14 + 40 + 8);
    return { ...r, sip: { src: v6(r.sip.src), dst: v6(r.sip.dst), sport: r.sip.sport, dport: r.sip.dport, payload } };
  });
}

// ---------------------------------------------------------------------------------------------
// TCP

export interface Piece {
  /** offset in the direction's byte stream of this message's bytes (relative to the message start) */
  from: number;
  to: number;
}

export interface TcpPlan {
  /**
   * For one message (its bytes), the segments to send, in capture order: [from, to) ranges of
   * the message; the LAST one is written at the message's own place, the others just before.
   * Ranges may overlap, repeat or come out of order.
   */
  pieces(msg: Uint8Array, frame: number, index: number): Piece[];
  /** bytes sent in the direction before the message (e.g. a keep-alive CRLFCRLF), in its own segment before it */
  before?(frame: number, index: number, firstOfDirection: boolean): Uint8Array | Uint8Array[] | null;
  /** open every connection with a SYN handshake (default true) */
  syn?: boolean;
  /** the first sequence number of each direction (default 1000 + 100000 n) */
  isn?: (n: number) => number;
  /** each message on a connection of its own (a fresh source port, SYN … FIN) */
  connectionPerMessage?: boolean | 'fin-in-data' | 'rst' | 'rst-from-peer';
  /** groups: a message sent together with the next one of its direction (coalesced into the next's segment) */
  coalesceWithNext?(frame: number, index: number): boolean;
}

interface Conn {
  seq: number;
}

/** The sample's SIP over TCP, one connection per address pair (the first sender the client). */
export function overTcp(records: SampleRecord[], plan: TcpPlan): Labelled[] {
  const out: Labelled[] = [];
  const dirs = new Map<string, Conn>();
  const opened = new Set<string>();
  const held = new Map<string, Uint8Array>();
  const sent = new Set<string>();
  let index = 0;
  const key = (u: Udp) => `${u.src}:${u.sport}>${u.dst}:${u.dport}`;
  const rev = (u: Udp) => `${u.dst}:${u.dport}>${u.src}:${u.sport}`;
  const pair = (u: Udp) => [u.src, u.dst].sort().join('|');
  const seg = (u: Udp, ts: number, label: number, seq: number, flags: number, payload: Uint8Array): Labelled => ({
    ts,
    label,
    data: tcpFrame({ src: u.src, dst: u.dst, sport: u.sport, dport: u.dport, seq, ack: dirs.get(rev(u))?.seq ?? 1, flags, payload }),
  });
  for (const r of records) {
    if (r.sip === null) {
      out.push({ ...r.rec, label: r.frame });
      continue;
    }
    const u = r.sip;
    const ts = r.rec.ts;
    const i = index++;
    if (plan.connectionPerMessage) {
      const fresh: Udp = { ...u, sport: 30000 + i };
      const me0 = (plan.isn?.(i) ?? 7000 + i * 1000) >>> 0;
      const peer0 = 900000 + i * 1000;
      out.push({ ts, label: r.frame, data: tcpFrame({ src: u.src, dst: u.dst, sport: fresh.sport, dport: u.dport, seq: me0, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
      out.push({ ts, label: r.frame, data: tcpFrame({ src: u.dst, dst: u.src, sport: u.dport, dport: fresh.sport, seq: peer0, ack: me0 + 1, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
      const mode = plan.connectionPerMessage;
      out.push({ ts, label: r.frame, data: tcpFrame({ src: u.src, dst: u.dst, sport: fresh.sport, dport: u.dport, seq: me0 + 1, ack: peer0 + 1, flags: TcpFlag.PSH | (mode === 'fin-in-data' ? TcpFlag.FIN : 0), payload: u.payload }) });
      if (mode === 'rst') out.push({ ts, label: r.frame, data: tcpFrame({ src: u.src, dst: u.dst, sport: fresh.sport, dport: u.dport, seq: me0 + 1 + u.payload.length, flags: TcpFlag.RST, payload: new Uint8Array(0) }) });
      else if (mode === 'rst-from-peer') out.push({ ts, label: r.frame, data: tcpFrame({ src: u.dst, dst: u.src, sport: u.dport, dport: fresh.sport, seq: peer0 + 1, ack: me0 + 1 + u.payload.length, flags: TcpFlag.RST, payload: new Uint8Array(0) }) });
      else {
        if (mode !== 'fin-in-data') out.push({ ts, label: r.frame, data: tcpFrame({ src: u.src, dst: u.dst, sport: fresh.sport, dport: u.dport, seq: me0 + 1 + u.payload.length, ack: peer0 + 1, flags: TcpFlag.FIN, payload: new Uint8Array(0) }) });
        out.push({ ts, label: r.frame, data: tcpFrame({ src: u.dst, dst: u.src, sport: u.dport, dport: fresh.sport, seq: peer0 + 1, ack: me0 + 2 + u.payload.length, flags: TcpFlag.FIN, payload: new Uint8Array(0) }) });
      }
      continue;
    }
    if (!dirs.has(key(u))) dirs.set(key(u), { seq: (plan.isn?.(dirs.size) ?? 1000 + dirs.size * 100000) >>> 0 });
    if (!dirs.has(rev(u))) dirs.set(rev(u), { seq: (plan.isn?.(dirs.size) ?? 1000 + dirs.size * 100000) >>> 0 });
    const me = dirs.get(key(u))!;
    if (!opened.has(pair(u)) && plan.syn !== false) {
      opened.add(pair(u));
      const back: Udp = { src: u.dst, dst: u.src, sport: u.dport, dport: u.sport, payload: new Uint8Array(0) };
      const peer = dirs.get(rev(u))!;
      out.push({ ts, label: r.frame, data: tcpFrame({ src: u.src, dst: u.dst, sport: u.sport, dport: u.dport, seq: (me.seq - 1) >>> 0, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
      out.push({ ts, label: r.frame, data: tcpFrame({ src: back.src, dst: back.dst, sport: back.sport, dport: back.dport, seq: (peer.seq - 1) >>> 0, ack: me.seq, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
      out.push(seg(u, ts, r.frame, me.seq, 0, new Uint8Array(0)));
    }
    const pre = plan.before?.(r.frame, i, !sent.has(key(u))) ?? null;
    sent.add(key(u));
    for (const p of pre === null ? [] : Array.isArray(pre) ? pre : [pre]) {
      if (p.length === 0) continue;
      out.push(seg(u, ts, r.frame, me.seq, TcpFlag.PSH, p));
      me.seq = (me.seq + p.length) >>> 0;
    }
    const own = u.payload;
    const waiting = held.get(key(u));
    held.delete(key(u));
    const msg = waiting ? Buffer.concat([waiting, own]) : own;
    if (plan.coalesceWithNext?.(r.frame, i)) {
      held.set(key(u), msg);
      continue;
    }
    const pieces = plan.pieces(msg, r.frame, i);
    for (const p of pieces) out.push(seg(u, ts, r.frame, (me.seq + p.from) >>> 0, TcpFlag.PSH, msg.subarray(p.from, p.to)));
    me.seq = (me.seq + msg.length) >>> 0;
  }
  return out;
}

/** UDP twin of a coalescing plan: a message held for the next of its direction goes in a datagram just before it. */
export function overUdpCoalesced(records: SampleRecord[], coalesceWithNext: (frame: number, index: number) => boolean): Labelled[] {
  const out: Labelled[] = [];
  const held = new Map<string, Udp[]>();
  let index = 0;
  for (const r of records) {
    if (r.sip === null) {
      out.push({ ...r.rec, label: r.frame });
      continue;
    }
    const k = `${r.sip.src}:${r.sip.sport}>${r.sip.dst}:${r.sip.dport}`;
    const i = index++;
    const list = [...(held.get(k) ?? []), r.sip];
    held.delete(k);
    if (coalesceWithNext(r.frame, i)) {
      held.set(k, list);
      continue;
    }
    for (const u of list) out.push({ ts: r.rec.ts, data: buildEthernetIpv4Udp(u), label: r.frame });
  }
  return out;
}

export const whole: TcpPlan = { pieces: (m) => [{ from: 0, to: m.length }] };
export const chunks = (n: number): TcpPlan => ({
  pieces: (m) => {
    const out: Piece[] = [];
    for (let at = 0; at < m.length; at += n) out.push({ from: at, to: Math.min(m.length, at + n) });
    return out;
  },
});

// ---------------------------------------------------------------------------------------------
// IP fragments

/** SIP datagrams as IPv4 fragments of at most `size` payload bytes; `order` reorders the fragment list (the last written at the message's place). */
export function overIpv4Fragments(records: SampleRecord[], size: number, order: (frags: Uint8Array[]) => Uint8Array[] = (f) => f): Labelled[] {
  const out: Labelled[] = [];
  let id = 1;
  for (const r of records) {
    if (r.sip === null) {
      out.push({ ...r.rec, label: r.frame });
      continue;
    }
    const u = r.sip;
    const src = parseIpv4(u.src);
    const dst = parseIpv4(u.dst);
    const packet = buildIpv4Packet({ src, dst, protocol: IpProtocol.UDP, payload: buildUdpDatagram(src, dst, u.sport, u.dport, u.payload), id: id++ });
    const frags = packet.length - 20 > size ? fragmentIpv4(packet, size) : [packet];
    for (const f of order(frags)) out.push({ ts: r.rec.ts, label: r.frame, data: wrapEthernet(EtherType.IPV4, f) });
  }
  return out;
}

/** IPv4 → IPv6 address of the sample's hosts (10.a.b.c → fd00::a:b:c). */
export const v6 = (v4: string): string => {
  const [, a, b, c] = v4.split('.');
  return `fd00::${a}:${b}:${c}`;
};

/** The whole sample carried over IPv6 (SDP c= lines rewritten too): media as unfragmented datagrams, SIP as fragments of `size` bytes (0: unfragmented). */
export function overIpv6(records: SampleRecord[], size: number, order: (frags: Uint8Array[]) => Uint8Array[] = (f) => f): Labelled[] {
  const out: Labelled[] = [];
  let id = 1;
  for (const r of records) {
    const u = r.sip ?? udp(r.rec);
    if (u === null) throw new Error(`frame ${r.frame} is not UDP`);
    const payload =
      r.sip === null
        ? u.payload
        : Buffer.from(
            Buffer.from(u.payload)
              .toString('latin1')
              .replace(/IN IP4 (\d+\.\d+\.\d+\.\d+)/g, (_m, a: string) => `IN IP6 ${v6(a)}`)
              .replace(/Content-Length: (\d+)\r\n\r\n([\s\S]*)$/i, (_m, _n, body: string) => `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`),
            'latin1',
          );
    const src = v6(u.src);
    const dst = v6(u.dst);
    if (r.sip === null || size === 0) {
      out.push({ ts: r.rec.ts, label: r.frame, data: buildIpv6Udp({ src, dst, sport: u.sport, dport: u.dport, payload }) });
      continue;
    }
    const s = parseIpv6(src);
    const d = parseIpv6(dst);
    const datagram = buildUdpDatagram(s, d, u.sport, u.dport, payload);
    const step = size & ~7;
    const frags: Uint8Array[] = [];
    const fid = id++;
    for (let off = 0; off < datagram.length; off += step) {
      const end = Math.min(datagram.length, off + step);
      frags.push(
        wrapEthernet(
          EtherType.IPV6,
          buildIpv6Packet({ src: s, dst: d, protocol: IpProtocol.UDP, payload: datagram.subarray(off, end), extensions: [{ type: IpProtocol.FRAGMENT, body: ipv6FragmentBody(off, end < datagram.length, fid) }] }),
        ),
      );
    }
    for (const f of order(frags)) out.push({ ts: r.rec.ts, label: r.frame, data: f });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running and comparing

export interface Normalised {
  summary: Record<string, unknown>;
  exports: unknown[];
  reports: unknown[];
  decisions: unknown[];
  bindings: unknown[];
}

/** A replay with frames mapped back to labels, telemetry request ids (which hash the frame) left out, and the packet count aside. */
export async function normalisedReplay(file: string, labels: number[], workers: number, pol?: PolicyFile): Promise<Normalised> {
  const run = await replayLines({ capture: file, policy: pol ?? (await samplePolicy()), workers, explain: true });
  const lab = (f: number) => (f >= 1 && f <= labels.length ? labels[f - 1] : `beyond:${f - labels.length}`);
  const fixDetail = (d: unknown) => (typeof d === 'string' ? d.replace(/frame (\d+)/g, (_m, n: string) => `frame ${lab(Number(n))}`) : d);
  const exports = run.exports.map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    if (o.type === 'telemetry') delete o.requestId;
    const item = o.item as Record<string, unknown> | undefined;
    if (item && typeof item.frame === 'number') item.frame = lab(item.frame);
    return o;
  });
  const reports = run.reports.map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    o.frame = lab(o.frame as number);
    if ('detail' in o) o.detail = fixDetail(o.detail);
    return o;
  });
  const decisions = run.decisions.map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    o.frame = lab(o.frame as number);
    return o;
  });
  const { packets: _p, ...summary } = run.result.summary as unknown as Record<string, unknown>;
  return { summary, exports, reports, decisions, bindings: run.result.bindings };
}

/** The sample's own outputs (UDP), normalised (cached per worker count). */
const baseline = new Map<string, Promise<Normalised>>();
export function udpBaseline(ws: Workspace, workers: number, records?: SampleRecord[], tag = 'plain'): Promise<Normalised> {
  const k = `${tag}/${workers}`;
  if (!baseline.has(k))
    baseline.set(
      k,
      (async () => {
        const { file, labels } = await writeLabelled(ws, `udp-${tag}-${workers}.pcap`, records ? overUdp(records) : await identity());
        return normalisedReplay(file, labels, workers);
      })(),
    );
  return baseline.get(k)!;
}

/** Compares section by section so a failure names what differs. */
export function expectSame(actual: Normalised, expected: Normalised): void {
  expect(actual.summary).toEqual(expected.summary);
  expect(actual.reports).toEqual(expected.reports);
  expect(actual.bindings).toEqual(expected.bindings);
  expect(actual.exports).toEqual(expected.exports);
  expect(actual.decisions).toEqual(expected.decisions);
}

// ---------------------------------------------------------------------------------------------
// WebSocket (RFC 6455, RFC 7118, RFC 7692)

import zlib from 'node:zlib';

/** A raw deflater keeping its window from message to message (context takeover): each call one message, its 00 00 ff ff tail taken off (RFC 7692 §7.2.1). */
export function messageDeflater(takeover = true): (bytes: Uint8Array) => Promise<Uint8Array> {
  if (!takeover) return async (bytes) => {
    const out = zlib.deflateRawSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return out.subarray(0, out.length - 4);
  };
  const d = zlib.createDeflateRaw();
  const got: Buffer[] = [];
  d.on('data', (c: Buffer) => got.push(c));
  return (bytes) =>
    new Promise((resolve) => {
      d.write(bytes);
      d.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        const all = Buffer.concat(got.splice(0));
        resolve(all.subarray(0, all.length - 4));
      });
    });
}

export interface WsFrameSpec {
  fin: boolean;
  rsv1?: boolean;
  opcode: number;
  payload: Uint8Array;
  mask: boolean;
  /** force the 16-bit or 64-bit length form */
  lengthForm?: 7 | 16 | 64;
}

export function wsFrame(f: WsFrameSpec, maskKey = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d)): Uint8Array {
  const n = f.payload.length;
  const form = f.lengthForm ?? (n < 126 ? 7 : n < 65536 ? 16 : 64);
  const head: number[] = [(f.fin ? 0x80 : 0) | (f.rsv1 ? 0x40 : 0) | f.opcode];
  const m = f.mask ? 0x80 : 0;
  if (form === 7) head.push(m | n);
  else if (form === 16) head.push(m | 126, n >> 8, n & 0xff);
  else head.push(m | 127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  const body = Uint8Array.from(f.payload);
  if (f.mask) {
    for (let i = 0; i < body.length; i++) body[i]! ^= maskKey[i & 3]!;
    return Uint8Array.from([...head, ...maskKey, ...body]);
  }
  return Uint8Array.from([...head, ...body]);
}

export interface WsPlan {
  /** the frames (each a byte array) carrying one message from `client` or not */
  frames(msg: Uint8Array, client: boolean, frame: number, index: number, dirKey: string): Promise<Uint8Array[]> | Uint8Array[];
  /** how the frames' bytes are cut into TCP segments (default: one segment per frame) */
  segments?(bytes: Uint8Array[], frame: number, index: number): Uint8Array[];
  /** the Upgrade handshake (default: plain, no extension); null: the capture began after it */
  handshake?: { request: string; response: string } | null;
  /** how the handshake request and response are cut into segments (default: one each); with `coalesceFirst`, the response shares its last segment with the server's first message */
  handshakeSegments?: (bytes: Uint8Array) => Uint8Array[];
  /** frames sent in the direction before the message (pings, keep-alives) */
  before?(client: boolean, frame: number, index: number, firstOfDirection: boolean): Uint8Array[];
}

export const upgrade = (extension: string | null) => ({
  request: `GET / HTTP/1.1\r\nHost: sip.example.net\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n${extension ? `Sec-WebSocket-Extensions: ${extension}\r\n` : ''}\r\n`,
  response: `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n${extension ? `Sec-WebSocket-Extensions: ${extension}\r\n` : ''}\r\n`,
});

/** The sample's SIP over WebSocket, one connection per address pair (the first sender the client, from port 40000+n to 443... here 80). */
export async function overWs(records: SampleRecord[], plan: WsPlan): Promise<Labelled[]> {
  const out: Labelled[] = [];
  interface End { src: string; dst: string; sport: number; dport: number; seq: number }
  const conns = new Map<string, { client: End; server: End; clientAddr: string }>();
  const sent = new Set<string>();
  let index = 0;
  const seg = (from: End, to: End, ts: number, label: number, flags: number, payload: Uint8Array): Labelled => {
    const rec = { ts, label, data: buildIpv4Tcp({ src: from.src, dst: from.dst, sport: from.sport, dport: from.dport, seq: from.seq, ack: to.seq, flags, payload }) };
    from.seq = (from.seq + payload.length + (flags & TcpFlag.SYN ? 1 : 0)) >>> 0;
    return rec;
  };
  for (const r of records) {
    if (r.sip === null) {
      out.push({ ...r.rec, label: r.frame });
      continue;
    }
    const u = r.sip;
    const ts = r.rec.ts;
    const i = index++;
    const pair = [u.src, u.dst].sort().join('|');
    let c = conns.get(pair);
    if (c === undefined) {
      const n = conns.size;
      c = {
        clientAddr: u.src,
        client: { src: u.src, dst: u.dst, sport: 40000 + n, dport: 80, seq: 1000 + n * 7919 },
        server: { src: u.dst, dst: u.src, sport: 80, dport: 40000 + n, seq: 900000 + n * 104729 },
      };
      conns.set(pair, c);
      const hs = plan.handshake === undefined ? upgrade(null) : plan.handshake;
      if (hs !== null) {
        out.push(seg(c.client, c.server, ts, r.frame, TcpFlag.SYN, new Uint8Array(0)));
        c.client.seq = (c.client.seq - 1) >>> 0;
        out.push({ ts, label: r.frame, data: buildIpv4Tcp({ ...c.server, ack: c.client.seq + 1, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
        c.server.seq = (c.server.seq + 1) >>> 0;
        c.client.seq = (c.client.seq + 1) >>> 0;
        const cut = plan.handshakeSegments ?? ((b: Uint8Array) => [b]);
        for (const p of cut(Buffer.from(hs.request, 'latin1'))) out.push(seg(c.client, c.server, ts, r.frame, TcpFlag.PSH, p));
        for (const p of cut(Buffer.from(hs.response, 'latin1'))) out.push(seg(c.server, c.client, ts, r.frame, TcpFlag.PSH, p));
      }
    }
    const client = u.src === c.clientAddr;
    const [from, to] = client ? [c.client, c.server] : [c.server, c.client];
    const dirKey = `${pair}/${client}`;
    const pre = plan.before?.(client, r.frame, i, !sent.has(dirKey)) ?? [];
    sent.add(dirKey);
    for (const p of pre) out.push(seg(from, to, ts, r.frame, TcpFlag.PSH, p));
    const frames = await plan.frames(u.payload, client, r.frame, i, dirKey);
    const segments = plan.segments ? plan.segments(frames, r.frame, i) : frames;
    for (const s of segments) out.push(seg(from, to, ts, r.frame, TcpFlag.PSH, s));
  }
  return out;
}

/** Cuts the joined frame bytes into segments of `n` bytes. */
export const cutInto = (n: number) => (frames: Uint8Array[]): Uint8Array[] => {
  const all = Buffer.concat(frames);
  const out: Uint8Array[] = [];
  for (let at = 0; at < all.length; at += n) out.push(all.subarray(at, Math.min(all.length, at + n)));
  return out;
};

/** Every Ethernet/IPv4 record (TCP or UDP) whose IP payload is over `size` bytes cut into fragments. */
export function fragmentAll(records: Labelled[], size: number, onlyTcp = true): Labelled[] {
  const out: Labelled[] = [];
  let id = 40000;
  for (const r of records) {
    const b = r.data;
    const isV4 = b.length > 34 && b[12] === 0x08 && b[13] === 0x00;
    if (!isV4 || (onlyTcp && b[23] !== 6) || b.length - 14 - 20 <= size) {
      out.push(r);
      continue;
    }
    const ip = Uint8Array.from(b.subarray(14));
    ip[4] = (id >> 8) & 0xff;
    ip[5] = id++ & 0xff;
    for (const f of fragmentIpv4(ip, size)) out.push({ ts: r.ts, label: r.label, data: wrapEthernet(EtherType.IPV4, f) });
  }
  return out;
}

/** The SIP message's body rewritten, its Content-Length set to the new body's byte length. */
export function withBody(text: string, f: (body: string) => string): string {
  const at = text.indexOf('\r\n\r\n');
  const head = text.slice(0, at);
  const body = Buffer.from(text.slice(at + 4), 'latin1').toString('utf8');
  const nb = f(body);
  const bytes = Buffer.from(nb, 'utf8');
  return head.replace(/\r\nContent-Length: *\d+/i, `\r\nContent-Length: ${bytes.length}`) + '\r\n\r\n' + bytes.toString('latin1');
}
