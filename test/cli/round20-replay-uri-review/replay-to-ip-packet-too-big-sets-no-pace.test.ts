/**
 * Found by a review of replay --to pacing (round 20), fixed since: only a datagram that is sent
 * sets the pace, the size checks passed first (src/sources/replay-sender.ts replayCapture sendPayload).
 * Input: `replay --to udp://… --udp-mode ip-packet --speed 1` of a capture whose first datagram
 *   (t=1000) makes an IP packet over 65,000 bytes (skipped), then "one" at t=1020.
 * Was: the skipped datagram set the pace: "one" left 20 s after the start.
 * Correct: "one" goes at once; {sent: 1, skipped: 1}.
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
  dir = await mkdtemp(path.join(tmpdir(), 'r20-replay-to-ippacket-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('an IP packet too big to send (skipped) does not hold back the first one sent', async () => {
  const cap = path.join(dir, 'cap.pcap');
  await writeCapture(cap, [
    { ts: 1000, kind: 'udp', payload: 'x'.repeat(65_010) },
    { ts: 1020, kind: 'udp', payload: 'one' },
  ]);
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let one: number | undefined;
  const t0 = performance.now();
  sock.on('message', (m) => {
    if (m.toString('latin1').endsWith('one')) one ??= performance.now() - t0;
  });
  try {
    const result = await replayCapture(cap, { scheme: 'udp', host: '127.0.0.1', port: sock.address().port }, { speed: 1, udpMode: 'ip-packet' });
    expect(result).toEqual({ sent: 1, skipped: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(one, `"one" sent ${Math.round(one ?? -1)} ms after the start (capture: 20 s after the skipped one)`).toBeLessThan(10_000);
  } finally {
    sock.close();
  }
}, 60_000);
