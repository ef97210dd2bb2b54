/**
 * Found by a review of the TCP reassembly fix, fixed since: an RST ignored as blind is dropped whole: its ACK field is read only after the RST check (native-free/tcp-stream.ts add).
 */
/**
 * Input: SIP over TCP (SYN seen). A sends OPTIONS; B answers 100; A's INVITE segment is lost in
 * the network and A's BYE segment is held behind the gap; then an RST+ACK with B's addresses
 * whose sequence number is 2^24 past B's next (ignored as blind, RFC 5961 — stats.rstIgnored)
 * but whose ACK field passes A's gap; 300 ms later A retransmits the INVITE (RTO).
 * Was: add() runs skipAckedGap on the segment's ACK before the RST is validated, so the ignored
 *   RST's acknowledgment skips the gap at frame 6 ("bytes-lost …", BYE read) and the real
 *   retransmission at frame 7 is dropped as already delivered: the INVITE is never read.
 * Correct: a segment the watcher discards must not act through its other fields: RFC 9293
 *   §3.10.7.4 drops an unacceptable RST whole (the ACK field is processed only in step five, for
 *   acceptable non-RST segments), RFC 5961 §3.2. Without the RST, INVITE and BYE are read at
 *   frame 7 (as tshark with tcp.reassemble_out_of_order:TRUE reads them).
 * Fix: native-free/tcp-stream.ts TcpStreamReassembler.add: take the ACK into account
 *   (skipAckedGap) only after the RST check — not for an ignored RST (arguably not for any RST:
 *   its ACK field is no acknowledgment RFC 9293 processes).
 */
import { expect, it } from 'vitest';
import { A, B, oursSip, seg, sipMsg, TcpFlag, tsharkSip, writeCap } from '../tcp-reassembly-review/lab.js';

it("an ignored RST's ACK field does not give up a gap a retransmission fills", async () => {
  const P = TcpFlag.PSH | TcpFlag.ACK;
  const m1 = sipMsg('OPTIONS', 'one');
  const m2 = sipMsg('INVITE', 'two');
  const m3 = sipMsg('BYE', 'three');
  const r = 'SIP/2.0 100 Trying\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-one\r\nFrom: <sip:a@x>;tag=a1\r\nTo: <sip:b@x>\r\nCall-ID: one\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
  const s1 = 1001;
  const s2 = s1 + m1.length;
  const s3 = s2 + m2.length;
  const recs = [
    { ...seg(A, 1000, TcpFlag.SYN), ts: 100 },
    { ...seg(B, 5000, TcpFlag.SYN | TcpFlag.ACK, '', 0, 1001), ts: 100.001 },
    { ...seg(A, s1, P, m1, 0, 5001), ts: 101 },
    { ...seg(B, 5001, P, r, 0, s2), ts: 101.001 },
    { ...seg(A, s3, P, m3, 0, 5001 + r.length), ts: 101.002 },
    { ...seg(B, 5001 + r.length + (1 << 24), TcpFlag.RST | TcpFlag.ACK, '', 0, s3), ts: 101.003 },
    { ...seg(A, s2, P, m2, 0, 5001 + r.length), ts: 101.3 },
  ];
  const theirs = tsharkSip(writeCap(recs), ['-o', 'tcp.reassemble_out_of_order:TRUE']);
  expect(theirs.find(([f]) => f === 7)?.[1]).toEqual(['INVITE two', 'BYE three']);
  const ours = (await oursSip(recs)).flatMap(([, m]) => m);
  expect(ours).toContain('INVITE two');
});
