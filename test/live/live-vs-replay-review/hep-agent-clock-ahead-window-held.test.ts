/**
 * Found by a review of live against replay, fixed since: a live idle tick moves the capture
 * clock on by the service's time elapsed since the last records, from their time (CaptureClock.tick).
 *
 * Input: HEPv3 from an agent whose clock is one hour ahead of the enforcer's (a wrong time
 * zone, a clock step — the case replay-engine's CaptureClock is written for): capture times
 * T = now + 3600 s. Policy: default APT `d` (domain, aggregated-only, retention 24h), window 1 s.
 * Frames, 300 ms apart on the wall clock (an RTCP-only feed such as rtpengine's is this sparse):
 *   SSRC 0xA SR at T (opens A's window [T, T+1)), then SSRC 0xB SRs at T+2, T+4, T+6, T+8, T+10.
 * Offline (the same six records as a pcap): A's window is closed once the capture passes T+1
 * (`{stream.ssrc: 10, window: {start: T, end: T+1}, stats.items: 1}`).
 *
 * Was: live, after the six frames were read (and 600 ms more), `exports.*.ndjson` holds B's
 * four windows closed by B's own items, but no line for A — A's window stays open until SIGTERM,
 * 10 s of capture time after its end. Each idle tick (100 ms without packets) sets the capture
 * clock to the wall clock and also resets CaptureClock.previous to it
 * (`captureClock.set(opts.clock())`), so each record, alone in its batch and an hour from the
 * wall clock, is taken for an outlier awaiting confirmation, and the next record can never
 * confirm it: the clock a batch end closes windows by stays on the wall clock, an hour before
 * every window's end. (The same holds a short-retention window past half its retention, which
 * README's "nothing is held past its window or half its retention" rules out.) With the agent
 * 60 s ahead instead of 3600 s, the same test passes.
 *
 * Correct: README "Metrics, health, logs, signals": windows close on time; replay-engine's
 * CaptureClock doc: a record far from the clock moves it "only when the record before it was as
 * far (two in a row: the capture really went on)" — here every record after the first is
 * confirmed by the one before. SPEC §4: windows are on capture time.
 *
 * Fix: src/pipeline/replay-engine.ts CaptureClock.set / endBatch for an empty batch: an idle
 * tick must not replace `previous` (the last record's time) with the wall clock, and should
 * advance the capture clock by the wall time elapsed since the last record rather than jump to
 * the wall clock (same fix as hep-idle-tick-wall-clock-splits-windows.test.ts).
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { ensureBuilt, hepFrame, kill, offline, readLines, sendDatagrams, sleep, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from './lvr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('lvr-ahead-'));
});
afterAll(async () => cleanup?.());

const sr = (ssrc: number, i: number) => encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400 + i, ntpFrac: 0, rtpTs: 8000 * i, packetCount: 10 * i, octetCount: 1600 * i, reports: [] }]);

it("an agent clock an hour ahead, sparse feed: A's window closes once the capture is past its end, as offline", async () => {
  const T = Math.floor(Date.now() / 1000) + 3600 + 0.25;
  const pkts: TimedPkt[] = [
    { ts: T, src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload: sr(0xa, 0) },
    ...[1, 2, 3, 4, 5].map((i) => ({ ts: T + 2 * i, src: '10.0.0.3', dst: '10.0.0.4', sport: 4001, dport: 5001, payload: sr(0xb, i) })),
  ];
  const policy = await writeJson(path.join(dir, 'policy.json'), { apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd', window: '1s' });
  const capture = await writePkts(path.join(dir, 'c.pcap'), pkts);
  const off = await offline(capture, path.join(dir, 'off'), ['--policy', policy]);
  const aOf = (lines: Record<string, unknown>[]) => lines.filter((e) => (e.stream as { ssrc: number }).ssrc === 0xa).map((e) => ({ window: e.window, items: (e.stats as { items: number }).items }));
  expect(aOf(off.exports)).toEqual([{ window: { start: T, end: T + 1 }, items: 1 }]);

  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const started = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy]);
    live = started.live;
    await sendDatagrams(started.addresses.hep!.udp.port, pkts.map(hepFrame), 300);
    await untilReceived(started.addresses.metrics!.port, 'hep', pkts.length);
    // what the files hold while it runs: polled (up to 15 s) for A's window and B's four, not read
    // once after a fixed pause, which a loaded CI can make too short
    const bStarts = (lines: Record<string, unknown>[]) => lines.filter((e) => (e.stream as { ssrc: number }).ssrc === 0xb).map((e) => Math.round((e.window as { start: number }).start - T));
    let whileRunning = await readLines(out, 'exports');
    for (const end = Date.now() + 15_000; Date.now() < end && (aOf(whileRunning).length === 0 || bStarts(whileRunning).filter((t) => t < 10).length < 4); ) {
      await sleep(100);
      whileRunning = await readLines(out, 'exports');
    }
    // B's windows closed by B's own later items are there already (and B's last, [T+10, T+11), only
    // once idle ticks moved the capture clock past its end: a second after the last record was
    // read, which a loaded machine may take before this read)
    expect(['2,4,6,8', '2,4,6,8,10']).toContain(bStarts(whileRunning).join(','));
    // A's window ended 9 s of capture time before the last record read
    expect(aOf(whileRunning)).toEqual([{ window: { start: T, end: T + 1 }, items: 1 }]);
    const got = await stopAndRead(live, out);
    expect(got.code).toBe(0);
    expect(aOf(got.exports)).toEqual(aOf(off.exports));
  } finally {
    kill(live);
  }
}, 30_000);
