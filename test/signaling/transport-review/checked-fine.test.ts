/**
 * Checks that turned out FINE (regression tests). Differential: the sample call
 * (samples/call-small.pcap, 32 SIP messages over UDP, 3 dialogs, samples/policy.json) with its SIP
 * re-expressed over another transport; exports (telemetry request ids aside: they hash the frame),
 * reports, decisions (--explain), the binding table and the --json summary (packet count aside)
 * must equal the UDP capture's, frames mapped back to the original record each new record stands
 * for (transport-harness.ts). Each case at workers 0 and 2.
 *  - SIP over TCP: one segment per message (with and without the SYN handshake); 7-byte and
 *    100-byte segments; a message split inside CRLFCRLF (after 1, 2, 3 bytes of it), right after
 *    it, and inside the body; overlapping retransmissions and exact duplicates; out-of-order halves,
 *    thirds and 10-byte pieces in reverse; a CRLFCRLF ping / CRLF pong between messages; compact
 *    `l:` for Content-Length; two messages coalesced in one segment (against the UDP capture with
 *    the first message moved to the second's place); sequence numbers wrapping past 2^32 (in order
 *    and out of order); a connection per message (FIN alone, FIN with the data, RST after, RST from
 *    the peer); TCP segments in IPv4 fragments; SIP over TCP over IPv6 (against IPv6 UDP); UTF-8
 *    bodies (Content-Length in bytes) in whole, 1000- and 33-byte segments; 30 kB messages in
 *    1460-byte segments, in order and with the first segment last.
 *  - SIP over WebSocket (RFC 6455/7118): text and binary frames, masked client frames, 16- and
 *    64-bit length forms, no handshake captured, fragmented messages (continuation frames, an empty
 *    first or last fragment, Ping/Pong between fragments), frames and handshake in 1-byte segments,
 *    two frames per segment, Ping frames between messages; permessage-deflate (RFC 7692) with and
 *    without context takeover, fragmented compressed messages, cut in 1- and 3-byte segments, a
 *    message ending in a BFINAL block, window-bits parameters, header names in other cases, the
 *    extension on a second header line, compressed and uncompressed messages mixed.
 *  - SIP over UDP in IP fragments: IPv4 at 1480/200/8 bytes, in order, reversed, first-last swap,
 *    duplicated fragments; IPv6 at 200/8 bytes (same orders; against unfragmented IPv6); IPv6 with a
 *    hop-by-hop header before and a destination-options header after the fragment header; 6 kB
 *    messages fragmented at 1480 and 576, reversed.
 *  - A real capture: heplify_sip_ipv4_tcp.pcap (SIP over TCP) against the same messages as UDP
 *    datagrams at the same frames: identical.
 * Not checked: SIP in HEP — `replay` does not read HEP-encapsulated captures (HEP is a `live` input only).
 */
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv6Packet, EtherType, ipv6FragmentBody, IpProtocol, wrapEthernet } from '../../../native-free/frame-builder.js';
import { policyOf, readPcapRecords, sharedCapture, Workspace, writePcapRecords } from '../../e2e/e2e-helpers.js';
import {
  chunks, cutInto, expectSame, fragmentAll, mapSip, messageDeflater, normalisedReplay, overIpv4Fragments, overIpv6, overTcp, overUdpCoalesced, overWs,
  sample, udpBaseline, upgrade, v6Records, whole, withBody, wsFrame, writeLabelled, type Labelled, type Piece, type TcpPlan, type WsPlan,
} from './transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const WORKERS = [0, 2];
const UDP_SUMMARY = {
  rtp: 354, rtcp: 54, sip: 32, malformed: 0, streams: 12, dialogs: 3,
  telemetry: { export: 0, aggregate: 59, drop: 195 },
  reports: { 'binding-conflict': 1, 'implicit-binding': 2, 'scope-removed': 2, 'scope-transitioned': 1 },
};

it('the UDP baseline is the README summary, whatever the worker count', async () => {
  const [a, b] = [await udpBaseline(ws, 0), await udpBaseline(ws, 2)];
  expect(a.summary).toEqual(UDP_SUMMARY);
  expectSame(b, a);
});

const crlfcrlf = (m: Uint8Array) => Buffer.from(m).indexOf('\r\n\r\n');
const splitAt = (f: (m: Uint8Array) => number): TcpPlan => ({ pieces: (m) => { const at = f(m); return [{ from: 0, to: at }, { from: at, to: m.length }]; } });
const tcpCases: [string, TcpPlan, number?][] = [
  ['one segment per message', whole],
  ['one segment per message, no SYN', { ...whole, syn: false }],
  ['7-byte segments', chunks(7)],
  ['100-byte segments', chunks(100)],
  ['split after CR of CRLFCRLF', splitAt((m) => crlfcrlf(m) + 1)],
  ['split after CRLF of CRLFCRLF', splitAt((m) => crlfcrlf(m) + 2)],
  ['split before last LF of CRLFCRLF', splitAt((m) => crlfcrlf(m) + 3)],
  ['split right after CRLFCRLF', splitAt((m) => crlfcrlf(m) + 4)],
  ['split inside the body', splitAt((m) => Math.min(m.length - 1, crlfcrlf(m) + 10))],
  ['overlapping retransmissions', { pieces: (m) => { const h = m.length >> 1; return [{ from: 0, to: h + 20 }, { from: 0, to: h }, { from: h - 30, to: m.length }, { from: 5, to: m.length - 5 }]; } }],
  ['every segment twice', { pieces: (m) => [{ from: 0, to: m.length }, { from: 0, to: m.length }] }],
  ['second half first', { pieces: (m) => { const h = m.length >> 1; return [{ from: h, to: m.length }, { from: 0, to: h }]; } }],
  ['thirds in reverse', { pieces: (m) => { const a = (m.length / 3) | 0, b = 2 * a; return [{ from: b, to: m.length }, { from: a, to: b }, { from: 0, to: a }]; } }],
  ['10-byte pieces in reverse', { pieces: (m) => { const out: Piece[] = []; for (let at = 0; at < m.length; at += 10) out.push({ from: at, to: Math.min(m.length, at + 10) }); return out.reverse(); } }],
  ['CRLFCRLF ping / CRLF pong between messages', { ...whole, before: (_f, i) => (i === 0 ? null : Buffer.from(i % 2 ? '\r\n' : '\r\n\r\n')) }],
  ['a ping first, then 7-byte segments', { ...chunks(7), before: () => Buffer.from('\r\n\r\n') }],
  ['sequence numbers wrapping', { ...chunks(100), isn: (n) => 0xffffff00 - n * 7 }],
  ['sequence numbers wrapping, out of order', { pieces: (m) => { const h = m.length >> 1; return [{ from: h, to: m.length }, { from: 0, to: h }]; }, isn: (n) => 0xfffffe00 - n * 400 }],
  ['a connection per message', { ...whole, connectionPerMessage: true }],
  ['a connection per message, FIN with the data', { ...whole, connectionPerMessage: 'fin-in-data' }],
  ['a connection per message, RST after it', { ...whole, connectionPerMessage: 'rst' }],
  ['a connection per message, RST from the peer', { ...whole, connectionPerMessage: 'rst-from-peer' }],
  ['TCP in 128-byte IPv4 fragments', whole, 128],
  ['300-byte segments in 64-byte IPv4 fragments', chunks(300), 64],
];
describe('SIP over TCP equals SIP over UDP', () => {
  for (const [name, plan, frag] of tcpCases)
    for (const workers of WORKERS)
      it(`${name} (workers ${workers})`, async () => {
        const { records } = await sample();
        let recs = overTcp(records, plan);
        if (frag) recs = fragmentAll(recs, frag);
        const { file, labels } = await writeLabelled(ws, `tcp-${name.replace(/\W+/g, '-')}-${workers}.pcap`, recs);
        expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
      });
  for (const workers of WORKERS) {
    it(`compact l: (workers ${workers})`, async () => {
      const { records } = await sample();
      const compact = mapSip(records, (t) => t.replace(/\r\nContent-Length:\s*/i, '\r\nl: '));
      const want = await udpBaseline(ws, workers, compact, 'compact');
      expectSame(want, await udpBaseline(ws, workers));
      const { file, labels } = await writeLabelled(ws, `l-${workers}.pcap`, overTcp(compact, chunks(50)));
      expectSame(await normalisedReplay(file, labels, workers), want);
    });
    it(`two messages coalesced in one segment (workers ${workers})`, async () => {
      const { records } = await sample();
      const co = (f: number) => [3, 5, 1, 8, 13, 428].includes(f);
      const t = await writeLabelled(ws, `co-${workers}.pcap`, overTcp(records, { ...whole, coalesceWithNext: co }));
      const u = await writeLabelled(ws, `co-udp-${workers}.pcap`, overUdpCoalesced(records, co));
      expectSame(await normalisedReplay(t.file, t.labels, workers), await normalisedReplay(u.file, u.labels, workers));
    });
    it(`UTF-8 bodies (workers ${workers})`, async () => {
      const { records } = await sample();
      const u8 = mapSip(records, (t) => (/Content-Length: *[1-9]/i.test(t) ? withBody(t, (b) => b.replace(/^s=.*$/m, 's=Café ☎ 呼叫 😀')) : t));
      const want = await udpBaseline(ws, workers, u8, 'utf8');
      expect(want.summary).toMatchObject({ sip: 32, malformed: 0 });
      for (const plan of [whole, chunks(1000), chunks(33)]) {
        const { file, labels } = await writeLabelled(ws, `u8-${workers}.pcap`, overTcp(u8, plan));
        expectSame(await normalisedReplay(file, labels, workers), want);
      }
    });
    it(`over IPv6 (workers ${workers})`, async () => {
      const { records } = await sample();
      const six = v6Records(records);
      const want = await udpBaseline(ws, workers, six, 'v6');
      expect(want.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
      for (const plan of [whole, chunks(50)]) {
        const { file, labels } = await writeLabelled(ws, `v6tcp-${workers}.pcap`, overTcp(six, plan));
        expectSame(await normalisedReplay(file, labels, workers), want);
      }
    });
    it(`30 kB messages in 1460-byte segments, and the first segment last (workers ${workers})`, async () => {
      const { records } = await sample();
      const big = mapSip(records, (t) => t.replace('\r\n', `\r\nX-Pad: ${'p'.repeat(30000)}\r\n`));
      const want = await udpBaseline(ws, workers, big, 'big30k');
      expect(want.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
      for (const plan of [chunks(1460), { pieces: (m: Uint8Array) => [{ from: 1460, to: m.length }, { from: 0, to: 1460 }] }]) {
        const { file, labels } = await writeLabelled(ws, `bigtcp-${workers}.pcap`, overTcp(big, plan));
        expectSame(await normalisedReplay(file, labels, workers), want);
      }
      const { file, labels } = await writeLabelled(ws, `bigws-${workers}.pcap`, await overWs(big, { frames: (m, c) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: c })], segments: cutInto(1460) }));
      expectSame(await normalisedReplay(file, labels, workers), want);
    });
  }
});

const E = new Uint8Array(0);
const text: WsPlan['frames'] = (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })];
const fragmented = (k: number, opcode = 1, pingBetween = false): WsPlan['frames'] => (m, client) => {
  const out: Uint8Array[] = [];
  const step = Math.ceil(m.length / k);
  for (let at = 0, n = 0; at < m.length; at += step, n++) {
    const end = Math.min(m.length, at + step);
    out.push(wsFrame({ fin: end === m.length, opcode: n === 0 ? opcode : 0, payload: m.subarray(at, end), mask: client }));
    if (pingBetween && end < m.length) out.push(wsFrame({ fin: true, opcode: 9, payload: Buffer.from('hi'), mask: client }));
  }
  return out;
};
const deflated = (takeover: boolean, k = 1): WsPlan['frames'] => {
  const d = new Map<string, (b: Uint8Array) => Promise<Uint8Array>>();
  return async (m, client, _f, _i, dir) => {
    if (!d.has(dir)) d.set(dir, messageDeflater(takeover));
    const c = await d.get(dir)!(m);
    const out: Uint8Array[] = [];
    const step = Math.ceil(c.length / k);
    for (let at = 0, n = 0; at < c.length; at += step, n++) {
      const end = Math.min(c.length, at + step);
      out.push(wsFrame({ fin: end === c.length, rsv1: n === 0, opcode: n === 0 ? 1 : 0, payload: c.subarray(at, end), mask: client }));
    }
    return out;
  };
};
const PMD = upgrade('permessage-deflate');
const cut1 = (b: Uint8Array) => cutInto(1)([b]);
const wsCases: [string, () => WsPlan][] = [
  ['text frames', () => ({ frames: text })],
  ['binary frames', () => ({ frames: (m, c) => [wsFrame({ fin: true, opcode: 2, payload: m, mask: c })] })],
  ['16-bit length form for small frames', () => ({ frames: (m, c) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: c, lengthForm: 16 })] })],
  ['64-bit length form, 3-byte segments', () => ({ frames: (m, c) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: c, lengthForm: 64 })], segments: cutInto(3) })],
  ['no handshake captured', () => ({ frames: text, handshake: null })],
  ['3 fragments', () => ({ frames: fragmented(3) })],
  ['5 binary fragments', () => ({ frames: fragmented(5, 2) })],
  ['Ping between fragments', () => ({ frames: fragmented(4, 1, true) })],
  ['Pong between fragments', () => ({ frames: (m, c) => [wsFrame({ fin: false, opcode: 2, payload: m.subarray(0, 10), mask: c }), wsFrame({ fin: true, opcode: 10, payload: E, mask: c }), wsFrame({ fin: true, opcode: 0, payload: m.subarray(10), mask: c })] })],
  ['empty first fragment', () => ({ frames: (m, c) => [wsFrame({ fin: false, opcode: 1, payload: E, mask: c }), wsFrame({ fin: true, opcode: 0, payload: m, mask: c })] })],
  ['empty last fragment', () => ({ frames: (m, c) => [wsFrame({ fin: false, opcode: 1, payload: m, mask: c }), wsFrame({ fin: true, opcode: 0, payload: E, mask: c })] })],
  ['20 fragments in 7-byte segments', () => ({ frames: fragmented(20), segments: cutInto(7) })],
  ['handshake and frames in 1-byte segments', () => ({ frames: text, handshakeSegments: cut1, segments: cutInto(1) })],
  ['two frames per segment', () => ({ frames: fragmented(2), segments: (f: Uint8Array[]) => [Buffer.concat(f)] })],
  ['a Ping before each message', () => ({ frames: text, before: (c: boolean) => [wsFrame({ fin: true, opcode: 9, payload: Buffer.from('x'), mask: c })] })],
  ['deflate, context takeover', () => ({ frames: deflated(true), handshake: PMD })],
  ['deflate, no context takeover', () => ({ frames: deflated(false), handshake: PMD })],
  ['deflate, fragmented', () => ({ frames: deflated(true, 4), handshake: PMD })],
  ['deflate, 3-byte segments', () => ({ frames: deflated(true, 2), handshake: PMD, segments: cutInto(3) })],
  ['deflate, 1-byte segments', () => ({ frames: deflated(true), handshake: PMD, segments: cutInto(1) })],
  ['deflate, no handshake, no takeover', () => ({ frames: deflated(false), handshake: null })],
  ['deflate, BFINAL block', () => ({ handshake: upgrade('permessage-deflate; server_no_context_takeover; client_no_context_takeover'), frames: (m, c) => [wsFrame({ fin: true, rsv1: true, opcode: 1, payload: Buffer.concat([zlib.deflateRawSync(m), Buffer.of(0)]), mask: c })] })],
  ['deflate, window bits parameters', () => ({ frames: deflated(true, 3), handshake: upgrade('permessage-deflate; client_max_window_bits=15; server_max_window_bits=15') })],
  ['deflate, header names in other cases', () => ({ frames: deflated(true), handshake: { request: PMD.request.replace('Sec-WebSocket-Extensions', 'SEC-WEBSOCKET-EXTENSIONS'), response: PMD.response.replace('Sec-WebSocket-Extensions: permessage-deflate', 'sec-websocket-extensions:permessage-deflate') } })],
  ['deflate, the extension on a second header line', () => ({ frames: deflated(true), handshake: { request: PMD.request.replace('Sec-WebSocket-Extensions: permessage-deflate', 'Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\nSec-WebSocket-Extensions: permessage-deflate'), response: PMD.response } })],
  ['deflate agreed, messages not compressed', () => ({ frames: text, handshake: PMD })],
  ['deflate, compressed and uncompressed mixed', () => { const d = deflated(true); return { handshake: PMD, frames: (m, c, f, i, dir) => (i % 2 ? d(m, c, f, i, dir) : text(m, c, f, i, dir)) }; }],
];
describe('SIP over WebSocket equals SIP over UDP', () => {
  for (const [name, mk] of wsCases)
    for (const workers of WORKERS)
      it(`${name} (workers ${workers})`, async () => {
        const { records } = await sample();
        const { file, labels } = await writeLabelled(ws, `ws-${name.replace(/\W+/g, '-')}-${workers}.pcap`, await overWs(records, mk()));
        expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
      });
});

const orders: [string, (f: Uint8Array[]) => Uint8Array[]][] = [
  ['in order', (f) => f],
  ['reversed', (f) => [...f].reverse()],
  ['first and second swapped to the ends', (f) => [f[0]!, ...f.slice(2), f[1]!].filter(Boolean)],
  ['duplicated', (f) => [...f.slice(0, -1), ...f.slice(0, -1), f[f.length - 1]!]],
];
describe('SIP over UDP in IP fragments equals unfragmented', () => {
  for (const [name, order] of orders)
    for (const workers of WORKERS) {
      it(`IPv4, ${name} (workers ${workers})`, async () => {
        const { records } = await sample();
        for (const size of [1480, 200, 8]) {
          const { file, labels } = await writeLabelled(ws, `v4-${workers}.pcap`, overIpv4Fragments(records, size, order));
          expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
        }
      });
      it(`IPv6, ${name} (workers ${workers})`, async () => {
        const { records } = await sample();
        const p = await writeLabelled(ws, `v6p-${workers}.pcap`, overIpv6(records, 0));
        const want = await normalisedReplay(p.file, p.labels, workers);
        expect(want.summary).toMatchObject({ sip: 32, dialogs: 3 });
        for (const size of [200, 8]) {
          const { file, labels } = await writeLabelled(ws, `v6-${workers}.pcap`, overIpv6(records, size, order));
          expectSame(await normalisedReplay(file, labels, workers), want);
        }
      });
    }
  for (const workers of WORKERS) {
    it(`6 kB messages fragmented at 1480 and 576, reversed (workers ${workers})`, async () => {
      const { records } = await sample();
      const big = mapSip(records, (t) => t.replace('\r\n', `\r\nX-Pad: ${'p'.repeat(6000)}\r\n`));
      const want = await udpBaseline(ws, workers, big, 'big6k');
      expect(want.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
      for (const size of [1480, 576]) {
        const { file, labels } = await writeLabelled(ws, `big-${size}-${workers}.pcap`, overIpv4Fragments(big, size, (f) => [...f].reverse()));
        expectSame(await normalisedReplay(file, labels, workers), want);
      }
    });
    it(`IPv6: hop-by-hop before, destination options after the fragment header, reversed (workers ${workers})`, async () => {
      const { records } = await sample();
      const plain = overIpv6(records, 0);
      const out: Labelled[] = [];
      let id = 77;
      let fragmentedSets = 0;
      for (const r of plain) {
        const b = r.data;
        const port = (at: number) => (b[at]! << 8) | b[at + 1]!;
        if (!(b[12] === 0x86 && b[13] === 0xdd && b[20] === 17 && (port(54) === 5060 || port(56) === 5060))) {
          out.push(r);
          continue;
        }
        fragmentedSets++;
        const s = b.subarray(22, 38);
        const d = b.subarray(38, 54);
        const dest = Uint8Array.of(IpProtocol.UDP, 0, 1, 4, 0, 0, 0, 0);
        const fragmentable = Buffer.concat([dest, b.subarray(54)]);
        const fid = id++;
        const frags: Uint8Array[] = [];
        for (let off = 0; off < fragmentable.length; off += 96) {
          const end = Math.min(fragmentable.length, off + 96);
          frags.push(wrapEthernet(EtherType.IPV6, buildIpv6Packet({ src: s, dst: d, protocol: IpProtocol.DEST_OPTS, payload: fragmentable.subarray(off, end), extensions: [{ type: IpProtocol.HOP_BY_HOP }, { type: IpProtocol.FRAGMENT, body: ipv6FragmentBody(off, end < fragmentable.length, fid) }] })));
        }
        for (const f of frags.reverse()) out.push({ ts: r.ts, label: r.label, data: f });
      }
      expect(fragmentedSets).toBe(32);
      const a = await writeLabelled(ws, `v6e-p-${workers}.pcap`, plain);
      const want = await normalisedReplay(a.file, a.labels, workers);
      const x = await writeLabelled(ws, `v6e-x-${workers}.pcap`, out);
      expectSame(await normalisedReplay(x.file, x.labels, workers), want);
    });
  }
});

describe('a real capture', () => {
  it('heplify_sip_ipv4_tcp.pcap (SIP over TCP) equals its messages as UDP datagrams at the same frames, workers 0 and 2', async () => {
    const src = sharedCapture('heplify_sip_ipv4_tcp.pcap');
    const { header, records } = await readPcapRecords(src);
    const ip = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
    const udpRecs = records.map((r) => {
      const b = r.data;
      if (b[23] !== 6) return r;
      const t = 14 + (b[14]! & 0x0f) * 4;
      const payload = b.subarray(t + (b[t + 12]! >> 4) * 4);
      if (payload.length === 0) return r;
      return { ts: r.ts, data: buildEthernetIpv4Udp({ src: ip(b, 26), dst: ip(b, 30), sport: (b[t]! << 8) | b[t + 1]!, dport: (b[t + 2]! << 8) | b[t + 3]!, payload }) };
    });
    const f1 = await ws.file('heplify-udp.pcap');
    await writePcapRecords(f1, header, udpRecs);
    const labels = records.map((_r, i) => i + 1);
    const policy = policyOf({ apts: { 'apt-h': { type: 'user', export: 'raw', retention: '1h' } }, dialogs: [{ callId: '158936656982201062716@10.33.6.100', apt: ['apt-h'] }] });
    for (const workers of WORKERS) {
      const tcp = await normalisedReplay(src, labels, workers, policy);
      const udp = await normalisedReplay(f1, labels, workers, policy);
      expect(udp.summary).toMatchObject({ sip: 7, dialogs: 1, telemetry: { export: 4, aggregate: 0, drop: 0 } });
      expectSame(tcp, udp);
    }
  });
});
