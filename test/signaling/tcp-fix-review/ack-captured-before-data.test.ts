/**
 * Found by a review of the TCP reassembly fix, fixed since: a bare ACK past a gap gives it up only once it has stood for ACK_GRACE_SECONDS (0.2 s of capture time), so data a two-port tap records just after its ACK still fills the gap; an ACK on a segment carrying data (the peer answering) gives it up at once (native-free/tcp-stream.ts noteAck, ackedPast).
 */
/**
 * Input: SIP over TCP (SYN seen). A sends OPTIONS, INVITE, BYE in three segments. The network
 * reorders INVITE and BYE, and the capture (a two-port tap, one port per direction, merged by
 * time stamps) records B's ACK of the INVITE just before the INVITE segment itself:
 * SYN, SYN-ACK, ACK, OPTIONS, BYE (held behind the INVITE's gap), B's ACK = start of the BYE
 * (acknowledges the INVITE's bytes), INVITE (captured 0.1 ms late), B's ACK of everything.
 * Was: the ACK rule of e13128a skips the INVITE's gap at frame 6 ("bytes-lost: 174 bytes lost
 *   between messages", BYE read), and the INVITE segment at frame 7, every byte of which was
 *   captured, is taken for a retransmission and dropped: the INVITE is never read. Before e13128a
 *   it filled the gap and INVITE + BYE were read at frame 7.
 * Correct: tshark (-o tcp.desegment_tcp_streams:TRUE -o tcp.reassemble_out_of_order:TRUE)
 *   reads INVITE and BYE at frame 7. An ACK says the peer has the bytes (RFC 9293 §3.4), not that
 *   the capture will never show them: capture order is not arrival order on a merged tap (the
 *   Wireshark analysis flags this as "ACKed unseen segment" then "out-of-order", and still
 *   reassembles). README: a segment ahead of the stream is held until the gap fills; a captured
 *   segment must not be lost (a lost re-INVITE keeps a removed scope in force, SPEC §5).
 * Fix: native-free/tcp-stream.ts: remember the range of the last gap(s) skipped by an ACK per
 *   stream (bounded, e.g. for the gap timeout); a later segment inside such a range is not a
 *   retransmission but the missed bytes — hand it on as a run of its own after a GAP (the feed
 *   frames it from its start line, as resumeOthers does), or skip ACKed gaps only after a short
 *   grace of capture time / the next segment of the gap's own direction.
 */
import { expect, it } from 'vitest';
import { A, B, oursSip, seg, sipMsg, TcpFlag, tsharkSip, writeCap } from '../tcp-reassembly-review/lab.js';

it('an INVITE captured just after the ACK that acknowledges it is still read', async () => {
  const P = TcpFlag.PSH | TcpFlag.ACK;
  const m1 = sipMsg('OPTIONS', 'one');
  const m2 = sipMsg('INVITE', 'two');
  const m3 = sipMsg('BYE', 'three');
  const s1 = 1001;
  const s2 = s1 + m1.length;
  const s3 = s2 + m2.length;
  const end = s3 + m3.length;
  const recs = [
    { ...seg(A, 1000, TcpFlag.SYN), ts: 100 },
    { ...seg(B, 5000, TcpFlag.SYN | TcpFlag.ACK, '', 0, 1001), ts: 100.001 },
    { ...seg(A, 1001, TcpFlag.ACK, '', 0, 5001), ts: 100.002 },
    { ...seg(A, s1, P, m1, 0, 5001), ts: 101 },
    { ...seg(A, s3, P, m3, 0, 5001), ts: 101.0001 },
    { ...seg(B, 5001, TcpFlag.ACK, '', 0, s3), ts: 101.0002 },
    { ...seg(A, s2, P, m2, 0, 5001), ts: 101.0003 },
    { ...seg(B, 5001, TcpFlag.ACK, '', 0, end), ts: 101.0004 },
  ];
  const theirs = tsharkSip(writeCap(recs), ['-o', 'tcp.reassemble_out_of_order:TRUE']);
  expect(theirs).toEqual([
    [4, ['OPTIONS one']],
    [7, ['INVITE two', 'BYE three']],
  ]);
  const ours = (await oursSip(recs)).flatMap(([, m]) => m);
  expect(ours).toContain('INVITE two');
  expect(ours.filter((m) => m === 'BYE three')).toHaveLength(1);
});
