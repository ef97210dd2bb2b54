/** The hostile inputs of the review, each a capture (records) built in memory. */
import { ack, invite, ipv4Fragment, ok, type Rec, sdp, sipMsg, tcpRecords, text, udp, udpCall, buildUdpDatagram, parseIpv4 } from './adv.js';

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** an RTCP packet: header (count, pt), then body words */
export function rtcpPacket(count: number, pt: number, body: number[]): number[] {
  while (body.length % 4) body.push(0);
  return [0x80 | count, pt, ...u16(body.length / 4), ...body];
}
export const srA = (): number[] => rtcpPacket(0, 200, [...u32(1111), ...u32(3976214400), ...u32(0), ...u32(0), ...u32(10), ...u32(100)]);
/** RTCP from A (4001) to B (5001) */
export const rtcpFromA = (ts: number, bytes: number[]): Rec => ({ ts, data: udp(true, 4001, 5001, Uint8Array.from(bytes)) });

/** The TCP call: INVITE, 200 OK, ACK on one connection (Via TCP). */
export function tcpCall(inviteBytes: Uint8Array, answer: Uint8Array = ok(sdp('b'), [], 'TCP')): Rec[] {
  return tcpRecords(0, [
    { fromA: true, bytes: inviteBytes },
    { fromA: false, bytes: answer },
    { fromA: true, bytes: ack('TCP') },
  ]);
}

// ---- SDP ----
export function sdpManyMLines(n: number): string {
  const media: string[] = [];
  for (let i = 0; i < n; i++) media.push(`m=audio ${10000 + 2 * i} RTP/AVP 0`);
  return sdp('a', [], media);
}
export function sdpManySsrc(n: number): string {
  const media = ['m=audio 4000 RTP/AVP 0', 'a=mid:a'];
  for (let i = 0; i < n; i++) media.push(`a=ssrc:${100000 + i} cname:x`);
  return sdp('a', [], media);
}
export function sdpBundle(mids: number, sections: number): string {
  const names: string[] = [];
  for (let i = 0; i < mids; i++) names.push(String(i));
  const media: string[] = [];
  for (let i = 0; i < sections; i++) media.push(`m=audio ${i === 0 ? 4000 : 0} RTP/AVP 0`, `a=mid:${i}`, ...(i > 0 ? ['a=bundle-only'] : []));
  return sdp('a', [`a=group:BUNDLE ${names.join(' ')}`, 'a=aipref:group apt-g export=raw'], media);
}

// ---- SIP ----
export function hugeHeaders(bytes: number): Uint8Array {
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `X-Filler-${i}: ${'x'.repeat(200)}`;
    lines.push(l);
    n += l.length + 2;
  }
  return invite(sdp('a'), lines, undefined, 'TCP');
}
export function manyAiPrefValues(n: number, prefix = 'apt-'): Uint8Array {
  const values: string[] = [];
  for (let i = 0; i < n; i++) values.push(`${prefix}${i};scope=dialog`);
  return invite(sdp('a'), [`AI-Pref: ${values.join(',')}`], undefined, 'TCP');
}
export function nestedMultipart(depth: number, statement = false): Uint8Array {
  // level k: --bk / Content-Type: multipart/mixed;boundary=b(k+1) / <level k+1> / --bk--
  let inner = statement
    ? `Content-Type: multipart/mixed;boundary=leaf\r\n\r\n--leaf\r\nContent-Type: application/sdp\r\n\r\n${sdp('a')}\r\n--leaf\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n{"type":"user","export":"raw","retention":"1h"}\r\n--leaf--\r\n`
    : `Content-Type: application/sdp\r\n\r\n${sdp('a')}`;
  for (let k = depth - 1; k >= 0; k--) {
    inner = `Content-Type: multipart/mixed;boundary=b${k}\r\n\r\n--b${k}\r\n${inner}\r\n--b${k}--\r\n`;
  }
  const sep = inner.indexOf('\r\n\r\n');
  return invite(inner.slice(sep + 4), ['AI-Pref: apt-x;scope=session;uri=<cid:s1@x>'], 'multipart/mixed;boundary=b0', 'TCP');
}
export function statementPart(contentType: string, part: Uint8Array): Uint8Array {
  const head = text(`--bnd\r\nContent-Type: application/sdp\r\n\r\n${sdp('a')}\r\n--bnd\r\nContent-Type: ${contentType}\r\nContent-ID: <s1@x>\r\n\r\n`);
  const tail = text('\r\n--bnd--\r\n');
  const body = new Uint8Array(head.length + part.length + tail.length);
  body.set(head);
  body.set(part, head.length);
  body.set(tail, head.length + part.length);
  return invite(body, ['AI-Pref: apt-x;scope=session;uri=<cid:s1@x>'], 'multipart/mixed;boundary=bnd', 'TCP');
}
export const deepJson = (depth: number): Uint8Array => text('['.repeat(depth) + ']'.repeat(depth));
export const deepJsonObject = (depth: number): Uint8Array => text('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
/** CBOR: `depth` arrays of one element (0x81) around 0 */
export const deepCbor = (depth: number): Uint8Array => Uint8Array.from([...new Array(depth).fill(0x81), 0x00]);
/** CBOR: a text string declaring 2^63-ish length (0x7b + 8 bytes), a byte string of 2^32-1, an array of 2^32-1 */
export const cborHugeText = (): Uint8Array => Uint8Array.from([0xa1, 0x62, 0x69, 0x64, 0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x61]);
export const cborHugeArray = (): Uint8Array => Uint8Array.from([0x9a, 0xff, 0xff, 0xff, 0xff, 0x00]);
export const cborHugeMap = (): Uint8Array => Uint8Array.from([0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
export const cborIndefiniteDeep = (depth: number): Uint8Array => Uint8Array.from([...new Array(depth).fill(0x9f), 0x00]);

// ---- RTCP on the call's media port ----
export function compoundOfTinyRRs(n: number): number[] {
  const out = [...srA()];
  for (let i = 0; i < n; i++) out.push(...rtcpPacket(0, 201, [...u32(1111)]));
  return out;
}
export function fatSdes(chunks: number, itemsPerChunk: number, itemType = 2): number[] {
  const body: number[] = [];
  for (let c = 0; c < chunks; c++) {
    body.push(...u32(1111 + c));
    for (let i = 0; i < itemsPerChunk; i++) body.push(i === 0 ? 1 : itemType, 255, ...new Array(255).fill(0x61));
    body.push(0);
    while (body.length % 4) body.push(0);
  }
  return [...srA(), ...rtcpPacket(chunks, 202, body)];
}
/** SDES PRIV items "aipref" = apt-p<k> in `chunks` chunks (distinct SSRCs) of `per` items */
export function privSdes(chunks: number, per: number): number[] {
  const body: number[] = [];
  for (let c = 0; c < chunks; c++) {
    body.push(...u32(1111 + c));
    for (let i = 0; i < per; i++) {
      const v = [...text(`apt-p${c}-${i}`)];
      const prefix = [...text('aipref')];
      body.push(8, 1 + prefix.length + v.length, prefix.length, ...prefix, ...v);
    }
    body.push(0);
    while (body.length % 4) body.push(0);
  }
  return [...srA(), ...rtcpPacket(chunks, 202, body)];
}
export function xrManyBlocks(n: number): number[] {
  const body = [...u32(1111)];
  for (let i = 0; i < n; i++) body.push(4, 0, ...u16(2), ...u32(3976214400 + i), ...u32(0)); // RRT
  return [...srA(), ...rtcpPacket(0, 207, body)];
}
export function xrManyVoip(n: number): number[] {
  const body = [...u32(1111)];
  for (let i = 0; i < n; i++) body.push(7, 0, ...u16(8), ...u32(2222), ...new Array(32).fill(0).map((_, k) => (k === 26 ? 40 : 0)));
  return [...srA(), ...rtcpPacket(0, 207, body)];
}
/** TWCC (RTPFB fmt 15) claiming `count` statuses with no chunks */
export const twccNoChunks = (count: number): number[] => [...srA(), ...rtcpPacket(15, 205, [...u32(1111), ...u32(2222), ...u16(1), ...u16(count), 0, 0, 1, 0])];

// ---- IP fragments ----
export function manyFragmentIds(n: number): Rec[] {
  const out: Rec[] = [];
  const src = parseIpv4('10.0.0.1');
  const dst = parseIpv4('10.0.0.2');
  const datagram = buildUdpDatagram(src, dst, 4001, 5001, Uint8Array.from(srA()));
  const first = datagram.subarray(0, 16);
  for (let i = 0; i < n; i++) out.push({ ts: 1 + i / 1000, data: ipv4Fragment(true, i & 0xffff, 0, true, first) });
  return out;
}

export const mediaAfter = (): Rec[] => [rtcpFromA(9, srA())];
export { ack, invite, ok, sdp, sipMsg, udp, udpCall };

// ---- many TCP connections ----
import { buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
/** Connection 0 (10.0.0.1:40000 → 10.0.0.2:5060) sends the head of an INVITE that never ends; then `others` connections each send one whole OPTIONS. */
export function pendingThenManyConnections(others: number): Rec[] {
  const out: Rec[] = [];
  const syn = (src: string, sport: number, seq: number) => buildIpv4Tcp({ src, dst: '10.0.0.2', sport, dport: 5060, seq, flags: TcpFlag.SYN, payload: new Uint8Array(0) });
  const seg = (src: string, sport: number, seq: number, payload: Uint8Array) => buildIpv4Tcp({ src, dst: '10.0.0.2', sport, dport: 5060, seq, ack: 1, flags: TcpFlag.PSH, payload });
  const head = text('INVITE sip:b@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bKcut\r\nCall-ID: cut@10.0.0.1\r\n');
  out.push({ ts: 0, data: syn('10.0.0.1', 40000, 100) }, { ts: 0.001, data: seg('10.0.0.1', 40000, 101, head) });
  for (let i = 0; i < others; i++) {
    const src = `10.1.${(i >> 8) & 0xff}.${i & 0xff}`;
    const sport = 10000 + (i >> 16);
    const msg = text(`OPTIONS sip:b@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP ${src}:${sport};branch=z9hG4bK${i}\r\nFrom: <sip:x@${src}>;tag=${i}\r\nTo: <sip:b@10.0.0.2>\r\nCall-ID: o${i}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`);
    const ts = 0.01 + i / 100000;
    out.push({ ts, data: syn(src, sport, 1000) }, { ts, data: seg(src, sport, 1001, msg) });
  }
  return out;
}

/** An INVITE whose Content-Length header says `declared` (its real body the SDP) */
export function inviteDeclaring(declared: string, transport = 'TCP'): Uint8Array {
  const body = sdp('a');
  const head = ['INVITE sip:b@10.0.0.2 SIP/2.0', `Via: SIP/2.0/${transport} 10.0.0.1:5060;branch=z9hG4bKinv1`, 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', 'Call-ID: adv-review@10.0.0.1', 'CSeq: 1 INVITE', 'Content-Type: application/sdp', `Content-Length: ${declared}`];
  return text(head.join('\r\n') + '\r\n\r\n' + body);
}

/** `packets` SDES compounds from A's RTCP port, each naming 31 new SSRCs (a CNAME of one byte) */
export function sdesFlood(packets: number, from = 0): Rec[] {
  const out: Rec[] = [];
  let ssrc = 0x10000000 + from;
  for (let p = 0; p < packets; p++) {
    const body: number[] = [];
    for (let c = 0; c < 31; c++) body.push(...u32(ssrc++), 1, 1, 0x78, 0);
    out.push(rtcpFromA(1 + p / 10000, [...srA(), ...rtcpPacket(31, 202, body)]));
  }
  return out;
}

/** `calls` calls one after another on one TCP connection, each INVITE naming `values` identifiers of its own, each ended by BYE */
export function callsWithManyIdentifiers(calls: number, values: number): Rec[] {
  const streams: { fromA: boolean; bytes: Uint8Array }[] = [];
  for (let k = 0; k < calls; k++) {
    const id = `many-${k}@10.0.0.1`;
    const v: string[] = [];
    for (let i = 0; i < values; i++) v.push(`c${k}x${i}`);
    const d = (m: string, cseq: string, toTag: string) => ['Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK' + k + m, 'From: <sip:a@10.0.0.1>;tag=aaa', `To: <sip:b@10.0.0.2>${toTag}`, `Call-ID: ${id}`, `CSeq: ${cseq}`];
    streams.push({ fromA: true, bytes: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', ...d('i', '1 INVITE', ''), 'Contact: <sip:a@10.0.0.1>', `AI-Pref: ${v.join(',')}`], sdp('a')) });
    streams.push({ fromA: false, bytes: sipMsg(['SIP/2.0 200 OK', ...d('i', '1 INVITE', ';tag=bbb'), 'Contact: <sip:b@10.0.0.2>'], sdp('b')) });
    streams.push({ fromA: true, bytes: sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', ...d('a', '1 ACK', ';tag=bbb')], null) });
    streams.push({ fromA: true, bytes: sipMsg(['BYE sip:b@10.0.0.2 SIP/2.0', ...d('b', '2 BYE', ';tag=bbb')], null) });
    streams.push({ fromA: false, bytes: sipMsg(['SIP/2.0 200 OK', ...d('b', '2 BYE', ';tag=bbb')], null) });
  }
  return tcpRecords(0, streams);
}

/** An INVITE whose SDP offers `sections` audio m-lines and whose AI-Pref header names `values` media-scoped identifiers */
export function sectionsTimesValues(sections: number, values: number, transport = 'UDP'): Uint8Array {
  const v: string[] = [];
  for (let i = 0; i < values; i++) v.push(`p${i};scope=media`);
  const media: string[] = [];
  for (let i = 0; i < sections; i++) media.push(`m=audio ${10000 + 2 * i} RTP/AVP 0`);
  return invite(sdp('a', [], media), [`AI-Pref: ${v.join(',')}`], undefined, transport);
}
