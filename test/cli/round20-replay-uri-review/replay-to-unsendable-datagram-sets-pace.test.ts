/**
 * Found by a review of replay --to pacing (round 20), fixed since: the wait is inside sendPayload after the size checks, so only a datagram sent sets the pace (src/sources/replay-sender.ts).
 *
 * Input: `replay <capture> --to hep://… --speed 1` of a capture whose first UDP datagram (t=1000)
 *   has a 61,000-byte payload — more than a HEP frame holds (MAX_HEP_PAYLOAD 60,000), so it is
 *   skipped — then "one" at t=1020 and "two" at t=1020.3. (Same with `--to udp:// --udp-mode
 *   ip-packet` and an IP packet over 65,000 bytes.)
 * Was: (observed) nothing is sent for 20 s: the skipped datagram counts as one "that sends
 *   something" (sendsOwn looks only at the kind, not at whether sendPayload takes it) and sets
 *   firstTs; with such a datagram an hour before the rest, replay sits silent an hour — the very
 *   case 2959c65 fixed for ARP frames.
 * Correct: a record that is not sent sets no pace (2959c65's own rule, README replay --to "keeps
 *   the capture's pace" of what it sends): "one" goes at once, "two" ~300 ms later; the result
 *   stays {sent: 2, skipped: 1}.
 * Fix: src/sources/replay-sender.ts replayCapture: decide the wait after knowing the record is
 *   sendable — e.g. move the firstTs/due wait into sendPayload (before the socket sends, once the
 *   size checks passed), or check the size limits in sendsOwn.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { replayCapture } from '../../../src/sources/replay-sender.js';
import { writeCapture } from '../../live/round19-last-review/pcap.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-replay-to-big-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a datagram too big for a HEP frame (skipped) does not hold back the first one sent', async () => {
  const cap = path.join(dir, 'cap.pcap');
  await writeCapture(cap, [
    { ts: 1000, kind: 'udp', payload: 'x'.repeat(61_000) },
    { ts: 1020, kind: 'udp', payload: 'one' },
    { ts: 1020.3, kind: 'udp', payload: 'two' },
  ]);
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const got = new Map<string, number>();
  const t0 = performance.now();
  // a HEP frame: the payload (chunk 15) is its last bytes
  sock.on('message', (m) => {
    const text = m.toString('latin1');
    for (const k of ['one', 'two']) if (text.endsWith(k)) got.set(k, performance.now() - t0);
  });
  try {
    const result = await replayCapture(cap, { scheme: 'hep', host: '127.0.0.1', port: sock.address().port }, { speed: 1 });
    expect(result).toEqual({ sent: 2, skipped: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const one = got.get('one')!;
    expect(one, `first datagram sent ${Math.round(one)} ms after the start (nothing sent before it; capture: 20 s after the skipped one)`).toBeLessThan(10_000);
  } finally {
    sock.close();
  }
}, 60_000);
