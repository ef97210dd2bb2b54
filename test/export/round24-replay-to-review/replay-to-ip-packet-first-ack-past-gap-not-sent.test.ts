/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: ip-packet mode sends every record's IP packet as captured, every bare ACK included (src/sources/replay-sender.ts replayCapture sendIpPacket; the `moves` choice removed).
 * Input: SIP over TCP at the capture's pace (`--speed 1`): OPTIONS #1 and the first 50 bytes of
 *   #2; #2's bytes 50–120 lost; the rest of #2 and #3 (held behind the gap); the server's bare
 *   ACK past all of it (t 1.3), the same ACK again a second later (t 2.3); then the client opens
 *   a new connection on the same ports (SYN, t 3.0) and sends #4. `replay --to udp://…
 *   --udp-mode ip-packet --speed 1` to `live --udp … --udp-mode ip-packet`, compared with `replay`.
 * Was (observed): the first ACK past the gap starts the reassembler's grace (tcp-stream noteAck:
 *   ackedSince, ACK_GRACE_SECONDS 0.2) but resumes nothing yet, so the sender takes it for a bare
 *   ACK that moves no stream on and skips it; the second one (past the grace offline) resumes #2's
 *   rest and #3 offline and is sent. Live the second ACK is the first it sees: its grace starts
 *   there, and the SYN 0.7 s later forgets the held bytes — live sip 3 where offline has 5, its
 *   report "50 bytes of a message cut by a new SYN" where offline's is "… cut by a lost segment"
 *   (and offline's "garbage-skipped at byte 0 (88)" is missing). stderr empty.
 * Correct: README "replay --to": ip-packet leaves out only "a bare ACK that moves no stream on";
 *   this one moves the reading on (offline, the gap is given up 0.2 s after it, not after the
 *   next ACK), so live must see it to read the capture as offline does at its pace.
 * Fix: src/sources/replay-sender.ts replayCapture (ip-packet branch) with native-free
 *   tcp-stream.ts: have the reassembler tell when a segment's ACK was noted past a gap another
 *   direction holds (noteAck sets acked/ackedSince or raises ackedTo), and count that among `moves`.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from './harness.js';
import { SYN, tcp4, writeRecs } from './pkt.js';

const t = setup('r24-grace-');

it('the first bare ACK past a held gap is sent in ip-packet mode (the capture pace)', async () => {
  const [m1, m2, m3, m4] = [sipMsg(1), sipMsg(2), sipMsg(3), sipMsg(4)];
  const all = 1000 + m1.length + m2.length + m3.length;
  const cap = await writeRecs(path.join(t.dir(), 'grace.pcap'), [
    { ts: 1.0, ip: tcp4({ from: 'client', seq: 1000, ack: 9000, payload: m1 + m2.slice(0, 50) }) },
    { ts: 1.2, ip: tcp4({ from: 'client', seq: 1000 + m1.length + 120, ack: 9000, payload: m2.slice(120) + m3 }) },
    { ts: 1.3, ip: tcp4({ from: 'server', seq: 9000, ack: all }) },
    { ts: 2.3, ip: tcp4({ from: 'server', seq: 9000, ack: all }) },
    { ts: 3.0, ip: tcp4({ from: 'client', seq: 4999, flags: SYN }) },
    { ts: 3.1, ip: tcp4({ from: 'client', seq: 5000, ack: 7000, payload: m4 }) },
  ]);
  const off = await offlineOf(t.dir(), cap, 'grace', t.policy());
  expect(off.summary).toMatchObject({ sip: 5 });
  const got = await liveOf(t.dir(), cap, 'grace', t.policy(), 'ip-packet', 1);
  expect(reading(got)).toEqual(reading(off));
}, 60_000);
