/**
 * Found by a review of 8418f0b/3be3820 (replay --to's TCP framing), fixed since: ip-packet mode sends every IP fragment of a TCP segment as it came, the live side reassembles it (src/sources/replay-sender.ts replayCapture, tcpFragment).
 * Input: SIP over TCP over IPv4 where OPTIONS #1's segment was fragmented (4 IP fragments of 64
 *   bytes and the rest), then OPTIONS #2 in one unfragmented segment. `replay --to udp://…
 *   --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`, compared with `replay`.
 * Was (observed): the fragment records before the last are skipped (decoder: held) and the record
 *   that completes the segment is sent "as its captured IP packet" — the last fragment alone. The
 *   live side never completes the datagram: #1 is lost and reported "IPv4 fragments of id … never
 *   completed" (live sip 1, malformed 1; offline sip 2, malformed 0). `sent` 2, `skipped` 3.
 * Correct: README "replay --to": live --udp-mode ip-packet reads what replay --to sends as the
 *   offline replay reads the capture; offline reassembles the fragments and reads #1.
 * Fix: src/sources/replay-sender.ts replayCapture, ip-packet branch: when the TCP segment was
 *   completed from IP fragments, send every fragment's IP packet (or the reassembled segment as one
 *   IP packet, as the UDP path's SourcePacketBatcher does), not only the record that completed it.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { writeCap, sipMsg, type Seg } from './cap.js';
import { liveOf, offlineOf, noTs } from './harness.js';
import { setup } from './common.js';

const t = setup('r23-frag-');

it('a TCP segment in IP fragments reaches live --udp-mode ip-packet whole', async () => {
  const [m1, m2] = [sipMsg(1), sipMsg(2)];
  const segs: Seg[] = [
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1, fragment: 64 },
    { ts: 1.1, from: 'client', seq: 1000 + m1.length, ack: 9000, payload: m2 },
  ];
  const cap = path.join(t.dir(), 'frag.pcap');
  await writeCap(cap, segs);
  const off = await offlineOf(t.dir(), cap, 'frag', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 0 });
  const got = await liveOf(t.dir(), cap, 'frag', t.policy(), 'ip-packet');
  expect({ sip: got.summary.sip, malformed: got.summary.malformed, reports: noTs(got.reports) }).toEqual({ sip: 2, malformed: 0, reports: [] });
}, 60_000);
