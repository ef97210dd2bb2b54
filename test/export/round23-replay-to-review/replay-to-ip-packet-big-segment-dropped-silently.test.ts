/**
 * Found by a review of 8418f0b/3be3820 (replay --to's TCP framing), fixed since: ip-packet mode says a TCP segment too big for one datagram on stderr, the first with file, byte and frame, the count at the end (src/sources/replay-sender.ts replayCapture tooBigRecord).
 * Input: SIP over TCP: one segment carrying an OPTIONS with a 65 100-byte body (its IP packet
 *   65 410 bytes, past MAX_IP_PACKET 65 000 but within a UDP datagram's 65 507), then OPTIONS #2.
 *   `replay --to udp://… --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`.
 * Was (observed): the big segment is skipped without a word on stderr (`skipped` 1); the live side
 *   reads #2 only and nothing tells the operator a SIP message was lost (live sip 1, offline 2, no
 *   report either side, stderr empty).
 * Correct: live = offline (README "replay --to"); short of that, what is not sent is said on stderr
 *   in one line naming the file and frame, as a snap-length cut is (replay-sender snapCutRecord).
 * Fix: src/sources/replay-sender.ts replayCapture, ip-packet branch: a TCP segment too big for one
 *   datagram can be sent re-segmented (several IP packets, each with its own sequence number, the
 *   live reassembler joins them); or at least warn (the first with file and frame, the count at the end).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { writeCap, sipMsg, type Seg } from './cap.js';
import { liveOf, offlineOf } from './harness.js';
import { setup } from './common.js';

const t = setup('r23-big-');

it('a TCP segment past MAX_IP_PACKET is not lost without a word in ip-packet mode', async () => {
  const big = sipMsg('big').replace('Content-Length: 0\r\n\r\n', `Content-Type: text/plain\r\nContent-Length: 65100\r\n\r\n${'a'.repeat(65100)}`);
  const segs: Seg[] = [
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: big },
    { ts: 1.1, from: 'client', seq: 1000 + big.length, ack: 9000, payload: sipMsg(2) },
  ];
  const cap = path.join(t.dir(), 'big.pcap');
  await writeCap(cap, segs);
  const off = await offlineOf(t.dir(), cap, 'big', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 0 });
  const got = await liveOf(t.dir(), cap, 'big', t.policy(), 'ip-packet');
  const readAsOffline = got.summary.sip === off.summary.sip;
  const said = /big\.pcap: .*frame 1\b/.test(got.stderr) && got.stderr.trim().split('\n').length === 1;
  expect({ readAsOffline, said, stderr: got.stderr }).toMatchObject(readAsOffline ? { readAsOffline: true } : { said: true });
}, 60_000);
