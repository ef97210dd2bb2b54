/**
 * Found by a review of TCP reassembly, fixed since: a direction picked up without its SYN is anchored at its first segment with more data than a keep-alive probe's, so a probe (no data or one garbage octet, SND.NXT - 1) neither leaves a phantom gap nor glues a byte before the first message (native-free/tcp-stream.ts TcpStreamReassembler.add).
 */
/**
 * Input: the sample call (samples/call-small.pcap) with its SIP over TCP, the capture begun on
 * established connections (no SYN captured: SIP trunks and proxies keep their TCP connections for
 * hours), and the first segment captured in each direction a TCP keep-alive probe — SEG.SEQ =
 * SND.NXT − 1 with no data (Linux) or with one garbage byte (Windows), RFC 9293 §3.8.4 / RFC 1122
 * §4.2.3.6 — sent because the connection was idle when tcpdump started; then the call's messages
 * at SND.NXT, one segment each. Workers 0 and 2. Also a four-segment shape against tshark.
 *
 * Was: the direction's stream is anchored at the probe's sequence number, one byte before the real
 *   next byte. A 0-byte probe leaves a phantom 1-byte gap: every SIP message of the direction is
 *   held behind it (until 10 s of capture time and another segment of the direction, or the end of
 *   the capture) and read at the last frame: the sample gives {"dialogs":4,"telemetry":{"aggregate":1,
 *   "drop":253},"reports":{"unbound-stream":12}} — every RTCP item unbound, no scope report. A
 *   1-byte probe's garbage byte is taken as stream data and glued before the first message, whose
 *   start line is then passed over unreported: the first message of each of the 6 directions is
 *   lost ("sip":26, "malformed":0; the three INVITEs among them), giving "streams":18,
 *   "unbound-stream":12, "unresolved-apt":1 and no scope-removed report.
 * Correct: tshark (-o tcp.desegment_tcp_streams:TRUE) reads every message at its own frame. A
 *   keep-alive probe carries no new data (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6: "Such a segment
 *   generally contains SEG.SEQ = SND.NXT-1 and may or may not contain one garbage octet of data";
 *   Wireshark marks it "TCP Keep-Alive"); the peer's ACK (= the probe's SEQ + 1) says so too. The outcome must equal the UDP capture (SPEC §7 SIP
 *   over TCP; §8 results identical whatever the transport framing).
 * Fix: native-free/tcp-stream.ts, TcpStreamReassembler.add(): a direction picked up without its SYN
 *   should not be anchored by a segment without data (anchor at the first segment carrying data),
 *   and a 0/1-byte segment at one below where the stream is anchored — or one the peer has already
 *   acknowledged (its ACK number is past the segment's last byte) — is a keep-alive: not delivered,
 *   and not a reason to move the anchor back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag as F } from '../../../native-free/frame-builder.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, normalisedReplay, overTcp, sample, udpBaseline, whole, writeLabelled, type Labelled } from '../transport-review/transport-harness.js';
import { A, B, oursSip, seg, sipMsg, TcpFlag, tsharkSip, writeCap } from './lab.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** Before each direction's first TCP segment, a keep-alive probe: its SEQ − 1, `probe` as data. */
function withProbes(recs: Labelled[], probe: Uint8Array): Labelled[] {
  const seen = new Set<string>();
  const out: Labelled[] = [];
  for (const r of recs) {
    const b = r.data;
    if (b[12] === 0x08 && b[13] === 0x00 && b[23] === 6) {
      const ip = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
      const t = 14 + (b[14]! & 0x0f) * 4;
      const dv = new DataView(b.buffer, b.byteOffset + t);
      const o = { src: ip(26), dst: ip(30), sport: dv.getUint16(0), dport: dv.getUint16(2) };
      const key = `${o.src}:${o.sport}>${o.dst}:${o.dport}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ ts: r.ts, label: r.label, data: buildIpv4Tcp({ ...o, seq: (dv.getUint32(4) - 1) >>> 0, ack: dv.getUint32(8), flags: 0, payload: probe }) });
      }
    }
    out.push(r);
  }
  return out;
}

describe('a TCP keep-alive probe is the first segment captured in each direction', () => {
  for (const [name, probe] of [
    ['no data (Linux)', new Uint8Array(0)],
    ['one garbage byte (Windows)', Uint8Array.of(0)],
  ] as const)
    for (const workers of [0, 2])
      it(`${name}: the same outcome as the UDP capture (workers ${workers})`, async () => {
        const { records } = await sample();
        const recs = withProbes(overTcp(records, { ...whole, syn: false }), probe);
        const t = await writeLabelled(ws, `probe-${probe.length}-${workers}.pcap`, recs);
        expectSame(await normalisedReplay(t.file, t.labels, workers), await udpBaseline(ws, workers));
      });

  it('four segments, against tshark: each message at its own frame', async () => {
    const P = TcpFlag.PSH | TcpFlag.ACK;
    const m1 = sipMsg('INVITE', 'one');
    const m2 = sipMsg('OPTIONS', 'two');
    for (const probe of ['', '\0']) {
      const recs = [seg(A, 4999, F.ACK, probe, 0, 9000), seg(B, 9000, F.ACK, '', 0, 5000), seg(A, 5000, P, m1, 0, 9000), seg(A, 5000 + m1.length, P, m2, 0, 9000)];
      const want: [number, string[]][] = [
        [3, ['INVITE one']],
        [4, ['OPTIONS two']],
      ];
      expect(tsharkSip(writeCap(recs))).toEqual(want);
      expect(await oursSip(recs)).toEqual(want);
    }
  });
});
