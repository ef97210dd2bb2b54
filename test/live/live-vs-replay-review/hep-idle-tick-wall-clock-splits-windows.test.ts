/**
 * Found by a review of live against replay, fixed since: a live idle tick moves the capture
 * clock on by the service's time elapsed since the last records, from their time (CaptureClock.tick).
 *
 * Input: four RTCP SRs of one SSRC (10.0.0.1:4001 → 10.0.0.2:5001, no signaling), capture
 * times T, T+1, T+2, T+3 with T = now − 120 s; policy: default APT `d` (domain,
 * aggregated-only, retention 24h), window 10 s. Offline: the four records as a pcap, `replay`.
 * Live: `live --hep`, the same four records as HEPv3 frames (their capture times in chunks 9/10)
 * sent 400 ms apart — a relay or `replay --to hep:// --speed 1` of a session recorded two
 * minutes ago, or a HEP agent whose clock is two minutes behind the enforcer's.
 *
 * Was: offline writes one aggregate `{window: {start: T, end: T+3}, stats.items: 4}`; live writes
 * four: `{window: {start: T+i, end: T+i+10}, stats.items: 1}` for i = 0, 1, 2 (closed by a tick,
 * "ending" 7–9 s after the last item they hold) and `{start: T+3, end: T+3, items: 1}` (closed at
 * SIGTERM). Summary and decisions are equal; only the windows differ. Every idle tick (100 ms
 * without packets) sets the capture clock to the service's wall clock (replay-engine endBatch:
 * `captureClock.set(opts.clock())`), which is 2 minutes past every window's end, so every
 * open window closes after each packet. (A generated 4-call capture sent with `replay --to
 * hep:// --speed 1`, packetRateScale 0.02, 20 s old: 25 aggregate lines instead of 11.)
 *
 * Correct: README "Live beside a media relay": over HEP "the live exports and reports equal an
 * offline replay of the same capture line for line" — HEP carries capture times (SPEC §4:
 * windows, `ts` and `expiresAt` are capture times). A silent feed may move the windows on, but
 * on the capture's clock: by the wall time elapsed since the last record arrived, not to the
 * wall clock's absolute value (which is a different clock from the agent's).
 *
 * Fix: src/pipeline/replay-engine.ts endBatch (empty batch) / CaptureClock.set, with
 * src/cli/live.ts `clock`: remember (wall arrival, capture ts) of the last record and tick to
 * `lastCaptureTs + (wallNow − wallAtLastRecord)` (never backwards), instead of `Date.now()/1000`.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { ensureBuilt, hepFrame, kill, offline, sendDatagrams, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from './lvr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('lvr-tick-'));
});
afterAll(async () => cleanup?.());

const sr = (i: number) =>
  encodeRtcpCompound([{ pt: 200, ssrc: 0x11223344, ntpSec: 3976214400 + i, ntpFrac: 0, rtpTs: 8000 * i, packetCount: 10 * i, octetCount: 1600 * i, reports: [] }]);

it('HEP of a capture 2 minutes old, paced: the same aggregate as offline (idle ticks do not close windows by the wall clock)', async () => {
  const T = Math.floor(Date.now() / 1000) - 120 + 0.25;
  const pkts: TimedPkt[] = [0, 1, 2, 3].map((i) => ({ ts: T + i, src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload: sr(i) }));
  const policy = await writeJson(path.join(dir, 'policy.json'), { apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd', window: '10s' });
  const capture = await writePkts(path.join(dir, 'c.pcap'), pkts);
  const off = await offline(capture, path.join(dir, 'off'), ['--policy', policy]);
  const offAggs = off.exports.map((e) => ({ window: e.window, items: (e.stats as { items: number }).items }));
  expect(offAggs).toEqual([{ window: { start: T, end: T + 3 }, items: 4 }]);

  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const started = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy]);
    live = started.live;
    await sendDatagrams(started.addresses.hep!.udp.port, pkts.map(hepFrame), 400);
    await untilReceived(started.addresses.metrics!.port, 'hep', 4);
    const got = await stopAndRead(live, out);
    expect(got.code).toBe(0);
    expect(got.summary).toEqual(off.summary);
    const liveAggs = got.exports.map((e) => ({ window: e.window, items: (e.stats as { items: number }).items }));
    expect(liveAggs).toEqual(offAggs);
    expect(got.exports).toEqual(off.exports);
  } finally {
    kill(live);
  }
}, 30_000);
