/**
 * Found by a review of the TCP reassembly fix, fixed since: a direction seen only by bare ACKs or keep-alive probes keeps where it stands, and an RST is checked against it (native-free/tcp-stream.ts unanchored).
 */
/**
 * Input: a SIP-over-TCP connection the capture joined mid-way (no SYN). A sends the first half
 * of an INVITE; B, which has sent no data yet, acknowledges it with a bare ACK (seq 9000); then
 * an RST with B's addresses whose sequence number is 2^24 past B's (a blind/spoofed RST, or a
 * late copy of an earlier connection's); then A sends the rest of the INVITE and a BYE.
 * Was: since e13128a a SYN-less direction's bare ACK creates no stream (the keep-alive rule
 *   returns before the state is made), so the RST's window check (`state !== undefined && …`)
 *   has nothing to check against and the RST is taken: both directions are reset, the INVITE is
 *   reported "cut by RST, dropped" at frame 3 and never read. Before e13128a the bare ACK made
 *   B's stream and the RST was ignored (stats.rstIgnored).
 * Correct: tshark reads the INVITE at frame 4 and the BYE at 5. README: "a blind RST, or a late
 *   copy of an earlier connection's, is ignored, RFC 5961"; RFC 5961 §3.2 / RFC 9293 §3.10.7.4:
 *   an RST is acceptable only with a sequence number in the window — B's position is known from
 *   its bare ACK's sequence number.
 * Fix: native-free/tcp-stream.ts TcpStreamReassembler.add: in the keep-alive branch, remember
 *   where the direction's sequence numbers stand (e.g. a small map key → last seq of a segment
 *   without data, bounded) and check an RST of a direction without a stream against it; or make
 *   the stream unanchored (no data delivered) instead of making none.
 */
import { expect, it } from 'vitest';
import { A, B, oursSip, seg, sipMsg, TcpFlag, tsharkSip, writeCap } from '../tcp-reassembly-review/lab.js';

it('a blind RST from a direction seen only by its bare ACKs is ignored', async () => {
  const P = TcpFlag.PSH | TcpFlag.ACK;
  const m = sipMsg('INVITE', 'one');
  const h = 100;
  const recs = [
    { ...seg(A, 70000, P, m.slice(0, h), 0, 9000), ts: 100 },
    { ...seg(B, 9000, TcpFlag.ACK, '', 0, 70000 + h), ts: 100.01 },
    { ...seg(B, 9000 + (1 << 24), TcpFlag.RST, '', 0), ts: 100.02 },
    { ...seg(A, 70000 + h, P, m.slice(h), 0, 9000), ts: 100.03 },
    { ...seg(A, 70000 + m.length, P, sipMsg('BYE', 'one'), 0, 9000), ts: 100.04 },
  ];
  expect(tsharkSip(writeCap(recs))).toEqual([
    [4, ['INVITE one']],
    [5, ['BYE one']],
  ]);
  expect(await oursSip(recs)).toEqual([
    [4, ['INVITE one']],
    [5, ['BYE one']],
  ]);
});
