/**
 * Found by a review of live against replay (a known limit until then), fixed since: a window
 * closed by time stands just before the first record whose capture clock reached its end, in a
 * live feed's one-frame batches as in a file's (src/pipeline/media-core.ts passTo, beginBatch; replay-engine.ts CaptureClock.through, beginBatch). Offline and live:
 * A's window (due T+1) before frame 3, B's (due T+1.9) before frame 4, then the end's.
 *
 * Input: four RTCP SRs, no signaling, policy default APT `d` (domain, aggregated-only,
 * retention 24h), window 1 s; capture times (T = now + 30 s, so that the live service's idle
 * ticks, on the wall clock 30 s behind, close nothing — see the idle-tick test for the other way):
 *   frame 1  T+0.0  SSRC 0xA (10.0.0.1:4001 → 10.0.0.2:5001)   opens A's window [T, T+1)
 *   frame 2  T+0.9  SSRC 0xB (10.0.0.3:4001 → 10.0.0.4:5001)   opens B's window [T+0.9, T+1.9)
 *   frame 3  T+1.5  SSRC 0xC (10.0.0.5:4001 → 10.0.0.6:5001)   opens C's window
 *   frame 4  T+2.0  SSRC 0xB                                     closes B's window (add: past its end)
 * Offline: these four as a pcap (one batch). Live: the same as HEPv3 frames 300 ms apart
 * (each its own batch).
 *
 * Was: the same four aggregate lines (equal as a set), in another order, by `stream.ssrc`:
 * offline [11, 10, 11, 12] (B's first window — closed at frame 4 by the item past its end —
 * then A's, due at T+1 but closed only at the end of the only batch, after frame 4; then the
 * end-of-capture ones), live [10, 11, 11, 12] (A's closed at the end of frame 3's batch).
 * `exports.ndjson` line 1 offline `{stream.ssrc: 11, window: {start: T+0.9, end: T+1.9}}`,
 * live `{stream.ssrc: 10, window: {start: T, end: T+1}}`.
 *
 * Correct: README "Live beside a media relay": over HEP the live exports "equal an offline
 * replay of the same capture line for line". A window closed by time belongs at one place in
 * the capture (where its end was passed), not wherever the source's batches happened to be
 * cut (a file's 1024-record batches, a live feed's arrivals).
 *
 * Fix: src/pipeline/media-core.ts endBatch → emitWindows(closeDue(lastTs), afterFrame(lastFrame)):
 * key each window closed by time at the first record of the batch whose time reached its end
 * (or its closeBy) rather than after the batch's last frame — the main thread knows every
 * record's time (CaptureClock), so the position stays the same whatever the batches and workers.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { ensureBuilt, hepFrame, kill, offline, sendDatagrams, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from './lvr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('lvr-order-'));
});
afterAll(async () => cleanup?.());

const sr = (ssrc: number, i: number) => encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400 + i, ntpFrac: 0, rtpTs: 8000 * i, packetCount: 10 * i, octetCount: 1600 * i, reports: [] }]);
const from = (n: number) => ({ src: `10.0.0.${n}`, dst: `10.0.0.${n + 1}`, sport: 4001, dport: 5001 });

it('HEP, one frame per batch: the aggregate lines come in the offline order', async () => {
  const T = Math.floor(Date.now() / 1000) + 30 + 0.25;
  const pkts: TimedPkt[] = [
    { ts: T, ...from(1), payload: sr(0xa, 0) },
    { ts: T + 0.9, ...from(3), payload: sr(0xb, 0) },
    { ts: T + 1.5, ...from(5), payload: sr(0xc, 0) },
    { ts: T + 2.0, ...from(3), payload: sr(0xb, 1) },
  ];
  const policy = await writeJson(path.join(dir, 'policy.json'), { apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd', window: '1s' });
  const capture = await writePkts(path.join(dir, 'c.pcap'), pkts);
  const off = await offline(capture, path.join(dir, 'off'), ['--policy', policy]);
  const order = (lines: Record<string, unknown>[]) => lines.map((e) => (e.stream as { ssrc: number }).ssrc);
  expect(order(off.exports)).toEqual([0xa, 0xb, 0xb, 0xc]);

  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const started = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy]);
    live = started.live;
    await sendDatagrams(started.addresses.hep!.udp.port, pkts.map(hepFrame), 300);
    await untilReceived(started.addresses.metrics!.port, 'hep', 4);
    const got = await stopAndRead(live, out);
    expect(got.code).toBe(0);
    // the same lines as a set (content is not what differs)
    expect([...got.exports].map((l) => JSON.stringify(l)).sort()).toEqual([...off.exports].map((l) => JSON.stringify(l)).sort());
    // ... and line for line
    expect(order(got.exports)).toEqual(order(off.exports));
    expect(got.exports).toEqual(off.exports);
  } finally {
    kill(live);
  }
}, 30_000);
