/**
 * Found by a review of 8418f0b/3be3820 (replay --to's TCP framing), fixed since: ip-packet mode sends a segment whose SYN starts a stream (TcpBoundary.START counted among what moves the reading on) (src/sources/replay-sender.ts replayCapture).
 * Input: SIP over TCP, one four-tuple reused: a SYN, OPTIONS #1 and the first 50 bytes of #2 in
 *   one segment, no FIN; then a new bare SYN on the same ports (a new connection, new ISN), OPTIONS #3
 *   in its first segment, the server's ACK. `replay --to udp://… --udp-mode ip-packet` to
 *   `live --udp … --udp-mode ip-packet`, compared with `replay` of the capture.
 * Was (observed): the sender leaves out every bare SYN ("not a bare SYN/ACK that moves no stream
 *   on"); the live side never sees the new connection: it reads #3's segment as bytes past a lost
 *   segment of the old stream, holds them until the server's ACK, and reports #2 "cut by a lost
 *   segment" there, where the offline replay reports it "cut by a new SYN" at the SYN. (With a
 *   third connection ended by an RST, live read 4 SIP messages where offline read 6: the held
 *   bytes of the unseen connection were dropped with the RST.)
 * Correct: README "replay --to": live --udp-mode ip-packet reads what replay --to sends as the
 *   offline replay reads the capture. A SYN does move the offline reading on: packet-feed
 *   tcpBoundary() cuts the old stream at TcpBoundary.START ("a new SYN") and starts a fresh framer.
 * Fix: src/sources/replay-sender.ts replayCapture, ip-packet branch: count a segment whose
 *   boundaries hold TcpBoundary.START (or CONNECT) among those that `moves` (send its IP packet).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { writeCap, sipMsg, SYN, type Seg } from './cap.js';
import { liveOf, offlineOf } from './harness.js';
import { detailOf, setup } from './common.js';

const t = setup('r23-syn-');

it('a bare SYN reusing the ports is sent in ip-packet mode: live reads the new connection as offline', async () => {
  const [m1, m2, m3] = [sipMsg(1), sipMsg(2), sipMsg(3)];
  const segs: Seg[] = [
    { ts: 1.0, from: 'client', seq: 999, flags: SYN },
    { ts: 1.1, from: 'client', seq: 1000, ack: 9000, payload: m1 + m2.slice(0, 50) },
    { ts: 2.0, from: 'client', seq: 4999, flags: SYN },
    { ts: 2.1, from: 'client', seq: 5000, ack: 9000, payload: m3 },
    { ts: 2.2, from: 'server', seq: 9000, ack: 5000 + m3.length },
  ];
  const cap = path.join(t.dir(), 'reuse.pcap');
  await writeCap(cap, segs);
  const off = await offlineOf(t.dir(), cap, 'reuse', t.policy());
  expect(off.summary).toMatchObject({ sip: 3, malformed: 1 });
  expect(String(off.reports[0]!.detail)).toContain('cut by a new SYN');
  const got = await liveOf(t.dir(), cap, 'reuse', t.policy(), 'ip-packet');
  // (ip-packet mode: times are arrival times, documented; frames are the live side's count of datagrams)
  const lines = (rs: Record<string, unknown>[]) => rs.map((r) => `${String(r.type)} ${detailOf(r)}`);
  expect({ summary: { ...got.summary, packets: 0 }, reports: lines(got.reports) }).toEqual({ summary: { ...off.summary, packets: 0 }, reports: lines(off.reports) });
}, 60_000);
