/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: the chunks held while a direction was undecided go as the chunks they came in whenever they go, the direction decided since or not (src/sources/replay-tcp-framing.ts HepTcpFraming sendStream, sendHeld, finish).
 * Input: SIP over TCP picked up mid-connection: a keep-alive probe's garbage octet ('x', one byte
 *   at SND.NXT − 1, RFC 1122 §4.2.3.6), then OPTIONS #1 in two segments (its first 60 bytes, the
 *   rest — a message over one MSS, as an INVITE with SDP usually is), then OPTIONS #2. `replay
 *   --to hep://…` to `live --hep`, compared with `replay`. (round23's probe test has #1 in one
 *   segment: that passes.)
 * Was (observed): the octet is held (direction undecided); #1's first part decides the direction
 *   SIP (the framer starts after the octet) but completes nothing, so it is held too; when #1's
 *   rest completes it, sendStream sees a direction already 'sip' (`chunked` is false) and sends
 *   the held chunks concatenated: "x" + "OPTIONS …" in one HEP frame. Live, whose classifier
 *   passes a lone first octet over only when it comes alone, reads the method "xOPTIONS":
 *   "sip cseq-method-mismatch at byte 155" — live malformed 1, offline 0. (Likewise any chunks held
 *   from before the direction was decided are glued to the message that completes after it.)
 * Correct: ce80d19 / README "replay --to": "a direction's bytes go as the segments they came in
 *   until it is known to carry SIP" — the chunks held while undecided must keep their boundaries
 *   until they are sent, not only when they are sent while it is still undecided.
 * Fix: src/sources/replay-sender.ts replayCapture sendStream: keep, with a direction's held chunks,
 *   that they came while it was undecided (or simply keep every held chunk apart) and send them as
 *   the chunks they came in whenever they go (the end-of-capture loop too); concatenate only
 *   chunks held after the direction was decided.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from './harness.js';
import { tcp4, writeRecs } from './pkt.js';

const t = setup('r24-probe2-');

it('a probe octet before a first message in two segments is not glued to it over HEP', async () => {
  const [m1, m2] = [sipMsg(1), sipMsg(2)];
  const c = (ts: number, seq: number, payload: string) => ({ ts, ip: tcp4({ from: 'client', seq, ack: 9000, payload }) });
  const cap = await writeRecs(path.join(t.dir(), 'probe2.pcap'), [c(1.0, 999, 'x'), c(1.1, 1000, m1.slice(0, 60)), c(1.2, 1060, m1.slice(60)), c(1.3, 1000 + m1.length, m2)]);
  const off = await offlineOf(t.dir(), cap, 'probe2', t.policy());
  expect(off.summary).toMatchObject({ sip: 2, malformed: 0, reports: {} });
  const got = await liveOf(t.dir(), cap, 'probe2', t.policy(), 'hep');
  expect(reading(got)).toEqual(reading(off));
}, 60_000);
