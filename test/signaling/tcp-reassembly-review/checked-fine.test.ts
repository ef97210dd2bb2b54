/**
 * Checks of SIP over plain TCP (RFC 3261 §18.3) that came out fine. Each builds a few segments
 * (lab.ts) and compares the SIP messages the packet feed reads, frame by frame, with tshark's
 * (`-o tcp.desegment_tcp_streams:TRUE`; where segments come out of order or overlap, with
 * `tcp.reassemble_out_of_order:TRUE` too, without which tshark does not reassemble them at all).
 * The last check is a replay-level differential against the UDP sample (workers 0 and 2).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, normalisedReplay, overTcp, sample, udpBaseline, writeLabelled, type Labelled } from '../transport-review/transport-harness.js';
import { A, A6, B, B6, oursSip, seg, sipMsg, TcpFlag, tsharkSip, writeCap, type Rec } from './lab.js';

const P = TcpFlag.PSH | TcpFlag.ACK;
const OOO = ['-o', 'tcp.reassemble_out_of_order:TRUE'];
const m1 = sipMsg('INVITE', 'one', 'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n');
const m2 = sipMsg('OPTIONS', 'two');
const m3 = sipMsg('BYE', 'three');
const open = (a = A, b = B, isnA = 1000, isnB = 5000): Rec[] => [seg(a, isnA, TcpFlag.SYN), seg(b, isnB, TcpFlag.SYN | TcpFlag.ACK, '', 0, isnA + 1)];

async function same(recs: Rec[], extra: string[] = []): Promise<[number, string[]][]> {
  const theirs = tsharkSip(writeCap(recs), extra);
  const ours = (await oursSip(recs)).filter(([, m]) => m.some((x) => !x.includes(':')));
  expect(ours).toEqual(theirs);
  return ours;
}

describe('SIP over TCP against tshark', () => {
  // overlapping retransmission with different bytes, covering the Call-ID: the copy delivered first wins
  it('an in-order overlapping retransmission with other bytes: the first copy wins, as in tshark', async () => {
    const alt = m1.replace('Call-ID: one', 'Call-ID: XXX');
    const c = m1.indexOf('Call-ID');
    expect(await same([...open(), seg(A, 1001, P, m1.slice(0, c + 20)), seg(A, 1001, P, alt.slice(0, c + 30)), seg(A, 1001 + c + 30, P, m1.slice(c + 30))], OOO)).toEqual([[5, ['INVITE one']]]);
  });
  // a held segment, then the segment before it overlapping it with other bytes: tshark (ooo) takes the later, in-order copy
  it('held tail, then a head overlapping it with other bytes: the head wins, as in tshark', async () => {
    const alt = m1.replace('Call-ID: one', 'Call-ID: XXX');
    const c = m1.indexOf('Call-ID');
    expect(await same([...open(), seg(A, 1001 + c - 5, P, m1.slice(c - 5)), seg(A, 1001, P, alt.slice(0, c + 30))], OOO)).toEqual([[4, ['INVITE XXX']]]);
  });
  // two held copies of the same range with other bytes: the first held wins
  it('two held copies of one range with other bytes: the first held copy wins, as in tshark', async () => {
    const alt = m1.replace('Call-ID: one', 'Call-ID: XXX');
    expect(await same([...open(), seg(A, 1081, P, m1.slice(80)), seg(A, 1081, P, alt.slice(80)), seg(A, 1001, P, m1.slice(0, 80))], OOO)).toEqual([[5, ['INVITE one']]]);
  });
  // several messages in one segment, then one message over many segments split at odd places (in the CRLFCRLF, mid-body)
  it('three messages in one segment; one message in 13 pieces', async () => {
    const all = m1 + m2 + m3;
    const cuts = [1, 7, 30, 31, 99, 100, m1.indexOf('\r\n\r\n') + 1, m1.indexOf('\r\n\r\n') + 3, m1.length - 40, m1.length - 1];
    const pieces: Rec[] = [];
    let at = 0;
    for (const c of [...cuts, m1.length]) {
      pieces.push(seg(A, 1001 + all.length + at, P, m1.slice(at, c)));
      at = c;
    }
    expect(await same([...open(), seg(A, 1001, P, all), ...pieces])).toEqual([[3, ['INVITE one', 'OPTIONS two', 'BYE three']], [3 + pieces.length, ['INVITE one']]]);
  });
  // sequence numbers wrapping at 2^32 in the middle of the INVITE's headers
  it('sequence numbers wrap inside a message', async () => {
    const isn = 0xffffffff - 50;
    expect(await same([...open(A, B, isn), seg(A, isn + 1, P, m1.slice(0, 90)), seg(A, isn + 91, P, m1.slice(90)), seg(A, isn + 1 + m1.length, P, m2)])).toEqual([[4, ['INVITE one']], [5, ['OPTIONS two']]]);
  });
  // a segment-offload capture: one 64 000-byte segment (beyond any MTU) carrying 300+ messages, and IP total length 0
  it('a 64 kB TSO segment of many messages, and one whose IPv4 total length is 0', async () => {
    let big = '';
    let n = 0;
    while (big.length + m2.length < 64000) big += sipMsg('OPTIONS', `o${String(n++).padStart(4, '0')}`);
    const r = seg(A, 1001, P, big);
    const zero = { ...r, data: Uint8Array.from(r.data) };
    zero.data[16] = 0;
    zero.data[17] = 0;
    const ours = await same([...open(), r]);
    expect(ours[0]![1]).toHaveLength(n);
    const z = await oursSip([...open(), zero]);
    expect(z[0]![1]).toEqual(ours[0]![1]);
  });
  // IPv6, both directions interleaved, messages split across segments
  it('IPv6, both directions interleaved and split', async () => {
    const ok = sipMsg('OPTIONS', 'two').replace(/^OPTIONS \S+ SIP\/2.0/, 'SIP/2.0 200 OK');
    const recs = [...open(A6, B6), seg(A6, 1001, P, m1.slice(0, 70)), seg(B6, 5001, P, ok.slice(0, 20)), seg(A6, 1071, P, m1.slice(70)), seg(B6, 5021, P, ok.slice(20))];
    expect(await same(recs)).toEqual([[5, ['INVITE one']], [6, ['OPTIONS two']]]);
  });
  // FIN then a new connection on the same four-tuple whose ISN is lower: sequence numbers restart, nothing glued
  it('a new SYN with a lower ISN after FIN: the new connection reads from its start', async () => {
    const recs = [...open(), seg(A, 1001, P, m1), seg(A, 1001 + m1.length, TcpFlag.FIN | TcpFlag.ACK), ...open(A, B, 200, 300), seg(A, 201, P, m2)];
    expect(await same(recs)).toEqual([[3, ['INVITE one']], [7, ['OPTIONS two']]]);
  });
  // a Content-Length larger than what follows, then FIN: reported cut on the FIN, not glued to the next connection
  it('a Content-Length past the bytes sent, then FIN: cut reported on the FIN; the next connection stands alone', async () => {
    const short = m1.slice(0, -20);
    const recs = [...open(), seg(A, 1001, P, short), seg(A, 1001 + short.length, TcpFlag.FIN | TcpFlag.ACK), ...open(A, B, 200, 300), seg(A, 201, P, m2)];
    expect(await oursSip(recs)).toEqual([[4, ['body-truncated: ' + short.length + ' bytes of a message cut by FIN, dropped']], [7, ['OPTIONS two']]]);
  });
  // RST mid-message: cut reported on the RST
  it('an RST mid-message: the cut is reported once, on the RST', async () => {
    const recs = [...open(), seg(A, 1001, P, m1.slice(0, 100)), seg(B, 5001, TcpFlag.RST | TcpFlag.ACK, '', 0, 1101), seg(A, 1101, P, m1.slice(100))];
    expect(await oursSip(recs)).toEqual([[4, ['no-header-end: 100 bytes of a message cut by RST, dropped']]]);
  });
  // capture begun mid-message (no SYN): the rest is passed over, the next start line read (tshark
  // does less: it shows the first segment as an unparsed continuation and loses the OPTIONS)
  it('capture begun mid-message: picked up at the next start line', async () => {
    expect(await oursSip([seg(A, 7000, P, m1.slice(60) + m2), seg(A, 7000 + m1.length - 60 + m2.length, P, m3)])).toEqual([[1, ['OPTIONS two']], [2, ['BYE three']]]);
  });
});

describe('a re-INVITE whose first segments come well before its last, RTCP of its call between', () => {
  // signaling takes effect at the segment that completes the message (tshark's frame), not the first one
  for (const workers of [0, 2])
    it(`equals the UDP capture with the re-INVITE at its last segment (workers ${workers})`, async () => {
      const ws = new Workspace();
      try {
        const { records } = await sample();
        const want = await udpBaseline(ws, workers);
        const judged = new Set(want.decisions.map((d) => (d as { frame: number }).frame));
        const split = [231, 237, 289];
        const tcp = overTcp(records, { pieces: (m, f) => (split.includes(f) ? [{ from: 0, to: 40 }, { from: 40, to: m.length - 3 }, { from: m.length - 3, to: m.length }] : [{ from: 0, to: m.length }]) });
        const out: Labelled[] = [...tcp];
        for (const f of split) {
          const idx = out.findIndex((r) => r.label === f && r.data.length > 60);
          const pieces = out.splice(idx, 2);
          const at = idx - 30;
          // between the first pieces and the last: RTCP judged (telemetry decisions)
          expect(out.slice(at, idx).filter((r) => judged.has(r.label)).length).toBeGreaterThan(0);
          out.splice(at, 0, ...pieces.map((p) => ({ ...p, ts: out[at - 1]!.ts })));
        }
        const t = await writeLabelled(ws, `split-${workers}.pcap`, out);
        expectSame(await normalisedReplay(t.file, t.labels, workers), want);
      } finally {
        await ws.cleanup();
      }
    });
});
