/**
 * Found by a review of the round-21 refactors, fixed since: a pacing wait past MAX_TIMER_MS is waited in timers of at most MAX_TIMER_MS, the rest recomputed after each (src/sources/replay-sender.ts replayCapture sendPayload).
 * Input: `replay <cap> --to udp://127.0.0.1:<port> --speed 0.0000001` on a capture of two UDP
 *   datagrams 1 s apart (src/sources/replay-sender.ts replayCapture, driven directly): the second
 *   datagram is due 10^10 ms (~116 days) after the first. The same happens at --speed 1 for a
 *   capture whose records are more than 24.8 days apart (a clock jump, a long ring capture).
 * Was (observed): the second datagram arrives ~1 ms after the first, and Node prints
 *   "TimeoutOverflowWarning: 10000000000 does not fit into a 32-bit signed integer. Timeout
 *   duration was set to 1." — the pace's wait is `sleep(due)` (node:timers/promises) with no bound.
 *   f84a735 made one MAX_TIMER_MS "for the four places that need setTimeout's longest delay";
 *   this fifth one was left out (it predates the refactor: the same wait was there before).
 * Correct: the pace asked for (SPEC §8 replay --to --speed: capture time scaled by the speed) — a
 *   datagram is not sent before its due time; a longer wait is waited in several timers, as live's
 *   every() and the NDJSON/NATS expiry timers do, and no overflow warning reaches stderr.
 * Fix: src/sources/replay-sender.ts sendPayload: wait in a loop, `sleep(Math.min(due, MAX_TIMER_MS), …)`
 *   then recompute dueMs() until it is ≤ 1 (MAX_TIMER_MS from src/export/abortable.ts).
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { replayCapture } from '../../../src/sources/replay-sender.js';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';

/** One Ethernet/IPv4/UDP frame, 10.0.0.1:40000 → 10.0.0.2:40002, carrying `payload`. */
const ipv4Udp = (payload: Uint8Array): Uint8Array => buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payload });

let dir = '';
let capture = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r21-refactor-pace-'));
  capture = path.join(dir, 'two.pcap');
  const a = ipv4Udp(new TextEncoder().encode('first datagram'));
  const b = ipv4Udp(new TextEncoder().encode('second datagram'));
  const parts = [encodePcapFileHeader(1), encodePcapRecord(1_700_000_000, a, { origLen: a.length }), encodePcapRecord(1_700_000_001, b, { origLen: b.length })];
  await writeFile(capture, Buffer.concat(parts.map((p) => Buffer.from(p))));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a datagram due in ~116 days is not sent after 1 ms, and no TimeoutOverflowWarning', async () => {
  const got: string[] = [];
  const rx = createSocket('udp4');
  rx.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', resolve));
  const port = rx.address().port;
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const stop = new AbortController();
  const run = replayCapture(capture, `udp://127.0.0.1:${port}`, { speed: 0.0000001, signal: stop.signal }).catch(() => undefined);
  try {
    // the first one sent (waited for, up to 15 s: a loaded CI can take longer than a fixed pause),
    // then time for a wrongly fired second one to come
    for (const end = Date.now() + 15_000; got.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1000));
    expect(got[0]).toBe('first datagram');
    // the second one is due in 10^10 ms
    expect(got).toEqual(['first datagram']);
    expect(warnings.filter((w) => w.startsWith('TimeoutOverflowWarning'))).toEqual([]);
  } finally {
    stop.abort();
    await run;
    process.off('warning', onWarning);
    rx.close();
  }
});
