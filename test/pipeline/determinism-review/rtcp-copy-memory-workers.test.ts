/**
 * Found by a review of determinism across worker counts and batch cuts, fixed since: the RTCP
 * copy check runs once, on the main thread (RtcpCopies), forgetting by time; a lost fragment set
 * is reported where it was given up.
 *
 * Input (hand-built, no SIP): 4200 RTCP RRs (distinct SSRCs) from 4200 unrouted transport pairs
 * (10.1.x.y:20001 → 192.0.2.9:50001) within 42 ms, then at +45 ms a byte-identical copy of the
 * first RR on the first RR's transport (a mirror's second copy, inside the 50 ms copy check).
 * Replayed with workers 0 and 3.
 *
 * Was: workers 0 summary telemetry {"export":0,"aggregate":0,"drop":4201}: MediaCore.copyOfRecent
 *   keeps one `recentRtcp` map per core; at 4096 entries all within 50 ms it clears the whole map,
 *   so the copy is decided again. workers 3 telemetry {"export":0,"aggregate":0,"drop":4200}: the
 *   first RR's shard held ~1400 entries (4200 pairs over 3 shards: 1399/1401/1400), the copy was found (decisions.ndjson one line shorter).
 * Correct: SPEC §8, results identical whatever --workers is; README "A mirror of both ports ...
 *   a byte-identical RTCP compound on the same transport within 50 ms is taken for a copy" —
 *   frame 4201 is a copy in every configuration.
 * Fix: src/pipeline/media-core.ts copyOfRecent: the memory bound must not drop entries still
 *   inside RTCP_COPY_SEC differently per shard — evict by time only (a queue ordered by capture
 *   time, dropping what is older than 50 ms), or do the copy check once on the main thread
 *   (replay-engine media()) before sharding.
 */
import { afterAll, expect, it } from 'vitest';
import { writeFrames, type Frame } from '../../e2e/mirror-copies/build.js';
import { policyOf, replayLines, Workspace } from '../../e2e/e2e-helpers.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const T0 = 1767225600;
const rr = (ssrc: number) => encodeRtcpCompound([{ pt: 201, ssrc, reports: [] } as never]);
const peer = (i: number) => `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

it('a copy after 4200 compounds within 50 ms: a copy with workers 0 as with workers 3', async () => {
  const frames: Frame[] = [];
  for (let i = 0; i < 4200; i++) frames.push({ ts: T0 + i * 0.00001, src: peer(i), dst: '192.0.2.9', sport: 20001, dport: 50001, payload: rr(0x10000 + i) });
  frames.push({ ts: T0 + 0.045, src: peer(0), dst: '192.0.2.9', sport: 20001, dport: 50001, payload: rr(0x10000) });
  const file = await writeFrames(ws, 'copy-memory', frames);
  const policy = policyOf({ apts: {} });
  const zero = await replayLines({ capture: file, policy, workers: 0 });
  const three = await replayLines({ capture: file, policy, workers: 3 });
  // frame 4201 is a copy: 4200 items decided, never 4201
  expect(zero.result.summary.telemetry).toEqual({ export: 0, aggregate: 0, drop: 4200 });
  expect(JSON.stringify(three.result.summary)).toBe(JSON.stringify(zero.result.summary));
  expect(three.decisions).toEqual(zero.decisions);
});
