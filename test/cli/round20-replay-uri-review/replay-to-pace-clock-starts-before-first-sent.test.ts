/**
 * Found by a review of replay --to pacing (round 20), fixed since: the wall clock starts at the first datagram sent (src/sources/replay-sender.ts).
 *
 * Input: `replay <capture> --to udp://… --speed 1` where time passes before the first record that
 *   is sent: the capture comes through a FIFO (or `-`) whose writer gives the header and an ARP
 *   frame, then the datagrams "one" (t=1000) and "two" (t=1002) 3 s later — as when records not
 *   sent (a long run of TCP to a udp:// target, ARP) take the reader a while.
 * Was: (observed) "two" leaves right after "one" (gap ≈ 0 ms, capture: 2000 ms). 2959c65 moved
 *   firstTs to the first record sent, but the wall clock it is measured against (startWall) is
 *   still the call's start: every second spent before the first datagram is taken off the
 *   schedule of all later ones, so they go in a burst until the capture's time catches up.
 * Correct: --speed 1 "keeps the capture's pace" (README replay --to) of what is sent: "two" 2 s
 *   after "one"; records not sent, and waiting for input, must not shift the schedule of later
 *   ones (the first sent record goes at once and starts the clock).
 * Fix: src/sources/replay-sender.ts replayCapture: set the wall-clock origin together with firstTs
 *   (`firstTs ??= view.ts` → also `startWall = performance.now()` at that moment).
 */
import { createSocket, type Socket } from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { replayCapture } from '../../../src/sources/replay-sender.js';
import { writeCapture } from '../../live/round19-last-review/pcap.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-replay-to-clock-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('"two" goes 2 s after "one" however long the wait before "one" was', async () => {
  // the capture's bytes: header + ARP, then the two datagrams (written later)
  const headPath = path.join(dir, 'head.pcap');
  const allPath = path.join(dir, 'all.pcap');
  await writeCapture(headPath, [{ ts: 999, kind: 'arp' }]);
  await writeCapture(allPath, [
    { ts: 999, kind: 'arp' },
    { ts: 1000, kind: 'udp', payload: 'one' },
    { ts: 1002, kind: 'udp', payload: 'two' },
  ]);
  const head = await readFile(headPath);
  const rest = (await readFile(allPath)).subarray(head.length);
  const fifo = path.join(dir, 'cap.fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);

  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const got = new Map<string, number>();
  sock.on('message', (m) => got.set(m.toString(), performance.now()));
  try {
    const sending = replayCapture(fifo, { scheme: 'udp', host: '127.0.0.1', port: sock.address().port }, { speed: 1 });
    const writer = await open(fifo, constants.O_WRONLY);
    await writer.write(head);
    await new Promise((r) => setTimeout(r, 3_000));
    await writer.write(rest);
    await writer.close();
    const result = await sending;
    expect(result).toEqual({ sent: 2, skipped: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const gap = got.get('two')! - got.get('one')!;
    expect(gap, `"two" sent ${Math.round(gap)} ms after "one" (capture: 2000 ms)`).toBeGreaterThan(1500);
  } finally {
    sock.close();
  }
}, 60_000);
