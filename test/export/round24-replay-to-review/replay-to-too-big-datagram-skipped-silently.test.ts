/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: a UDP datagram too big for one HEP frame, or for one datagram, is said on stderr, the first with file, byte, frame and size, the count at the end (src/sources/replay-sender.ts replayCapture tooBigRecord).
 * Input: UDP datagrams of 61 000 payload bytes (two) between small SIP ones, `replay --to hep://…`;
 *   an IPv6 UDP datagram of 65 515 payload bytes (more than a UDP datagram over IPv4 holds),
 *   `replay --to udp://127.0.0.1:…` (payload mode).
 * Was: over HEP sendPayload returned false and the datagram was counted in `skipped` without a
 *   word; in payload mode the send failed (EMSGSIZE) and the replay stopped there.
 * Correct: not sent, counted in `skipped`, the first said with file, byte, frame and size, their
 *   count at the end, as an IP packet too big for one datagram is in ip-packet mode.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { setup } from './harness.js';
import { C4, C6, ipv4, ipv6, S4, S6, udp } from './pkt.js';
import { receiver, until, writeFrames, type Frame } from './frames.js';

const t = setup('r24-bigudp-');
const offsetsOf = (frames: Frame[]) => frames.map((_, k) => 24 + frames.slice(0, k).reduce((n, f) => n + 16 + 14 + f.body.length, 0));

it('over HEP: two datagrams too big for a HEP frame, one line with file, byte, frame, size, then the count', async () => {
  const big = ipv4(C4, S4, 17, udp(4000, 4000, new Uint8Array(61_000)));
  const frames: Frame[] = [
    { ts: 1.0, body: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1))) },
    { ts: 1.1, body: big },
    { ts: 1.2, body: big },
    { ts: 1.3, body: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2))) },
  ];
  const cap = await writeFrames(path.join(t.dir(), 'hep.pcap'), frames);
  const r = await receiver();
  try {
    const res = await cli(['replay', cap, '--to', `hep://127.0.0.1:${r.port}`, '--speed', '0']);
    await until(r.got, 2);
    expect(JSON.parse(res.stdout)).toEqual({ sent: 2, skipped: 2 });
    expect(r.got).toHaveLength(2);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`hep\\.pcap: at byte ${offsetsOf(frames)[1]}: frame 2: a UDP datagram of 61000 payload bytes \\(more than 60000\\): not sent, nor any other too big for one HEP frame`));
    expect(lines[1]).toMatch(/hep\.pcap: 2 UDP datagrams too big for one HEP frame were not sent \(counted in skipped\)$/);
  } finally {
    r.close();
  }
}, 60_000);

it('payload mode: a datagram too big for one UDP datagram to an IPv4 target is said, and the replay goes on', async () => {
  const frames: Frame[] = [
    { ts: 1.0, body: ipv6(C6, S6, [], 17, udp(4000, 4000, new Uint8Array(65_515))) },
    { ts: 1.1, body: ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2))) },
  ];
  const cap = await writeFrames(path.join(t.dir(), 'udp.pcap'), frames);
  const r = await receiver();
  try {
    const res = await cli(['replay', cap, '--to', `udp://127.0.0.1:${r.port}`, '--speed', '0']);
    await until(r.got, 1);
    expect(JSON.parse(res.stdout)).toEqual({ sent: 1, skipped: 1 });
    expect(r.got).toHaveLength(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/udp\.pcap: at byte 24: frame 1: a UDP datagram of 65515 payload bytes \(more than 65507\): not sent, nor any other too big for one datagram/);
  } finally {
    r.close();
  }
}, 60_000);
