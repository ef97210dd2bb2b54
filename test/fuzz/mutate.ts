/**
 * Fuzzing: byte-level pcap mutations that keep the record framing valid (every record's
 * incl_len is the length of the data that follows), so a mutated capture stays readable and
 * only its packets are broken. Every mutation is a pure function of a seed (a small PRNG), so a
 * case is reproduced from (capture, mutation kinds, seed).
 */

export interface Rec {
  sec: number;
  usec: number;
  data: Uint8Array;
  origLen: number;
}

export interface Capture {
  header: Uint8Array;
  linkType: number;
  records: Rec[];
}

export function parsePcap(file: Uint8Array): Capture {
  // a plain Uint8Array copy: Buffer#slice is a view, and every record must own its bytes
  const bytes = new Uint8Array(file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
  const records: Rec[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const cap = dv.getUint32(at + 8, true);
    records.push({ sec: dv.getUint32(at, true), usec: dv.getUint32(at + 4, true), origLen: dv.getUint32(at + 12, true), data: bytes.slice(at + 16, at + 16 + cap) });
    at += 16 + cap;
  }
  return { header: bytes.slice(0, 24), linkType: dv.getUint32(20, true) & 0xffff, records };
}

export function serializePcap(c: Capture): Uint8Array {
  let size = 24;
  for (const r of c.records) size += 16 + r.data.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(c.header, 0);
  let at = 24;
  for (const r of c.records) {
    dv.setUint32(at, r.sec >>> 0, true);
    dv.setUint32(at + 4, r.usec >>> 0, true);
    dv.setUint32(at + 8, r.data.length, true);
    dv.setUint32(at + 12, r.origLen >>> 0, true);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}

export const cloneCapture = (c: Capture): Capture => ({ header: new Uint8Array(c.header), linkType: c.linkType, records: c.records.map((r) => ({ ...r, data: new Uint8Array(r.data) })) });

/** mulberry32 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Where the layers of one record lie (outermost IP first). */
export interface Layout {
  ips: { at: number; v: 4 | 6; hdrLen: number }[];
  l4: number;
  proto: number;
  l4HdrLen: number;
  payload: number;
  payloadEnd: number;
}

export function locate(linkType: number, d: Uint8Array): Layout | null {
  let at: number;
  let ethertype = -1;
  if (linkType === 1) {
    if (d.length < 14) return null;
    at = 12;
    ethertype = (d[at]! << 8) | d[at + 1]!;
    at += 2;
    while ((ethertype === 0x8100 || ethertype === 0x88a8) && at + 4 <= d.length) {
      ethertype = (d[at + 2]! << 8) | d[at + 3]!;
      at += 4;
    }
    if (ethertype !== 0x0800 && ethertype !== 0x86dd) return null;
  } else if (linkType === 101 || linkType === 12 || linkType === 14 || linkType === 228 || linkType === 229) at = 0;
  else if (linkType === 113) at = 16;
  else if (linkType === 276) at = 20;
  else if (linkType === 0 || linkType === 108) at = 4;
  else return null;
  const ips: Layout['ips'] = [];
  for (let depth = 0; depth < 4; depth++) {
    if (at + 1 > d.length) return null;
    const v = d[at]! >> 4;
    let next: number;
    let hdrLen: number;
    let end: number;
    if (v === 4) {
      hdrLen = (d[at]! & 15) * 4;
      if (hdrLen < 20 || at + hdrLen > d.length) return null;
      next = d[at + 9]!;
      end = at + ((d[at + 2]! << 8) | d[at + 3]!);
      ips.push({ at, v: 4, hdrLen });
    } else if (v === 6) {
      if (at + 40 > d.length) return null;
      hdrLen = 40;
      next = d[at + 6]!;
      end = at + 40 + ((d[at + 4]! << 8) | d[at + 5]!);
      // simple extension headers
      let p = at + 40;
      while ((next === 0 || next === 43 || next === 60 || next === 44) && p + 8 <= d.length) {
        const len = next === 44 ? 8 : (d[p + 1]! + 1) * 8;
        next = d[p]!;
        p += len;
      }
      hdrLen = p - at;
      ips.push({ at, v: 6, hdrLen });
    } else return null;
    const l4 = at + hdrLen;
    if (next === 4 || next === 41) {
      at = l4;
      continue;
    }
    if (next === 17) {
      if (l4 + 8 > d.length) return null;
      return { ips, l4, proto: 17, l4HdrLen: 8, payload: l4 + 8, payloadEnd: Math.min(d.length, Math.max(l4 + 8, end)) };
    }
    if (next === 6) {
      if (l4 + 20 > d.length) return null;
      const off = (d[l4 + 12]! >> 4) * 4;
      return { ips, l4, proto: 6, l4HdrLen: off, payload: Math.min(d.length, l4 + off), payloadEnd: Math.min(d.length, Math.max(l4 + off, end)) };
    }
    return null;
  }
  return null;
}

export type PayloadClass = 'sip' | 'rtcp' | 'rtp' | 'other' | 'none';

export function classify(d: Uint8Array, l: Layout | null): PayloadClass {
  if (!l) return 'none';
  const n = l.payloadEnd - l.payload;
  if (n <= 0) return 'none';
  const b0 = d[l.payload]!;
  if (n >= 8 && b0 >> 6 === 2) {
    const pt = d[l.payload + 1]!;
    if (pt >= 192 && pt <= 223) return 'rtcp';
    if (l.proto === 17) return 'rtp';
  }
  const head = new TextDecoder('latin1').decode(d.subarray(l.payload, Math.min(l.payloadEnd, l.payload + 400)));
  if (/SIP\/2\.0/.test(head)) return 'sip';
  return 'other';
}

function ipv4Checksum(d: Uint8Array, at: number, hdrLen: number): void {
  d[at + 10] = 0;
  d[at + 11] = 0;
  let sum = 0;
  for (let i = 0; i < hdrLen; i += 2) sum += (d[at + i]! << 8) | d[at + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  d[at + 10] = c >> 8;
  d[at + 11] = c & 0xff;
}

const put16 = (d: Uint8Array, at: number, v: number) => {
  d[at] = (v >> 8) & 0xff;
  d[at + 1] = v & 0xff;
};
const get16 = (d: Uint8Array, at: number) => (d[at]! << 8) | d[at + 1]!;

/** Replaces a record's payload, fixing IP total/payload lengths, UDP length and IPv4 checksums. */
export function replacePayload(r: Rec, l: Layout, payload: Uint8Array): void {
  const d = r.data;
  const delta = payload.length - (l.payloadEnd - l.payload);
  const out = new Uint8Array(d.length + delta);
  out.set(d.subarray(0, l.payload), 0);
  out.set(payload, l.payload);
  out.set(d.subarray(l.payloadEnd), l.payload + payload.length);
  for (const ip of l.ips) {
    if (ip.v === 4) {
      put16(out, ip.at + 2, Math.max(0, Math.min(0xffff, get16(out, ip.at + 2) + delta)));
      ipv4Checksum(out, ip.at, ip.hdrLen);
    } else put16(out, ip.at + 4, Math.max(0, Math.min(0xffff, get16(out, ip.at + 4) + delta)));
  }
  if (l.proto === 17) put16(out, l.l4 + 4, Math.max(0, Math.min(0xffff, get16(out, l.l4 + 4) + delta)));
  const wasWhole = r.origLen === d.length;
  r.data = out;
  if (wasWhole || r.origLen < out.length) r.origLen = out.length;
}

const latin1 = new TextDecoder('latin1');
const fromLatin1 = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);

// ---------------------------------------------------------------------------------------------
// mutations

export type MutationKind =
  | 'flip-byte'
  | 'sip-line'
  | 'sip-insert'
  | 'sip-byte'
  | 'rtcp-field'
  | 'rtp-field'
  | 'ip-field'
  | 'l4-field'
  | 'truncate'
  | 'orig-len'
  | 'records'
  | 'splice'
  | 'timestamps'
  | 'frag-field'
  | 'body-json'
  | 'body-bytes'
  | 'ws-frame';

export const MUTATION_KINDS: readonly MutationKind[] = ['flip-byte', 'sip-line', 'sip-insert', 'sip-byte', 'rtcp-field', 'rtp-field', 'ip-field', 'l4-field', 'truncate', 'orig-len', 'records', 'splice', 'timestamps', 'frag-field', 'body-json', 'body-bytes', 'ws-frame'];

export interface Mutated {
  /** 0-based indices of records whose bytes were changed (in the mutated capture) */
  touched: Set<number>;
  notes: string[];
  /** the kinds that changed something (a kind finds nothing to change in some captures) */
  applied: Set<MutationKind>;
}

interface Located {
  i: number;
  l: Layout;
  cls: PayloadClass;
}

function located(c: Capture): Located[] {
  return c.records.map((r, i) => {
    const l = locate(c.linkType, r.data);
    return { i, l: l!, cls: classify(r.data, l) };
  });
}

function pickOf(c: Capture, rng: Rng, cls: PayloadClass[]): Located | null {
  const all = located(c).filter((x) => cls.includes(x.cls));
  return all.length ? rng.pick(all) : null;
}

const BOUNDARY = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xfe, 0xff];
const boundary16 = [0, 1, 2, 3, 4, 5, 7, 8, 0x7fff, 0x8000, 0xfffe, 0xffff];
const randByte = (rng: Rng) => (rng.chance(0.5) ? rng.pick(BOUNDARY) : rng.int(256));

const SIP_NUMBERS = ['0', '-1', '1', '4294967295', '4294967296', '99999999999999999999', '1e9', 'NaN', '', ' ', '00', '65536', '-0', '0x10', '3.5'];
const SIP_GARBAGE = ['\r', '\n', '\0', ';', ',', ':', '=', '"', '<', '>', '\\', ' ', '\t', '\xff', '\xc3', '\u00e9', '%', '/', '*', '\r\n', '\r\n\r\n', ' \r\n '];

const INTERESTING_SDP = [
  'a=aipref:session apt-dom-1 export=raw features=media-metrics, rtcp-xr retention=24h',
  'a=aipref:mid apt-user-1 export=none',
  'a=aipref:group apt-reg-eu',
  'a=aipref:',
  'a=aipref:session',
  'a=aipref:bogus x',
  'a=aipref:session "quoted id" retention=99999999999999999999d',
  'a=aipref:session apt-x retention=-1s features=',
  'a=aipref:mid apt-x version=NaN',
  'a=aipref:session apt-x integrity=jws uri=<>',
  'a=ssrc:4294967295 cname:x',
  'a=ssrc:4294967296 cname:x',
  'a=ssrc:-1 mid:x',
  'a=ssrc:',
  'a=ssrc:abc',
  'a=ssrc-group:FID 1 2',
  'a=mid:',
  'a=mid:0',
  'a=mid:a b',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:15 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:0 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:4096 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:256/sendrecv urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:',
  'a=extmap-allow-mixed',
  'c=IN IP4 0.0.0.0',
  'c=IN IP6 ::',
  'c=IN IP6 ::ffff:10.0.0.1',
  'c=IN IP4 224.2.1.1/127/3',
  'c=IN IP4 999.1.1.1',
  'c=IN',
  'c=',
  'm=audio 0 RTP/AVP 0',
  'm=audio 65535 RTP/AVP 0',
  'm=audio 65536 RTP/AVP 0',
  'm=audio 4000/2 RTP/AVP 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'm=',
  'm=audio',
  'm=application 5000 UDP/DTLS/SCTP webrtc-datachannel',
  'a=group:BUNDLE',
  'a=group:BUNDLE 0 1 2 3 zz',
  'a=group:BUNDLE 0 0',
  'a=group:LS a',
  'a=rtcp-mux',
  'a=rtcp:0',
  'a=rtcp:65535 IN IP4 1.2.3.4',
  'a=rtcp:abc',
  'a=rtcp:9 IN IP6 ::1',
  'a=bundle-only',
  'a=inactive',
  'a=recvonly',
  'v=0',
  'o=- 0 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  '',
];

const INTERESTING_SIP = [
  'Content-Length: 0',
  'Content-Length: 100000',
  'Content-Length: -5',
  'Content-Length: 4294967296',
  'Content-Length: abc',
  'l: 3',
  'Content-Type: multipart/mixed;boundary=xyz',
  'Content-Type: multipart/mixed',
  'Content-Type: application/aipref+json',
  'Content-Type: application/aipref+cbor',
  'AI-Pref: apt-dom-1;scope=dialog',
  'AI-Pref: "q\\"x";scope=session;version=999999999999999999999',
  'AI-Pref: ;;;',
  'AI-Pref: apt-x;uri=<https://example.com/x>;integrity=jws',
  'AI-Pref: apt-a, apt-b;scope=dialog, ,',
  'AI-Pref:',
  'Call-ID:',
  'Call-ID: x',
  'From: <sip:a@b>',
  'To: <sip:a@b>;tag=',
  'CSeq: 99999999999 INVITE',
  'CSeq: 1 BYE',
  'CSeq: -1 INVITE',
  'CSeq:',
  'Warning: 399 aipref "refused"',
  'Via: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK',
  'Content-ID: <x>',
  'Content-Disposition: aipref',
  'Upgrade: websocket',
  ' folded continuation',
  '\tfolded',
  'X: ' + 'a'.repeat(5000),
];

function sipLines(text: string): { start: number; end: number }[] {
  const lines: { start: number; end: number }[] = [];
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    lines.push({ start: at, end: nl > at && text[nl - 1] === '\r' ? nl - 1 : nl });
    at = nl + 1;
  }
  return lines;
}

const INTERESTING_PREFIX = /^(a=(aipref|ssrc|mid|extmap|group|rtcp|bundle)|c=|m=|content-length|l:|content-type|c:|ai-pref|call-id|i:|cseq|from|to|f:|t:|content-id|--|warning)/i;

function mutateSipLine(payload: string, rng: Rng, notes: string[]): string {
  const lines = sipLines(payload);
  if (lines.length === 0) return payload;
  const interesting = lines.filter((ln) => INTERESTING_PREFIX.test(payload.slice(ln.start, ln.end)));
  const ln = interesting.length > 0 && rng.chance(0.8) ? rng.pick(interesting) : rng.pick(lines);
  const line = payload.slice(ln.start, ln.end);
  let repl: string;
  const op = rng.int(8);
  switch (op) {
    case 0: {
      // a number in the line replaced
      const nums = [...line.matchAll(/\d+/g)];
      if (nums.length === 0) repl = line + rng.pick(SIP_NUMBERS);
      else {
        const m = rng.pick(nums);
        repl = line.slice(0, m.index) + rng.pick(SIP_NUMBERS) + line.slice(m.index! + m[0].length);
      }
      break;
    }
    case 1:
      repl = '';
      payload = payload.slice(0, ln.start) + payload.slice(Math.min(payload.length, ln.end + 2));
      notes.push(`sip-line delete ${JSON.stringify(line.slice(0, 60))}`);
      return payload;
    case 2:
      repl = line + '\r\n' + line;
      break;
    case 3:
      repl = line.slice(0, rng.int(line.length + 1));
      break;
    case 4: {
      const at = rng.int(line.length + 1);
      repl = line.slice(0, at) + rng.pick(SIP_GARBAGE) + line.slice(at);
      break;
    }
    case 5: {
      // a token of the line replaced by a token of another line
      const other = payload.slice(rng.pick(lines).start, rng.pick(lines).end);
      const toks = line.split(/([ :;=,/])/);
      const otoks = other.split(/[ :;=,/]/).filter(Boolean);
      if (toks.length > 0 && otoks.length > 0) toks[rng.int(toks.length)] = rng.pick(otoks);
      repl = toks.join('');
      break;
    }
    case 6:
      repl = line.toUpperCase() === line ? line.toLowerCase() : line.toUpperCase();
      break;
    default: {
      const at = rng.int(line.length + 1);
      repl = line.slice(0, at) + String.fromCharCode(rng.int(256)) + line.slice(at + 1);
    }
  }
  notes.push(`sip-line ${JSON.stringify(line.slice(0, 60))} -> ${JSON.stringify(repl.slice(0, 60))}`);
  return payload.slice(0, ln.start) + repl + payload.slice(ln.end);
}

function insertSipLine(payload: string, rng: Rng, notes: string[]): string {
  const lines = sipLines(payload);
  const bodyAt = payload.indexOf('\r\n\r\n');
  const inBody = bodyAt >= 0 && rng.chance(0.6);
  const candidates = lines.filter((ln) => (inBody ? ln.start > bodyAt : ln.start <= bodyAt || bodyAt < 0));
  const ln = candidates.length ? rng.pick(candidates) : rng.pick(lines);
  const extra = inBody ? rng.pick(INTERESTING_SDP) : rng.pick(INTERESTING_SIP);
  notes.push(`sip-insert ${JSON.stringify(extra.slice(0, 80))} after ${JSON.stringify(payload.slice(ln.start, Math.min(ln.end, ln.start + 40)))}`);
  return payload.slice(0, ln.end) + '\r\n' + extra + payload.slice(ln.end);
}

/** RTCP packet headers of a compound: offsets of each packet in the payload. */
function rtcpPackets(d: Uint8Array, from: number, to: number): number[] {
  const out: number[] = [];
  let at = from;
  while (at + 4 <= to && out.length < 64) {
    out.push(at);
    const words = get16(d, at + 2);
    at += (words + 1) * 4;
  }
  return out;
}

function mutateRtcp(r: Rec, l: Layout, rng: Rng, notes: string[]): void {
  const d = r.data;
  const pkts = rtcpPackets(d, l.payload, l.payloadEnd);
  if (pkts.length === 0) return;
  const p = rng.pick(pkts);
  const pt = d[p + 1]!;
  const op = rng.int(8);
  if (op === 0) {
    // the length word
    const words = get16(d, p + 2);
    const v = rng.pick([0, 1, 2, words - 1, words + 1, words + 2, 0xffff, rng.int(64)]);
    put16(d, p + 2, v & 0xffff);
    notes.push(`rtcp pt ${pt} @${p - l.payload}: length ${words} -> ${v & 0xffff}`);
  } else if (op === 1) {
    // count / fmt bits, padding bit
    const old = d[p]!;
    d[p] = (old & 0xc0) | (rng.chance(0.3) ? 0x20 : old & 0x20) | rng.int(32);
    notes.push(`rtcp pt ${pt} @${p - l.payload}: first byte ${old} -> ${d[p]}`);
  } else if (op === 2) {
    // packet type
    const old = d[p + 1]!;
    d[p + 1] = rng.pick([200, 201, 202, 203, 204, 205, 206, 207, 192, 193, 195, 208, 223]);
    notes.push(`rtcp @${p - l.payload}: pt ${old} -> ${d[p + 1]}`);
  } else if (pt === 202 && op <= 5) {
    // SDES: an item length or type byte (including PRIV's prefix length)
    const end = Math.min(l.payloadEnd, p + (get16(d, p + 2) + 1) * 4);
    const spots: number[] = [];
    let at = p + 8;
    while (at + 2 <= end && spots.length < 40) {
      if (d[at] === 0) {
        at = p + 4 + Math.ceil((at + 1 - p - 4) / 4) * 4 + 4;
        continue;
      }
      spots.push(at, at + 1);
      if (d[at] === 8 && at + 2 < end) spots.push(at + 2);
      at += 2 + d[at + 1]!;
    }
    if (spots.length === 0) return;
    const s = rng.pick(spots);
    const old = d[s]!;
    d[s] = randByte(rng);
    notes.push(`rtcp SDES @${s - l.payload}: ${old} -> ${d[s]}`);
  } else if (pt === 207 && op <= 5) {
    // XR: a block's type or length
    const end = Math.min(l.payloadEnd, p + (get16(d, p + 2) + 1) * 4);
    const blocks: number[] = [];
    for (let at = p + 8; at + 4 <= end && blocks.length < 20; at += (get16(d, at + 2) + 1) * 4) blocks.push(at);
    if (blocks.length === 0) return;
    const b = rng.pick(blocks);
    if (rng.chance(0.6)) {
      const v = rng.pick(boundary16);
      notes.push(`rtcp XR block bt ${d[b]} @${b - l.payload}: length ${get16(d, b + 2)} -> ${v}`);
      put16(d, b + 2, v);
    } else {
      const old = d[b]!;
      d[b] = rng.pick([1, 2, 3, 4, 5, 6, 7, 8, 0, 255]);
      notes.push(`rtcp XR block @${b - l.payload}: bt ${old} -> ${d[b]}`);
    }
  } else {
    // a byte inside the packet (FCI, report blocks, names…)
    const end = Math.min(l.payloadEnd, p + (get16(d, p + 2) + 1) * 4);
    if (end <= p + 4) return;
    const s = p + 4 + rng.int(end - p - 4);
    const old = d[s]!;
    d[s] = randByte(rng);
    notes.push(`rtcp pt ${pt} body @${s - l.payload}: ${old} -> ${d[s]}`);
  }
}

function mutateRtp(r: Rec, l: Layout, rng: Rng, notes: string[]): void {
  const d = r.data;
  const p = l.payload;
  const n = l.payloadEnd - p;
  if (n < 12) return;
  const op = rng.int(6);
  if (op === 0) {
    const old = d[p]!;
    d[p] = (old & 0xf0) | rng.int(16);
    notes.push(`rtp CC ${old & 15} -> ${d[p]! & 15}`);
  } else if (op === 1) {
    d[p] = d[p]! | 0x10;
    const cc = d[p]! & 15;
    const at = p + 12 + cc * 4;
    if (at + 4 <= p + n) {
      const v = rng.pick(boundary16);
      notes.push(`rtp X=1, extension length ${get16(d, at + 2)} -> ${v}`);
      put16(d, at + 2, v);
    } else notes.push('rtp X=1 with no room for the extension header');
  } else if (op === 2) {
    d[p] = d[p]! | 0x20;
    const old = d[p + n - 1]!;
    d[p + n - 1] = randByte(rng);
    notes.push(`rtp P=1, padding count ${old} -> ${d[p + n - 1]}`);
  } else if (op === 3 && d[p]! & 0x10) {
    // a byte of the extension block (one-byte header element ids/lengths)
    const cc = d[p]! & 15;
    const at = p + 12 + cc * 4;
    const len = at + 4 <= p + n ? get16(d, at + 2) * 4 : 0;
    const s = at + rng.int(Math.max(1, Math.min(len + 4, p + n - at)));
    if (s < p + n) {
      const old = d[s]!;
      d[s] = randByte(rng);
      notes.push(`rtp extension byte @${s - p}: ${old} -> ${d[s]}`);
    }
  } else if (op === 4) {
    const s = p + rng.int(12);
    const old = d[s]!;
    d[s] = randByte(rng);
    notes.push(`rtp header byte ${s - p}: ${old} -> ${d[s]}`);
  } else {
    // version bits
    const old = d[p]!;
    d[p] = (old & 0x3f) | (rng.int(4) << 6);
    notes.push(`rtp first byte ${old} -> ${d[p]}`);
  }
}

function mutateIp(r: Rec, l: Layout, rng: Rng, notes: string[]): void {
  const d = r.data;
  const ip = rng.pick(l.ips);
  if (ip.v === 4) {
    const field = rng.pick(['ihl', 'total', 'frag', 'proto', 'version', 'mf', 'byte']);
    if (field === 'ihl') d[ip.at] = 0x40 | rng.int(16);
    else if (field === 'total') put16(d, ip.at + 2, rng.pick([...boundary16, get16(d, ip.at + 2) - 1, get16(d, ip.at + 2) + 1, get16(d, ip.at + 2) - 8, ip.hdrLen, ip.hdrLen + 7]) & 0xffff);
    else if (field === 'frag') put16(d, ip.at + 6, (rng.pick([0, 0x2000, 0x4000, 0x8000]) | rng.pick([0, 1, 2, 0x1fff, rng.int(0x2000)])) & 0xffff);
    else if (field === 'mf') put16(d, ip.at + 6, 0x2000);
    else if (field === 'proto') d[ip.at + 9] = rng.pick([0, 1, 4, 6, 17, 41, 47, 50, 132, 255]);
    else if (field === 'version') d[ip.at] = (rng.int(16) << 4) | (d[ip.at]! & 15);
    else d[ip.at + rng.int(ip.hdrLen)] = randByte(rng);
    notes.push(`ipv4 @${ip.at} ${field}`);
  } else {
    const field = rng.pick(['plen', 'next', 'version', 'byte']);
    if (field === 'plen') put16(d, ip.at + 4, rng.pick([...boundary16, get16(d, ip.at + 4) - 1, get16(d, ip.at + 4) + 1]) & 0xffff);
    else if (field === 'next') d[ip.at + 6] = rng.pick([0, 6, 17, 43, 44, 59, 60, 4, 41, 255]);
    else if (field === 'version') d[ip.at] = (rng.int(16) << 4) | (d[ip.at]! & 15);
    else d[ip.at + rng.int(40)] = randByte(rng);
    notes.push(`ipv6 @${ip.at} ${field}`);
  }
}

function mutateL4(r: Rec, l: Layout, rng: Rng, notes: string[]): void {
  const d = r.data;
  if (l.proto === 17) {
    const field = rng.pick(['len', 'sport', 'dport', 'csum']);
    if (field === 'len') put16(d, l.l4 + 4, rng.pick([...boundary16, get16(d, l.l4 + 4) - 1, get16(d, l.l4 + 4) + 1, 9]) & 0xffff);
    else if (field === 'sport') put16(d, l.l4, rng.pick([0, 5060, 5061, get16(d, l.l4) ^ 1, rng.int(65536)]));
    else if (field === 'dport') put16(d, l.l4 + 2, rng.pick([0, 5060, 5061, get16(d, l.l4 + 2) ^ 1, rng.int(65536)]));
    else put16(d, l.l4 + 6, rng.int(65536));
    notes.push(`udp ${field}`);
  } else {
    const field = rng.pick(['seq', 'seq-small', 'ack', 'off', 'flags', 'flags', 'sport']);
    if (field === 'seq') for (let k = 0; k < 4; k++) d[l.l4 + 4 + k] = rng.int(256);
    else if (field === 'seq-small') {
      const v = ((d[l.l4 + 4]! << 24) | (d[l.l4 + 5]! << 16) | (d[l.l4 + 6]! << 8) | d[l.l4 + 7]!) >>> 0;
      const nv = (v + rng.pick([-1, 1, -100, 100, -0x7fffffff, 0x80000000, rng.range(-2000, 2000)])) >>> 0;
      d[l.l4 + 4] = nv >>> 24;
      d[l.l4 + 5] = (nv >>> 16) & 255;
      d[l.l4 + 6] = (nv >>> 8) & 255;
      d[l.l4 + 7] = nv & 255;
    } else if (field === 'ack') for (let k = 0; k < 4; k++) d[l.l4 + 8 + k] = rng.int(256);
    else if (field === 'off') d[l.l4 + 12] = (rng.int(16) << 4) | (d[l.l4 + 12]! & 15);
    else if (field === 'flags') d[l.l4 + 13] = rng.pick([0x02, 0x12, 0x01, 0x11, 0x04, 0x14, 0x18, 0x10, 0x03, 0x07, 0xff, 0]);
    else put16(d, l.l4, rng.int(65536));
    notes.push(`tcp ${field}`);
  }
}

/** Applies one mutation of `kind` to `c` in place. `donors` are other captures to splice from. */
export function mutate(c: Capture, kind: MutationKind, rng: Rng, donors: readonly Capture[], out: Mutated): void {
  const n = c.records.length;
  if (n === 0) return;
  const notes = out.notes;
  switch (kind) {
    case 'flip-byte': {
      const i = rng.int(n);
      const r = c.records[i]!;
      if (r.data.length === 0) return;
      const at = rng.int(r.data.length);
      r.data[at] = r.data[at]! ^ (1 + rng.int(255));
      out.touched.add(i);
      notes.push(`flip-byte record ${i} byte ${at}`);
      return;
    }
    case 'sip-line':
    case 'sip-insert':
    case 'sip-byte': {
      const x = pickOf(c, rng, ['sip']);
      if (!x) return;
      const r = c.records[x.i]!;
      if (kind === 'sip-byte') {
        const s = x.l.payload + rng.int(x.l.payloadEnd - x.l.payload);
        r.data[s] = rng.chance(0.5) ? rng.pick([0, 0x0d, 0x0a, 0x20, 0x3a, 0x3b, 0x2c, 0x22, 0xff, 0x80, 0x30, 0x39]) : rng.int(256);
        notes.push(`sip-byte record ${x.i} payload byte ${s - x.l.payload}`);
      } else {
        const text = latin1.decode(r.data.subarray(x.l.payload, x.l.payloadEnd));
        const changed = kind === 'sip-line' ? mutateSipLine(text, rng, notes) : insertSipLine(text, rng, notes);
        replacePayload(r, x.l, fromLatin1(changed));
        notes[notes.length - 1] += ` (record ${x.i})`;
      }
      out.touched.add(x.i);
      return;
    }
    case 'rtcp-field':
    case 'rtp-field': {
      const rtcp = kind === 'rtcp-field';
      const x = pickOf(c, rng, [rtcp ? 'rtcp' : 'rtp']);
      if (!x) return;
      (rtcp ? mutateRtcp : mutateRtp)(c.records[x.i]!, x.l, rng, notes);
      notes[notes.length - 1] += ` (record ${x.i})`;
      out.touched.add(x.i);
      return;
    }
    case 'ip-field':
    case 'l4-field': {
      const x = pickOf(c, rng, rng.chance(0.5) ? ['sip'] : ['sip', 'rtp', 'rtcp', 'other']);
      if (!x) return;
      (kind === 'ip-field' ? mutateIp : mutateL4)(c.records[x.i]!, x.l, rng, notes);
      notes[notes.length - 1] += ` (record ${x.i}, ${x.cls})`;
      out.touched.add(x.i);
      return;
    }
    case 'truncate': {
      const x = rng.chance(0.7) ? pickOf(c, rng, ['sip', 'rtcp', 'rtp']) : null;
      const i = x ? x.i : rng.int(n);
      const r = c.records[i]!;
      const keep = x && rng.chance(0.6) ? x.l.payload + rng.int(Math.max(1, x.l.payloadEnd - x.l.payload)) : rng.int(r.data.length + 1);
      r.origLen = Math.max(r.origLen, r.data.length);
      r.data = r.data.slice(0, keep);
      out.touched.add(i);
      notes.push(`truncate record ${i} to ${keep} of ${r.origLen}`);
      return;
    }
    case 'orig-len': {
      const i = rng.int(n);
      const r = c.records[i]!;
      r.origLen = rng.pick([0, 1, r.data.length - 1, r.data.length + 1, 0xffffffff, 65535, 262145]) >>> 0;
      out.touched.add(i);
      notes.push(`orig-len record ${i} -> ${r.origLen}`);
      return;
    }
    case 'records': {
      const op = rng.pick(['dup', 'dup-many', 'drop', 'swap', 'move', 'reverse']);
      const i = rng.int(n);
      if (op === 'dup') c.records.splice(i, 0, { ...c.records[i]!, data: c.records[i]!.data.slice() });
      else if (op === 'dup-many') {
        const k = rng.range(2, 5);
        for (let j = 0; j < k; j++) c.records.splice(i, 0, { ...c.records[i]!, data: c.records[i]!.data.slice() });
      } else if (op === 'drop') c.records.splice(i, 1);
      else if (op === 'swap') {
        const j = rng.int(n);
        [c.records[i], c.records[j]] = [c.records[j]!, c.records[i]!];
      } else if (op === 'move') {
        const [r] = c.records.splice(i, 1);
        c.records.splice(rng.int(c.records.length + 1), 0, r!);
      } else {
        const j = Math.min(n, i + rng.range(2, 30));
        const part = c.records.slice(i, j).reverse();
        c.records.splice(i, part.length, ...part);
      }
      notes.push(`records ${op} at ${i}`);
      return;
    }
    case 'splice': {
      if (donors.length === 0) return;
      const donor = rng.pick(donors);
      if (donor.records.length === 0) return;
      const from = rng.int(donor.records.length);
      const len = rng.range(1, Math.min(20, donor.records.length - from));
      const at = rng.int(n + 1);
      const keepTs = rng.chance(0.5);
      const ref = c.records[Math.min(at, n - 1)]!;
      const part = donor.records.slice(from, from + len).map((r) => ({ ...r, data: r.data.slice(), ...(keepTs ? {} : { sec: ref.sec, usec: ref.usec }) }));
      c.records.splice(at, 0, ...part);
      notes.push(`splice ${len} records (link ${donor.linkType} into ${c.linkType}) from ${from} at ${at}${keepTs ? ' keeping their times' : ''}`);
      return;
    }
    case 'frag-field':
      mutateFragment(c, rng, out);
      return;
    case 'body-json':
    case 'body-bytes':
      mutateBody(c, kind, rng, out);
      return;
    case 'ws-frame':
      mutateWebSocket(c, rng, out);
      return;
    case 'timestamps': {
      const i = rng.int(n);
      const r = c.records[i]!;
      const op = rng.pick(['zero', 'max', 'back', 'back-far', 'usec-overflow', 'forward-far', 'all-same']);
      if (op === 'zero') {
        r.sec = 0;
        r.usec = 0;
      } else if (op === 'max') {
        r.sec = 0xffffffff;
        r.usec = 999999;
      } else if (op === 'back') r.sec = Math.max(0, r.sec - rng.range(1, 100));
      else if (op === 'back-far') r.sec = Math.max(0, r.sec - 86400 * 365);
      else if (op === 'usec-overflow') r.usec = rng.pick([1000000, 0xffffffff, 4000000]);
      else if (op === 'forward-far') {
        for (let j = i; j < n; j++) c.records[j]!.sec = Math.min(0xffffffff, c.records[j]!.sec + 86400 * 30);
      } else for (const q of c.records) ((q.sec = r.sec), (q.usec = r.usec));
      notes.push(`timestamps ${op} at record ${i}`);
      return;
    }
  }
}

const KEYS = ['id', 'pref-id', 'type', 'export', 'features', 'retention', 'version', 'policy', 'scope', 'integrity', 'uri', 'toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', 'statements', 'apts', 'x-ext', 'EXPORT', 'Features'];
const WORDS = ['raw', 'none', 'aggregated-only', 'user', 'domain', 'regulatory', 'media-metrics', 'rtcp-xr, feedback', 'sdes', 'app', '0', '90s', '7d', '99999999999999999999d', 'strictest-wins', 'dialog', 'session', 'cid:aipref-2@example.com', 'urn:example:apt:call-3', 'apt-dom-1', '', ' ', '\u0000', '\ud800', '\u2028'];

function randomJson(rng: Rng, depth: number): string {
  const k = rng.int(depth > 3 ? 4 : 9);
  if (k === 0) return JSON.stringify(rng.pick(WORDS)).replace(/\\\\u/g, '\\u');
  if (k === 1) return rng.pick(['0', '-0', '1', '-1', '1e400', '-1e400', '1.5', '9007199254740993', '1e-400', 'true', 'false', 'null']);
  if (k === 2) return `"${rng.pick(WORDS)}"`;
  if (k === 3) return rng.chance(0.1) ? '['.repeat(rng.range(10, 200)) + ']'.repeat(0) : `"${rng.pick(WORDS)}"`;
  if (k <= 5) return `[${Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1)).join(',')}]`;
  return `{${Array.from({ length: rng.int(5) }, () => `${JSON.stringify(rng.pick(KEYS))}:${randomJson(rng, depth + 1)}`).join(',')}}`;
}

/** A statement document: mostly well-shaped, with odd keys and values. */
function randomDocument(rng: Rng): string {
  const statement = () => {
    const keys = ['id', ...Array.from({ length: rng.range(1, 6) }, () => rng.pick(KEYS))];
    return `{${keys.map((key) => `${JSON.stringify(key)}:${key === 'id' && rng.chance(0.8) ? JSON.stringify(rng.pick(['urn:example:apt:call-3', 'apt-dom-1', 'apt-x'])) : randomJson(rng, 1)}`).join(',')}}`;
  };
  const shape = rng.int(4);
  let doc: string;
  if (shape === 0) doc = `{"version":1,"statements":[${Array.from({ length: rng.range(1, 3) }, statement).join(',')}]}`;
  else if (shape === 1) doc = `[${Array.from({ length: rng.range(0, 3) }, statement).join(',')}]`;
  else if (shape === 2) doc = statement();
  else doc = randomJson(rng, 0);
  // an unbalanced cut now and then
  if (rng.chance(0.1)) doc = doc.slice(0, rng.int(doc.length + 1));
  return doc;
}

/** Where a record's aipref body part lies (its bytes between the part's blank line and the next boundary). */
function bodyPart(d: Uint8Array, l: Layout): { start: number; end: number } | null {
  const text = latin1.decode(d.subarray(l.payload, l.payloadEnd));
  const ct = text.search(/Content-Type: *application\/aipref\+(json|cbor)/i);
  if (ct < 0) return null;
  const blank = text.indexOf('\r\n\r\n', ct);
  if (blank < 0) return null;
  const boundary = text.indexOf('\r\n--', blank + 4);
  return { start: l.payload + blank + 4, end: l.payload + (boundary < 0 ? text.length : boundary) };
}

function mutateBody(c: Capture, kind: 'body-json' | 'body-bytes', rng: Rng, out: Mutated): void {
  const all = located(c).filter((x) => x.cls === 'sip' && bodyPart(c.records[x.i]!.data, x.l) !== null);
  if (all.length === 0) return;
  const x = rng.pick(all);
  const r = c.records[x.i]!;
  const part = bodyPart(r.data, x.l)!;
  let payload: Uint8Array = r.data.slice(x.l.payload, x.l.payloadEnd);
  const from = part.start - x.l.payload;
  const to = part.end - x.l.payload;
  let body: Uint8Array;
  if (kind === 'body-json') {
    body = fromLatin1(randomDocument(rng));
    out.notes.push(`body-json record ${x.i}: ${latin1.decode(body).slice(0, 300)}`);
  } else {
    body = payload.slice(from, to);
    const n = rng.range(1, 4);
    for (let k = 0; k < n && body.length > 0; k++) {
      const at = rng.int(body.length);
      body[at] = randByte(rng);
    }
    if (rng.chance(0.2)) body = body.slice(0, rng.int(body.length + 1));
    out.notes.push(`body-bytes record ${x.i}: ${n} bytes changed`);
  }
  const merged = new Uint8Array(from + body.length + (payload.length - to));
  merged.set(payload.subarray(0, from));
  merged.set(body, from);
  merged.set(payload.subarray(to), from + body.length);
  // the message's Content-Length follows the body
  const text = latin1.decode(merged);
  const blank = text.indexOf('\r\n\r\n');
  const fixed = blank < 0 ? text : text.replace(/^(Content-Length|l): *\d+/im, (_m, h: string) => `${h}: ${text.length - blank - 4}`);
  payload = fromLatin1(fixed);
  replacePayload(r, x.l, payload);
  out.touched.add(x.i);
}

/**
 * SIP over WebSocket: a frame header where a TCP segment starts with one (RSV1 — compressed or
 * not, RFC 7692 —, FIN, opcode, mask bit, length) or a byte of its payload (DEFLATE data when
 * compressed), or now and then a handshake that names permessage-deflate no more.
 */
function mutateWebSocket(c: Capture, rng: Rng, out: Mutated): void {
  const tcp = located(c).filter((x) => x.l !== null && x.l.proto === 6 && x.l.payloadEnd - x.l.payload >= 2);
  const heads = tcp.filter((x) => [0x81, 0x82, 0xc1, 0xc2].includes(c.records[x.i]!.data[x.l.payload]!));
  const shakes = tcp.filter((x) => latin1.decode(c.records[x.i]!.data.subarray(x.l.payload, x.l.payloadEnd)).includes('permessage-deflate'));
  if (heads.length === 0 && shakes.length === 0) return;
  if (heads.length === 0 || (shakes.length > 0 && rng.chance(0.1))) {
    const x = rng.pick(shakes);
    const d = c.records[x.i]!.data;
    const at = x.l.payload + latin1.decode(d.subarray(x.l.payload, x.l.payloadEnd)).indexOf('permessage-deflate') + 10;
    d[at] = 0x5f; // permessage_deflate
    out.touched.add(x.i);
    out.notes.push(`ws-frame handshake names permessage_deflate (record ${x.i})`);
    return;
  }
  const x = rng.pick(heads);
  const d = c.records[x.i]!.data;
  const p = x.l.payload;
  const old = (d[p]! << 8) | d[p + 1]!;
  const op = rng.pick(['rsv1', 'rsv1', 'fin', 'opcode', 'mask', 'length', 'payload', 'payload', 'payload']);
  if (op === 'rsv1') d[p] = d[p]! ^ 0x40;
  else if (op === 'fin') d[p] = d[p]! ^ 0x80;
  else if (op === 'opcode') d[p] = (d[p]! & 0xf0) | rng.pick([0, 1, 2, 3, 8, 9, 10, 15]);
  else if (op === 'mask') d[p + 1] = d[p + 1]! ^ 0x80;
  else if (op === 'length') d[p + 1] = (d[p + 1]! & 0x80) | (rng.pick([0, 1, 125, 126, 127, (d[p + 1]! & 0x7f) - 1, (d[p + 1]! & 0x7f) + 1]) & 0x7f);
  else {
    const len7 = d[p + 1]! & 0x7f;
    const from = p + 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (d[p + 1]! & 0x80 ? 4 : 0);
    if (from >= x.l.payloadEnd) return;
    const at = from + rng.int(x.l.payloadEnd - from);
    d[at] = d[at]! ^ (1 + rng.int(255));
    out.touched.add(x.i);
    out.notes.push(`ws-frame payload byte ${at - from} of the frame at record ${x.i} (first byte ${d[p]})`);
    return;
  }
  out.touched.add(x.i);
  out.notes.push(`ws-frame ${op} ${old.toString(16)} -> ${((d[p]! << 8) | d[p + 1]!).toString(16)} (record ${x.i})`);
}

function mutateFragment(c: Capture, rng: Rng, out: Mutated): void {
  const frags: number[] = [];
  c.records.forEach((r, i) => {
    const d = r.data;
    if (c.linkType === 1 && d.length >= 34 && d[12] === 8 && d[13] === 0 && (get16(d, 20) & 0x3fff) !== 0) frags.push(i);
  });
  if (frags.length === 0) return;
  const i = rng.pick(frags);
  const d = c.records[i]!.data;
  const ip = 14;
  const word = get16(d, ip + 6);
  const op = rng.pick(['offset-1', 'offset+1', 'offset-0', 'offset-max', 'mf-toggle', 'id', 'total-short', 'total-long', 'df', 'dup-shift']);
  let nw = word;
  if (op === 'offset-1') nw = (word & 0xe000) | (Math.max(0, (word & 0x1fff) - 1));
  else if (op === 'offset+1') nw = (word & 0xe000) | (((word & 0x1fff) + 1) & 0x1fff);
  else if (op === 'offset-0') nw = word & 0xe000;
  else if (op === 'offset-max') nw = (word & 0xe000) | 0x1fff;
  else if (op === 'mf-toggle') nw = word ^ 0x2000;
  else if (op === 'df') nw = word | 0x4000;
  else if (op === 'id') put16(d, ip + 4, rng.int(65536));
  else if (op === 'total-short') put16(d, ip + 2, Math.max(20, get16(d, ip + 2) - rng.range(1, 12)));
  else if (op === 'total-long') put16(d, ip + 2, get16(d, ip + 2) + rng.range(1, 12));
  else {
    // a copy of the fragment at an overlapping offset, its bytes changed
    const copy = { ...c.records[i]!, data: d.slice() };
    put16(copy.data, ip + 6, (word & 0xe000) | Math.max(0, (word & 0x1fff) - rng.range(0, 4)));
    for (let k = 34; k < copy.data.length; k += 7) copy.data[k] = copy.data[k]! ^ 0x5a;
    c.records.splice(i + rng.int(3), 0, copy);
  }
  if (nw !== word) put16(d, ip + 6, nw);
  ipv4Checksum(d, ip, (d[ip]! & 15) * 4);
  out.touched.add(i);
  out.notes.push(`frag-field ${op} record ${i}`);
}

/** A reproducible mutated capture: `seed` drives `count` mutations of kinds from `kinds`. */
export function mutatedCapture(base: Capture, kinds: readonly MutationKind[], seed: number, count: number, donors: readonly Capture[]): { capture: Capture; m: Mutated } {
  const c = cloneCapture(base);
  const rng = new Rng(seed);
  const m: Mutated = { touched: new Set(), notes: [], applied: new Set() };
  for (let k = 0; k < count; k++) {
    const kind = rng.pick(kinds);
    const before = m.notes.length;
    mutate(c, kind, rng, donors, m);
    if (m.notes.length > before) m.applied.add(kind);
  }
  return { capture: c, m };
}
