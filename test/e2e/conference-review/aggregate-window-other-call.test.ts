/**
 * Found by a review of conference topologies, fixed since: a source another live call declares with a=ssrc governs an item that reports on it (or sends it) beside the call the item is read in, by that call's signaling (src/pipeline/media-core.ts declaredElsewhere; src/enforce/stream-preferences.ts ofDeclared).
 */
// Input: the SFU conference of conf-call.ts, A's call `a=aipref:session apt-a` now aggregated-only; B's call
//   (5001) export none, C's (6001) raw; the SFU forwards 5001 and 6001 to A (mid r, no a=ssrc in A's SDP).
//   A (1111) sends frame 14: RR about 5001 and 6001 (2 blocks); frame 15: RR about 6001 (1 block, jitter 40).
// Was: both RRs fold into 1111's window: one aggregate `stats.items 2, packets.rr 2, reportBlocks 3`, jitter
//   {min 4, max 40}: B's stream's loss and jitter feed an export B's call forbids.
// Correct: SPEC §4: the RR about B's stream is governed by B's stream too (export none → drop), so it never
//   reaches a window; the aggregate counts frame 15 only: `items 1, packets.rr 1, reportBlocks 1`,
//   jitter {min 40, mean 40, max 40, p95 40}. (SPEC §2: 5001 is bound to conf-b by a=ssrc.)
// Fix: as forwarded-report-block-other-call.test.ts: src/pipeline/media-core.ts MediaCore.readRtcp, govern
//   each subject also by the stream of the call that declares it with a=ssrc.
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { replay } from '../calls-on-any-address.js';
import { conference, rrP, rtcpOn, rtpOn } from './conf-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-b': { type: 'domain', export: 'none', retention: '1h' },
    'apt-c': { type: 'domain', export: 'raw', retention: '1h' },
  },
});

describe('SFU: the aggregate window of A’s stream and report blocks about another call’s participant', () => {
  it('the RR about B (export none) is not counted in A’s window', async () => {
    const pkts = [
      ...conference({ aSession: ['a=aipref:session apt-a'], bSession: ['a=aipref:session apt-b'], cSession: ['a=aipref:session apt-c'] }),
      rtpOn('B', 'SB', 5001, [{ id: 4, v: 'v' }]), // 10
      rtpOn('C', 'SC', 6001, [{ id: 4, v: 'v' }]), // 11
      rtpOn('SA', 'A', 5001, [{ id: 4, v: 'r' }]), // 12
      rtpOn('SA', 'A', 6001, [{ id: 4, v: 'r' }]), // 13
      rtcpOn('A', 'SA', [rrP(1111, [5001, 6001])]), // 14
      rtcpOn('A', 'SA', [rrP(1111, [6001], 40)]), // 15
    ];
    const r = await replay(ws, pkts, POL);
    const agg = r.exports.filter((e) => e.type === 'aggregate') as unknown as { stream: { ssrc: number }; stats: { items: number; reportBlocks: number; packets: { rr: number }; jitter: unknown } }[];
    expect(agg.map((a) => ({ ssrc: a.stream.ssrc, items: a.stats.items, rr: a.stats.packets.rr, blocks: a.stats.reportBlocks, jitter: a.stats.jitter }))).toEqual([
      { ssrc: 1111, items: 1, rr: 1, blocks: 1, jitter: { min: 40, mean: 40, max: 40, p95: 40 } },
    ]);
  });
});
