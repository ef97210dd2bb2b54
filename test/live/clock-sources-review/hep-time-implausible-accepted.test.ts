/**
 * Found by a review of live time sources, fixed since: HEP seconds 0 and microseconds past 999999 are malformed (src/sources/hep.ts decodeHep), and so is a time more than 24 h ahead of the service's clock (src/sources/hep-listener.ts frame).
 */
/**
 * Input: `live --hep` (workers 0), policy `{apts: {d: {type: domain, export: raw, retention: 1h}},
 * default: d}`. One RTCP stream (SSRC 0xA, 10.0.0.1:4001 → 10.0.0.2:5001, SRs, no signaling)
 * from a HEP agent: an SR stamped now (T), then one SR whose HEP time chunks are implausible,
 * then an SR at T+1:
 *   (a) chunk 9 (seconds) = 0, chunk 10 = 0: an agent that fills no time (1970-01-01);
 *   (b) seconds = 4102444800 (2100-01-01): a clock set far ahead;
 *   (c) seconds = T, microseconds = 4294967295: the µs chunk out of its 0..999999 range.
 *
 * Was: all three are taken as is, without a word (no log line, no report):
 *   (a) exported raw with `ts: 0, expiresAt: 3600` — data dated 1970, expired before it was
 *       written, in the same exports file as the live lines;
 *   (b) exported with `ts: 4102444800, expiresAt: 4102448400`: the NDJSON file (every line of
 *       the feed beside it, README "a file goes whole") is now kept until the year 2100, 74
 *       years past the 1 h retention; an AI service's spool or NATS keep it as long;
 *   (c) exported with `ts: T + 4294.967295` (71 min ahead), `expiresAt` 71 min late.
 *
 * Correct: README "Live beside a media relay": a frame without its capture-time chunk is
 * malformed — "counted and reported", because it "was taken as captured in 1970". A time chunk
 * that says 0 is the same frame (the agent has no time) and a seconds value decades past the
 * service's own clock, or µs ≥ 10^6, is no capture time either (SPEC §8: times are capture
 * times, microsecond precision; the µs chunk is the fraction of a second). SPEC §4: "The
 * enforcer itself keeps nothing past retention" and every export carries capture time +
 * retention — an implausible stamp makes that 1970 or 2100. Such a frame must be reported
 * (one malformed-input naming the HEP peer, as the missing chunk is) and not exported with
 * that time.
 *
 * Fix: src/sources/hep.ts decodeHep: refuse tsMicroseconds > 999999 and tsSeconds === 0 as for
 * the missing chunk ('no timestamp seconds chunk'); src/sources/hep-listener.ts frame(): a time
 * more than a bound (e.g. 1 day) ahead of the service's clock (wallClockSeconds) is malformed
 * ("HEP time … is … ahead of this host's clock"), naming the peer. Old times stay accepted (a
 * capture sent again, README).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, hepFrameRaw, hepMalformed, liveRun, nowTs, sr, tempDir, type TimedPkt } from './cs-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('csr-time-'));
});
afterAll(async () => cleanup?.());

const policy = { apts: { d: { type: 'domain', export: 'raw', retention: '1h' } }, default: 'd' };
const at = (ts: number, i: number): TimedPkt => ({ ts, src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload: sr(0xa, i) });

async function feed(name: string, sec: number, usec: number) {
  const T = nowTs();
  const bad = hepFrameRaw(at(0, 2), sec === -1 ? Math.floor(T) : sec, usec);
  return { T, got: await liveRun(dir, name, [at(T, 1), bad, at(T + 1, 3)], policy, { gapMs: 150 }) };
}

function expectRefused(got: Awaited<ReturnType<typeof feed>>['got'], T: number) {
  expect(got.code).toBe(0);
  // the two good SRs only, dated now and expiring within the hour
  expect(got.exports.map((e) => e.ts)).toEqual([T, T + 1]);
  for (const e of got.exports) expect(e.expiresAt as number).toBeLessThanOrEqual(got.stoppedAt + 3600);
  // said once, naming the HEP peer
  expect(hepMalformed(got.reports)).toHaveLength(1);
}

it('(a) a HEP time of 0 (1970) is reported, not exported as expired data', async () => {
  const { T, got } = await feed('zero', 0, 0);
  expectRefused(got, T);
}, 30_000);

it('(b) a HEP time in 2100 is reported, not exported with an expiresAt 74 years on', async () => {
  const { T, got } = await feed('y2100', 4102444800, 0);
  expectRefused(got, T);
}, 30_000);

it('(c) a HEP microseconds chunk past 999999 is reported, not read as 71 minutes more', async () => {
  const { T, got } = await feed('usec', -1, 4294967295);
  expectRefused(got, T);
}, 30_000);
