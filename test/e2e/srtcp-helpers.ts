/**
 * Helpers for the SRTCP tests: the sample call rewritten (its SDP and its RTCP) record by record, and an
 * SRTCP sender written independently of src/media/srtcp.ts (RFC 3711 §3.4, §4.1.1, §4.3 with
 * node:crypto's AES-ECB as the block function), so that MKI, E=0 and any key can be produced.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { parseLines, type ReplayLines, type ReportLine, type Workspace } from './e2e-helpers.js';
import { editSample, type Udp, udp } from './sample-edits.js';

export { type Udp, udp };

export const isRtcp = (p: Uint8Array) => p.length >= 8 && p[0]! >> 6 === 2 && p[1]! >= 192 && p[1]! <= 223;
export const isSip = (u: Udp) => u.sport === 5060 || u.dport === 5060;

/** A SIP message's body rewritten by `f` (Content-Length set again); null when it has no SDP. */
export function rewriteSdp(text: string, f: (body: string, startLine: string) => string): string | null {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0 || !/\r\nm=/.test(text)) return null;
  const body = f(text.slice(split + 4), text.slice(0, text.indexOf('\r\n')));
  return text.slice(0, split).replace(/(\r\n(?:Content-Length|l):\s*)\d+/i, `$1${Buffer.byteLength(body)}`) + '\r\n\r\n' + body;
}

/** Each record through `f` (frame numbers from 1): a new UDP payload, or null to keep it. */
export function rewriteSample(ws: Workspace, name: string, f: (frame: number, u: Udp) => Uint8Array | null): Promise<string> {
  return editSample(ws, name, {
    map: (frame, u) => {
      const payload = f(frame, u);
      return payload === null ? undefined : { ...u, payload };
    },
  });
}

/**
 * The sample with one master key per side (by source address): each SDP rewritten by `sdp`
 * (given the body, the start line and the side's inline key), each RTCP compound sent as SRTCP
 * under the sender's key.
 */
export function keyedSample(ws: Workspace, name: string, sdp: (body: string, startLine: string, key: string) => string): Promise<string> {
  const sides = new Map<string, { m: Master; index: number }>();
  const side = (ip: string) => {
    let s = sides.get(ip);
    if (s === undefined) sides.set(ip, (s = { m: newMaster(), index: 0 }));
    return s;
  };
  return rewriteSample(ws, name, (_frame, u) => {
    if (isSip(u)) {
      const out = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body, start) => sdp(body, start, inline(side(u.src).m)));
      return out === null ? null : Buffer.from(out, 'latin1');
    }
    if (!isRtcp(u.payload)) return null;
    const s = side(u.src);
    return srtcp(u.payload, s.m, ++s.index);
  });
}

// ---- the sample rewritten SIP, RTCP, addresses and snap length together -----------------------

export interface Side {
  m: Master;
  key: string;
  index: number;
}

export interface Rewrite {
  /** the SDP of a SIP message (its side's key): a new body, or null to leave the message as it is */
  sdp?: (body: string, start: string, side: Side, frame: number) => string | null;
  /** an RTCP datagram (plain, as the sample has it): a new UDP datagram (addresses included), null to leave it out, undefined to keep it */
  rtcp?: (frame: number, u: Udp, side: Side) => Udp | null | undefined;
  /** a record after the rest: cut it (bytes left out of the UDP payload) */
  cut?: (frame: number, u: Udp, original: Udp) => number;
}

/** The sample rewritten; each side (source address) has its own master key. */
export function rewrite(ws: Workspace, name: string, o: Rewrite): Promise<string> {
  const sides = new Map<string, Side>();
  const side = (ip: string) => {
    let s = sides.get(ip);
    if (s === undefined) {
      const m = newMaster();
      sides.set(ip, (s = { m, key: inline(m), index: 0 }));
    }
    return s;
  };
  return editSample(ws, name, {
    map: (frame, u) => {
      if (isSip(u)) {
        if (!o.sdp) return undefined;
        const text = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body, start) => o.sdp!(body, start, side(u.src), frame) ?? body);
        return text === null ? undefined : { ...u, payload: Buffer.from(text, 'latin1') };
      }
      return isRtcp(u.payload) && o.rtcp ? o.rtcp(frame, u, side(u.src)) : undefined;
    },
    ...(o.cut && { cut: o.cut }),
  });
}

export const savp = (body: string) => body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1');
export const withCrypto = (body: string, line: string) => body.replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:${line}`);

export const reportsOf = (r: ReplayLines, type: string) => parseLines<ReportLine>(r.reports).filter((x) => x.type === type);
export const decidedFrames = (r: ReplayLines) => [...new Set(parseLines<{ frame: number }>(r.decisions).map((d) => d.frame))].sort((a, b) => a - b);
export const total = (r: ReplayLines) => Object.values(r.result.summary.telemetry).reduce((a, b) => a + b, 0);

// ---- SRTCP sender (RFC 3711), independent of src/media/srtcp.ts --------------------------------

export interface Master {
  key: Buffer;
  salt: Buffer;
}

export const newMaster = (keyBytes = 16): Master => ({ key: randomBytes(keyBytes), salt: randomBytes(14) });
export const inline = (m: Master) => Buffer.concat([m.key, m.salt]).toString('base64');

function aesBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null);
  c.setAutoPadding(false);
  return c.update(block);
}

/** AES-CM keystream (RFC 3711 §4.1.1): blocks E(k, IV + i), the counter in the low 16 bits. */
function keystream(key: Buffer, iv: Buffer, bytes: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 16 < bytes; i++) {
    const block = Buffer.from(iv);
    block.writeUInt16BE((iv.readUInt16BE(14) + i) & 0xffff, 14);
    out.push(aesBlock(key, block));
  }
  return Buffer.concat(out).subarray(0, bytes);
}

/** §4.3.1/§4.3.3 with kdr 0: x = label (at byte 7 of the 14-byte salt) ⊕ salt, IV = x·2¹⁶. */
function derive(m: Master, label: number, bytes: number): Buffer {
  const iv = Buffer.alloc(16);
  m.salt.copy(iv, 0);
  iv[7]! ^= label;
  return keystream(m.key, iv, bytes);
}

export interface SrtcpOptions {
  /** the E flag (RFC 3711 §3.4): false for UNENCRYPTED_SRTCP (RFC 4568 §6.3.2) */
  encrypt?: boolean;
  mki?: Buffer;
}

/** An SRTCP packet (RFC 3711 §3.4) of `plain` under `m` with SRTCP index `index`. */
export function srtcp(plain: Uint8Array, m: Master, index: number, o: SrtcpOptions = {}): Buffer {
  const encrypt = o.encrypt ?? true;
  const ke = derive(m, 3, m.key.length);
  const ka = derive(m, 4, 20);
  const ks = derive(m, 5, 14);
  const p = Buffer.from(plain);
  let body = p.subarray(8);
  if (encrypt) {
    const iv = Buffer.alloc(16);
    ks.copy(iv, 0);
    for (let i = 0; i < 4; i++) iv[4 + i]! ^= p[4 + i]!;
    const idx = Buffer.alloc(4);
    idx.writeUInt32BE(index & 0x7fffffff);
    for (let i = 0; i < 4; i++) iv[10 + i]! ^= idx[i]!;
    const s = keystream(ke, iv, body.length);
    body = Buffer.from(body.map((b, i) => b ^ s[i]!));
  }
  const word = Buffer.alloc(4);
  word.writeUInt32BE(((encrypt ? 0x80000000 : 0) | (index & 0x7fffffff)) >>> 0);
  const authenticated = Buffer.concat([p.subarray(0, 8), body, word]);
  const tag = createHmac('sha1', ka).update(authenticated).digest().subarray(0, 10);
  return Buffer.concat([authenticated, o.mki ?? Buffer.alloc(0), tag]);
}
