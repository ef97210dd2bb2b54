/**
 * Fuzzing: variants of a capture that exercise other layers before any mutation —
 * IPv4 fragments (every large datagram cut into 8-byte-aligned pieces) and SIP moved from UDP
 * onto TCP connections (plain or WebSocket, its messages compressed or not), its messages split
 * across segments.
 */
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { buildIpv4Tcp, fragmentIpv4, TcpFlag } from '../../native-free/frame-builder.js';
import { createHash } from 'node:crypto';
import { inline, type Master, rewriteSdp, srtcp } from '../e2e/srtcp-helpers.js';
import { type Capture, cloneCapture, classify, locate, type Rec, replacePayload, Rng } from './mutate.js';

const ip4 = (d: Uint8Array, at: number) => `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;

/** Every Ethernet/IPv4 UDP record with more than `over` bytes of IP payload, fragmented. */
export function fragmentedCapture(base: Capture, over = 160, piece = 128): Capture {
  const c = cloneCapture(base);
  const out: Rec[] = [];
  let id = 1;
  for (const r of c.records) {
    const l = locate(c.linkType, r.data);
    if (c.linkType !== 1 || !l || l.ips.length !== 1 || l.ips[0]!.v !== 4 || l.ips[0]!.at !== 14 || l.payloadEnd - l.ips[0]!.at - 20 <= over) {
      out.push(r);
      continue;
    }
    const ipPacket = r.data.slice(14, l.payloadEnd);
    // a fresh identification per datagram
    ipPacket[4] = (id >> 8) & 0xff;
    ipPacket[5] = id & 0xff;
    id = (id % 65535) + 1;
    for (const f of fragmentIpv4(ipPacket, piece)) {
      const data = new Uint8Array(14 + f.length);
      data.set(r.data.subarray(0, 14));
      data.set(f, 14);
      out.push({ sec: r.sec, usec: r.usec, data, origLen: data.length });
    }
  }
  c.records = out;
  return c;
}

const enc = new TextEncoder();

function wsFrame(payload: Uint8Array, masked: boolean, rng: Rng, first = 0x81): Uint8Array {
  const head: number[] = [first];
  const m = masked ? 0x80 : 0;
  if (payload.length < 126) head.push(m | payload.length);
  else head.push(m | 126, payload.length >> 8, payload.length & 0xff);
  if (!masked) return Uint8Array.from([...head, ...payload]);
  const mask = [rng.int(256), rng.int(256), rng.int(256), rng.int(256)];
  return Uint8Array.from([...head, ...mask, ...payload.map((b, i) => b ^ mask[i & 3]!)]);
}

/**
 * A message as permessage-deflate sends it (RFC 7692 §7.2.1, context takeover): raw DEFLATE with
 * the direction's earlier messages as history, a sync flush, its 00 00 ff ff removed. One frame
 * with RSV1 (§6.1): tshark 4.0 inflates no message split into fragments.
 */
function deflated(message: Uint8Array, history: Uint8Array): Uint8Array {
  const out = deflateRawSync(message, { finishFlush: zlibConstants.Z_SYNC_FLUSH, ...(history.length > 0 ? { dictionary: history } : {}) });
  return out.subarray(0, out.length - 4);
}

/**
 * SIP over UDP (Ethernet/IPv4) moved onto one TCP connection per address pair, opened (and, for
 * WebSocket, upgraded) before its first message; each message goes in one to three segments.
 * `deflate` (WebSocket only): both handshakes name permessage-deflate, every message is compressed
 * (deflated), and the client connects from an ephemeral port, as a browser does (tshark,
 * which keeps one inflater per server port, reads both directions only then).
 */
export function sipOverTcpCapture(base: Capture, websocket: boolean, seed = 1, deflate = false): Capture {
  const c = cloneCapture(base);
  const rng = new Rng(seed);
  const out: Rec[] = [];
  const conns = new Map<string, { client: string; seq: Map<string, number>; port: number }>();
  /** per direction: the last 32 KiB it sent, the compressor's history */
  const sent = new Map<string, Uint8Array>();
  const extensions = deflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : '';
  for (const r of c.records) {
    const l = locate(c.linkType, r.data);
    if (c.linkType !== 1 || !l || l.proto !== 17 || l.ips[0]!.v !== 4 || classify(r.data, l) !== 'sip') {
      out.push(r);
      continue;
    }
    const ip = l.ips[0]!.at;
    const src = ip4(r.data, ip + 12);
    const dst = ip4(r.data, ip + 16);
    const sport = (r.data[l.l4]! << 8) | r.data[l.l4 + 1]!;
    const dport = (r.data[l.l4 + 2]! << 8) | r.data[l.l4 + 3]!;
    const me = `${src}:${sport}`;
    const peer = `${dst}:${dport}`;
    const key = me < peer ? `${me}|${peer}` : `${peer}|${me}`;
    const seg = (from: string, flags: number, payload: Uint8Array) => {
      const conn = conns.get(key)!;
      const other = from === me ? peer : me;
      const portOf = (side: string) => (side === conn.client ? conn.port : side === me ? sport : dport);
      const [s, sp] = [from === me ? src : dst, portOf(from)];
      const [d, dp] = [from === me ? dst : src, portOf(other)];
      const seq = conn.seq.get(from)!;
      const data = buildIpv4Tcp({ src: s, dst: d, sport: sp, dport: dp, seq, ack: conn.seq.get(other)!, flags, payload });
      conn.seq.set(from, (seq + payload.length + (flags & TcpFlag.SYN ? 1 : 0) + (flags & TcpFlag.FIN ? 1 : 0)) >>> 0);
      out.push({ sec: r.sec, usec: r.usec, data, origLen: data.length });
    };
    if (!conns.has(key)) {
      conns.set(key, { client: me, seq: new Map([[me, 1000 + rng.int(1e6)], [peer, 5000 + rng.int(1e6)]]), port: deflate ? 49152 + conns.size : sport });
      seg(me, TcpFlag.SYN, new Uint8Array(0));
      seg(peer, TcpFlag.SYN | TcpFlag.ACK, new Uint8Array(0));
      seg(me, TcpFlag.ACK, new Uint8Array(0));
      if (websocket) {
        seg(me, TcpFlag.ACK | TcpFlag.PSH, enc.encode(`GET / HTTP/1.1\r\nHost: ${dst}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n${extensions}\r\n`));
        seg(peer, TcpFlag.ACK | TcpFlag.PSH, enc.encode(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n${extensions}\r\n`));
      }
    }
    const conn = conns.get(key)!;
    const message = r.data.slice(l.payload, l.payloadEnd);
    let bytes: Uint8Array = message;
    if (websocket && deflate) {
      const history = sent.get(`${me}>${peer}`) ?? new Uint8Array(0);
      bytes = wsFrame(deflated(message, history), conn.client === me, rng, 0xc1);
      sent.set(`${me}>${peer}`, Uint8Array.from([...history, ...message]).slice(-32 * 1024));
    } else if (websocket) bytes = wsFrame(message, conn.client === me, rng);
    const parts = rng.pick([1, 1, 2, 3]);
    const cuts = [0, ...Array.from({ length: parts - 1 }, () => 1 + rng.int(bytes.length - 1)).sort((a, b) => a - b), bytes.length];
    for (let k = 0; k + 1 < cuts.length; k++) if (cuts[k + 1]! > cuts[k]!) seg(me, TcpFlag.ACK | TcpFlag.PSH, bytes.slice(cuts[k], cuts[k + 1]));
  }
  c.records = out;
  return c;
}

/** RFC 8949 encoding of JSON's data model (definite lengths, shortest integer heads, floats as float64). */
export function encodeCbor(v: unknown): Uint8Array {
  const out: number[] = [];
  const head = (major: number, n: number) => {
    if (n < 24) out.push((major << 5) | n);
    else if (n < 256) out.push((major << 5) | 24, n);
    else if (n < 65536) out.push((major << 5) | 25, n >> 8, n & 255);
    else out.push((major << 5) | 26, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  };
  const item = (x: unknown): void => {
    if (x === null) out.push(0xf6);
    else if (x === true) out.push(0xf5);
    else if (x === false) out.push(0xf4);
    else if (typeof x === 'number' && Number.isInteger(x) && Math.abs(x) < 2 ** 32) head(x >= 0 ? 0 : 1, x >= 0 ? x : -1 - x);
    else if (typeof x === 'number') {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, x);
      out.push(0xfb, ...new Uint8Array(b.buffer));
    } else if (typeof x === 'string') {
      const bytes = new TextEncoder().encode(x);
      head(3, bytes.length);
      out.push(...bytes);
    } else if (Array.isArray(x)) {
      head(4, x.length);
      x.forEach(item);
    } else {
      const entries = Object.entries(x as Record<string, unknown>);
      head(5, entries.length);
      for (const [k, val] of entries) {
        item(k);
        item(val);
      }
    }
  };
  item(v);
  return Uint8Array.from(out);
}

/** call-small's aipref+json part (frame 7) as application/aipref+cbor. */
export function cborBodyCapture(base: Capture): Capture {
  const c = cloneCapture(base);
  for (const r of c.records) {
    const l = locate(c.linkType, r.data);
    if (!l || classify(r.data, l) !== 'sip') continue;
    const text = new TextDecoder('latin1').decode(r.data.subarray(l.payload, l.payloadEnd));
    const ct = text.indexOf('Content-Type: application/aipref+json');
    if (ct < 0) continue;
    const start = text.indexOf('{', ct);
    const end = text.lastIndexOf('}') + 1;
    const cbor = encodeCbor(JSON.parse(text.slice(start, end)));
    let next = text.slice(0, ct) + 'Content-Type: application/aipref+cbor' + text.slice(ct + 'Content-Type: application/aipref+json'.length, start) + String.fromCharCode(...cbor) + text.slice(end);
    const blank = next.indexOf('\r\n\r\n');
    next = next.replace(/^Content-Length: *\d+/im, `Content-Length: ${next.length - blank - 4}`);
    replacePayload(r, l, Uint8Array.from(next, (ch) => ch.charCodeAt(0) & 0xff));
  }
  return c;
}

/**
 * SDES-SRTP: every SDP's m-lines made RTP/SAVP(F) with an a=crypto key per sending address
 * (derived from the address, so the seed is the same every run), every RTCP compound over
 * IPv4 sent as SRTCP under its sender's key (test/e2e/srtcp-helpers.ts's sender).
 */
export function srtpCapture(base: Capture): Capture {
  const c = cloneCapture(base);
  const sides = new Map<string, { m: Master; index: number }>();
  const side = (ip: string) => {
    let s = sides.get(ip);
    if (s === undefined) {
      const digest = createHash('sha256').update(ip).digest();
      sides.set(ip, (s = { m: { key: digest.subarray(0, 16), salt: digest.subarray(16, 30) }, index: 0 }));
    }
    return s;
  };
  for (const r of c.records) {
    const l = locate(c.linkType, r.data);
    if (!l || l.proto !== 17 || l.ips[0]?.v !== 4) continue;
    const src = ip4(r.data, l.ips[0].at + 12);
    const kind = classify(r.data, l);
    const payload = r.data.subarray(l.payload, l.payloadEnd);
    if (kind === 'sip') {
      const key = inline(side(src).m);
      const text = rewriteSdp(new TextDecoder('latin1').decode(payload), (body) =>
        body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`),
      );
      if (text !== null) replacePayload(r, l, Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff));
    } else if (kind === 'rtcp') {
      const s = side(src);
      replacePayload(r, l, srtcp(payload, s.m, ++s.index));
    }
  }
  return c;
}
