/**
 * Found by a review of determinism (a held first packet was evicted by count, 4096 per core, so
 * the answer depended on how many strays shared a core), fixed since: a held packet counts for
 * 30 s of capture time (src/pipeline/media-core.ts unroutedSourceValid, PROBATION_SEC), the
 * count bound is a memory guard of 65 536 per core.
 *
 * Input (hand-built, Ethernet/IPv4/UDP, no SIP at all): an RTP source 192.0.2.1:30000 →
 * 192.0.2.2:40000, SSRC 0xabc, seq 100 at t=0; then 5000 other RTP-looking datagrams from 5000
 * different unrouted transport pairs (10.1.x.y:20000+2k → 192.0.2.9:50000, each heard once, as
 * a busy mirror port's strays are); at t=15 the first source's next packet, seq 101; at t=15.02
 * its RR on port+1. Replayed with workers 0 and 3.
 *
 * Was: workers 0 summary {"packets":5003,"rtp":0,"rtcp":1,...,"streams":1,...} — the source's
 *   first packet was evicted from MediaCore.probation (MAX_PROBATION 4096, one map for all
 *   unrouted pairs) by the 5000 strays, so seq 101 is held as a new first packet and never counted.
 *   workers 3 summary {"packets":5003,"rtp":2,"rtcp":1,...} — its shard held fewer than 4096 of the strays,
 *   so seq 101 validated the source (RFC 3550 A.1) and both packets counted.
 * Correct: SPEC §8 — "Results are identical whatever --workers is": the summary's `rtp` must not
 *   depend on how many other pairs share a core's probation table. (Either answer may be argued
 *   for; they must agree.)
 * Fix: src/pipeline/media-core.ts unroutedSourceValid / MAX_PROBATION: the bound must not be per
 *   core. Either decide probation on the main thread (replay-engine media(): it sees every
 *   unrouted packet in capture order) and send the verdict in the work unit, or make eviction
 *   independent of the other pairs — e.g. expire held sources by capture time (a bound in seconds,
 *   the same in every shard) instead of by count, with the count bound only as a memory guard
 *   scaled by shard count and documented.
 */
import { afterAll, expect, it } from 'vitest';
import { writeFrames, type Frame } from '../../e2e/mirror-copies/build.js';
import { policyOf, replayLines, Workspace } from '../../e2e/e2e-helpers.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const T0 = 1767225600;
const rtp = (ssrc: number, seq: number) => {
  const b = Buffer.alloc(172);
  b[0] = 0x80;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
};
const peer = (i: number) => `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

async function summaries(gapSec: number, strays: number): Promise<string[]> {
  const frames: Frame[] = [{ ts: T0, src: '192.0.2.1', dst: '192.0.2.2', sport: 30000, dport: 40000, payload: rtp(0xabc, 100) }];
  for (let i = 0; i < strays; i++) frames.push({ ts: T0 + 1 + i * 0.001, src: peer(i), dst: '192.0.2.9', sport: 20000 + 2 * (i % 1000), dport: 50000, payload: rtp(0x10000 + i, 7) });
  frames.push({ ts: T0 + gapSec, src: '192.0.2.1', dst: '192.0.2.2', sport: 30000, dport: 40000, payload: rtp(0xabc, 101) });
  frames.push({ ts: T0 + gapSec + 0.02, src: '192.0.2.1', dst: '192.0.2.2', sport: 30001, dport: 40001, payload: encodeRtcpCompound([{ pt: 201, ssrc: 0xabc, reports: [] } as never]) });
  const file = await writeFrames(ws, `probation-${gapSec}-${strays}`, frames);
  const policy = policyOf({ apts: {} });
  const zero = await replayLines({ capture: file, policy, workers: 0 });
  const three = await replayLines({ capture: file, policy, workers: 3 });
  expect(three.reports).toEqual(zero.reports);
  expect(three.decisions).toEqual(zero.decisions);
  return [zero, three].map((r) => JSON.stringify({ rtp: r.result.summary.rtp, rtcp: r.result.summary.rtcp }));
}

it('an unrouted source validated across 5000 strays: workers 3 gives workers 0 summary', async () => {
  // the next packet 15 s on, within probation: both packets count, with 0 or 3 workers
  expect(await summaries(15, 5000)).toEqual(['{"rtp":2,"rtcp":1}', '{"rtp":2,"rtcp":1}']);
});

it('a next packet past 30 s of capture time starts probation again, with 0 or 3 workers', async () => {
  expect(await summaries(40, 10)).toEqual(['{"rtp":0,"rtcp":1}', '{"rtp":0,"rtcp":1}']);
});
