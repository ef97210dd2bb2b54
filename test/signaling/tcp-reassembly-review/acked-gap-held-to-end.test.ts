/**
 * Found by a review of TCP reassembly, fixed since: an ACK from the other direction past a gap skips it at that record (its held bytes read there, before the ACKing segment's own), and gaps past their timeout are looked for on every TCP segment, whichever its direction (native-free/tcp-stream.ts TcpStreamReassembler.add/skipAckedGap/skipTimedOutGaps, src/pipeline/packet-feed.ts PacketFeed.resumeOthers).
 */
/**
 * Input: the sample call (samples/call-small.pcap) with its SIP over TCP (one connection per
 * address pair, one segment per message), except that the capture missed the segment of call 1's
 * first ACK (frame 13, 10.1.0.1 → 10.2.0.1): a capture drop, not a network loss — the peer's next
 * segment (the 200 to the re-INVITE, frame 235) acknowledges every byte past it, so no
 * retransmission will ever come. Everything else as sent; workers 0 and 2.
 * A second, packet-level shape: a re-INVITE behind a dropped segment, the peer ACKing past the gap
 * and then sending for 60 s of capture time while the sender stays silent.
 *
 * Was: every byte 10.1.0.1 sends after the gap (re-INVITE 231, ACK 238, re-INVITE 289, BYE 428)
 *   is held behind it until the capture ends, then read at the last frame (440): the scope-removed
 *   report of call 1 (frame 235, apt-user-1 removed from mid a) is never written, and call 1's RTCP
 *   after the re-INVITE is still decided under the removed user APT
 *   ("apt":["apt-user-1","apt-repo-1"], frames 271, 278, 352, …). The gap timeout (10 s) is only
 *   looked at when a segment of the same direction arrives, so in the packet-level shape the
 *   re-INVITE waits the whole 60 s (to the end of the capture), not 10 s as the README says.
 * Correct: tshark (-o tcp.desegment_tcp_streams:TRUE) reads the re-INVITE at its own frame. The
 *   peer's ACK past the gap (RFC 9293 §3.4: an acknowledgment covers every byte below it) says the
 *   missing bytes were received and will not be sent again — Wireshark's "ACKed segment that wasn't
 *   captured" — so waiting for them only delays the signaling: SPEC §5 "restrictions take effect
 *   from the offer … exactly at the packet where the change was seen"; README: a gap is given up
 *   after 10 s of capture time. The outcome must be that of the UDP capture without frame 13 (its
 *   reports, the `bytes-lost` malformed-input report aside; its decisions from frame 235 on).
 * Fix: native-free/tcp-stream.ts (TcpStreamReassembler.add): when a segment's ACK number passes the
 *   reverse direction's nextSeq while that direction holds segments behind a gap, skip the gap there
 *   (the bytes are known lost) and tell the feed (GAP for the reverse key: packet-feed.ts must then
 *   deliver the reverse direction's resumed bytes on this record, before this segment's own
 *   messages); and check the gap timeout against the capture clock on every record, not only on the
 *   stream's own segments.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { normalisedReplay, overTcp, overUdp, sample, writeLabelled } from '../transport-review/transport-harness.js';
import { A, B, oursSip, seg, sipMsg, TcpFlag, tsharkSip, writeCap } from './lab.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a capture-dropped segment the peer acknowledged', () => {
  for (const workers of [0, 2])
    it(`call 1's re-INVITE after the missed ACK takes effect as over UDP without that ACK (workers ${workers})`, async () => {
      const { records } = await sample();
      const u = await writeLabelled(ws, `udp-${workers}.pcap`, overUdp(records).filter((r) => r.label !== 13));
      const t = await writeLabelled(ws, `tcp-${workers}.pcap`, overTcp(records, { pieces: (m, f) => (f === 13 ? [] : [{ from: 0, to: m.length }]) }));
      const U = await normalisedReplay(u.file, u.labels, workers);
      const T = await normalisedReplay(t.file, t.labels, workers);
      const scopeRemoved = (x: typeof U) => x.reports.filter((r) => (r as { type: string }).type === 'scope-removed');
      expect(scopeRemoved(T)).toEqual(scopeRemoved(U));
      const notLost = (x: typeof U) => x.reports.filter((r) => (r as { type: string }).type !== 'malformed-input');
      expect(notLost(T)).toEqual(notLost(U));
      const from235 = (x: typeof U) => x.decisions.filter((d) => ((d as { frame: number }).frame as number) >= 235);
      expect(from235(T)).toEqual(from235(U));
    });
});

describe('packet level: the peer ACKs past the gap and goes on sending; the sender is silent', () => {
  it('the re-INVITE is not held for the rest of the capture', async () => {
    const P = TcpFlag.PSH | TcpFlag.ACK;
    const lost = sipMsg('OPTIONS', 'lost');
    const re = sipMsg('INVITE', 'call');
    const ok = re.replace(/^INVITE \S+ SIP\/2.0/, 'SIP/2.0 200 OK').replace('Call-ID: call', 'Call-ID: answer');
    const after = 1001 + lost.length + re.length;
    const recs = [
      { ...seg(A, 1000, TcpFlag.SYN), ts: 100 },
      { ...seg(B, 5000, TcpFlag.SYN | TcpFlag.ACK, '', 0, 1001), ts: 100.01 },
      // frame 3: the OPTIONS segment was not captured; the re-INVITE follows it
      { ...seg(A, 1001 + lost.length, P, re, 0, 5001), ts: 101 },
      // frame 4: the peer acknowledges both and answers
      { ...seg(B, 5001, P, ok, 0, after), ts: 101.05 },
      // the peer keeps its side busy for a minute (NOTIFYs), the sender says nothing
      ...Array.from({ length: 12 }, (_, i) => {
        const n = sipMsg('NOTIFY', `n${String(i).padStart(2, '0')}`);
        return { ...seg(B, 5001 + ok.length + i * n.length, P, n, 0, after), ts: 106 + i * 5 };
      }),
    ];
    const oracle = tsharkSip(writeCap(recs));
    expect(oracle.find(([f]) => f === 3)?.[1]).toEqual(['INVITE call']);
    const ours = await oursSip(recs);
    const at = ours.find(([, m]) => m.includes('INVITE call'));
    // read at the latest once the peer has acknowledged past the gap (frame 4), never at the
    // end of the capture 60 s later (frame 16)
    expect(at?.[0]).toBeLessThanOrEqual(4);
  });
});
