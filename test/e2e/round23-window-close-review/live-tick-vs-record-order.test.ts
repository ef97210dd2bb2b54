/**
 * Found by a review of 40d5492, fixed since: windows closed on time at one place stand in the
 * order of their ends, then keys (key `~<end>~<window key>`, src/pipeline/media-core.ts emitDue),
 * as a live feed's idle ticks close them.
 *
 * Input: three RTCP SRs, no signaling, policy default APT `d` (domain, aggregated-only,
 *   retention 24h), window 1 s, T = now:
 *     frame 1  T+0.0  SSRC 0xA 10.0.0.5:4001 → 10.0.0.6:5001   X's window [T, T+1)
 *     frame 2  T+0.5  SSRC 0xB 10.0.0.1:4001 → 10.0.0.2:5001   Y's window [T+0.5, T+1.5)
 *     frame 3  T+2.0  SSRC 0xC 10.0.0.3:4001 → 10.0.0.4:5001   (its clock reached both ends)
 *   Offline: a pcap, `replay --workers 0`. Live: `live --hep` (--workers 0), the same three as
 *   HEPv3 frames sent at the capture's pace (500 ms, then 1500 ms): a HEP agent in real time.
 * Was (observed): offline, X's and Y's aggregates both stand just before frame 3 (passTo at the
 *   record whose clock reached their ends), ordered there by window key: [0xB, 0xA, 0xC]. Live,
 *   the idle ticks in the 1.5 s silence move the clock on (CaptureClock.tick) and close X at one
 *   tick, Y at a later one, each in its own batch after frame 2: [0xA, 0xB, 0xC] — the same
 *   lines, in another order.
 * Correct: README "Live beside a media relay" (rewritten by 40d5492): over HEP the live exports
 *   "equal an offline replay of the same capture line for line …, aggregates whose window time
 *   closed included: a window closes just before the record whose time reached its end, however
 *   the live feed's batches came". Windows closed at one place in the capture must come out in
 *   one order, whichever of ticks or a record closed them.
 * Fix: src/pipeline/media-core.ts emitWindows / passTo (and replay-engine writeBatch): order the
 *   lines of windows closed on time at one place by (end, key) — as WindowStore.sortClosed gives
 *   them — rather than by key alone (e.g. key `~${end to the µs}~${window.key}` for lines closed on
 *   time), so a tick-by-tick close and a one-record close give the same sequence; or state the
 *   limit in the README.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { ensureBuilt, hepFrame, kill, offline, sendDatagrams, sleep, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from '../../live/live-vs-replay-review/lvr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('r23-tick-order-'));
});
afterAll(async () => cleanup?.());

const sr = (ssrc: number) => encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 160, reports: [] }]);
const from = (n: number) => ({ src: `10.0.0.${n}`, dst: `10.0.0.${n + 1}`, sport: 4001, dport: 5001 });

it('HEP in real time: windows closed by idle ticks come out in the order the offline replay gives them', async () => {
  const T = Math.floor(Date.now() / 1000) + 0.25;
  const pkts: TimedPkt[] = [
    { ts: T, ...from(5), payload: sr(0xa) },
    { ts: T + 0.5, ...from(1), payload: sr(0xb) },
    { ts: T + 2.0, ...from(3), payload: sr(0xc) },
  ];
  const policy = await writeJson(path.join(dir, 'policy.json'), { apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd', window: '1s' });
  const capture = await writePkts(path.join(dir, 'c.pcap'), pkts);
  const off = await offline(capture, path.join(dir, 'off'), ['--policy', policy]);
  const order = (lines: Record<string, unknown>[]) => lines.map((e) => (e.stream as { ssrc: number }).ssrc);
  // by end, then key (fixed since the review; it was [0xb, 0xa, 0xc], by key alone)
  expect(order(off.exports)).toEqual([0xa, 0xb, 0xc]);

  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const started = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy]);
    live = started.live;
    const port = started.addresses.hep!.udp.port;
    const frames = pkts.map(hepFrame);
    await sendDatagrams(port, [frames[0]!]);
    await sleep(500);
    await sendDatagrams(port, [frames[1]!]);
    await sleep(1500);
    await sendDatagrams(port, [frames[2]!]);
    await untilReceived(started.addresses.metrics!.port, 'hep', 3);
    const got = await stopAndRead(live, out);
    expect(got.code).toBe(0);
    // the same lines as a set
    expect([...got.exports].map((l) => JSON.stringify(l)).sort()).toEqual([...off.exports].map((l) => JSON.stringify(l)).sort());
    // ... and line for line
    expect(order(got.exports)).toEqual(order(off.exports));
  } finally {
    kill(live);
  }
}, 30_000);
