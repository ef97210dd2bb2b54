/**
 * Fixed since: UnboundTags.event lets a pair go only once the capture clock at the event's record
 * has also passed its last stamp by the window's length; the notes' cap is a shard's stream table's
 * (200,000 per shard), never dropping the pair being noted.
 * Review of 497756b (UnboundTags), round 27 (6): the danger direction — the memory guard
 * MAX_NOTED (65,536 SSRCs noted at most, unbound-tags.ts add()) lets notes go while their shard,
 * whose stream table holds 200,000 streams (MediaCore maxStreams), still holds the tagged streams.
 * add() drops the least recently seen PAIR when the count passes the cap — here the pair being
 * added to, the only one, with all its notes.
 *
 * Input: on 10.0.0.1:4001 → 10.0.0.2:5001 at t=0, 2,115 unbound compounds, each RR(sender) +
 *   SDES of 31 chunks {ssrc: CNAME, PRIV aipref=apt-none}: SSRCs 1111 (first), then 100000… —
 *   65,565 tagged SSRCs in all (frames 1–2115, no signaling); A's SR(1111) at t=1 (frame 2116,
 *   unbound: the shard's view); call c1 (a=aipref:session apt-raw, A:4000 / B:5000) at t=2
 *   (frames 2117–2119); 1111's SR in c1 at t=3 (frame 2120). THREE, 0 and 2 workers.
 * Was: the shard keeps every stream (65,565 < 200,000) and its tag — frame 2116 is
 *   '2116 1111 drop export-none apt-none' — but the main thread's add() dropped the pair at the
 *   65,537th SSRC, 1111's note with it; frame 2120 is '2120 1111 export raw-allowed apt-raw':
 *   exported raw what the tag forbids while the shard still held it.
 * Correct: README (Binding): notes go where the shard lets the unbound session go, never before
 *   (only the fail-safe way is documented); SPEC §2.4 (a tag binds its SSRC; tags never relax
 *   signaling): '2120 1111 drop export-none apt-none', nothing exported.
 * Fix: unbound-tags.ts: size the guard no smaller than what the shards can hold (shardCount ×
 *   maxStreams, or evict notes only of sessions the core evicted — e.g. a core `unbound-evicted`
 *   mirror), and never drop the pair being added to; or make MAX_NOTED eviction keep-the-tag
 *   (fail-safe: mark the pair 'overflowed' and drop-all on it until its sweep).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, srIn, type Pkt } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('more than 65,536 tagged SSRCs before signaling', () => {
  it('keeps the first one\'s note as long as the shard keeps its tag', async () => {
    const pkts: Pkt[] = [];
    let next = 100000;
    for (let i = 0; i < 2115; i++) {
      const ssrcs = Array.from({ length: 31 }, (_, j) => (i === 0 && j === 0 ? 1111 : next++));
      const sdes = { pt: 202, chunks: ssrcs.map((ssrc) => ({ ssrc, items: [{ type: 1, text: 'c' }, { type: 8, prefix: 'aipref', value: 'apt-none' }] })) } as never;
      pkts.push(rtcpPkt(0, A, 4001, B, 5001, [{ pt: 201, ssrc: ssrcs[0]!, reports: [] } as never, sdes]));
    }
    pkts.push(rtcpPkt(1, A, 4001, B, 5001, [srIn(1111)])); // 2116: the shard's view
    pkts.push(...rawCall('c1', 2)); // 2117-2119
    pkts.push(rtcpPkt(3, A, 4001, B, 5001, [srIn(1111)])); // 2120
    const o = await replay(ws, 'noted-cap', pkts);
    expect(o.d.filter((d) => d.startsWith('2116 '))).toEqual(['2116 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('2120 '))).toEqual(['2120 1111 drop export-none apt-none']);
    expect(o.exports.filter((e) => JSON.stringify(e).includes('1111'))).toEqual([]);
  }, 120_000);
});
