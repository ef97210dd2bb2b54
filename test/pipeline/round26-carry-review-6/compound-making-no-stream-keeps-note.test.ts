/**
 * Found by the sixth review of the SDES-tag carry (stop 40), a known limit until stop 41, fixed
 * since: UnboundTags.refresh keeps a pair's notes with an unbound RTCP compound only where the core
 * touches a stream with it (touchesAStream: a telemetry item, an SDES MID or tag).
 */
/**
 * Input: SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on A:4001 → B:5001 at t=0 (frame 1,
 *   unbound, noted); at t=200 on B:5001 → A:4001 an RTCP datagram that chains as RTCP but makes no
 *   stream: an SDES header with no chunk (0x80 0xCA 0x00 0x00; frame 2) — or an SR of 8 bytes,
 *   which the core reports packet-too-short; an unrelated call c9 set up at t=350 (frames 3–5: a
 *   sweep); a plain SR(1111) at t=355 (frame 6, unbound: the shard's view); call c1 (apt-raw,
 *   A:4000 / B:5000) at t=360 (frames 7–9); 1111's SR at t=361 (frame 10). THREE, 0 and 2 workers.
 * Was: MediaCore.readRtcp reads frame 2 but finds no item: no stream is made or touched (and a
 *   session the compound made no stream in is dropped), so the pair's streams stay 350 s idle and
 *   the sweep at t=350.01 drops the tagged session — frame 6: '6 1111 drop no-preference', a new
 *   unbound stream. The main thread's refresh() takes any compound that chains as "a packet a core
 *   reads", sets `seen` = 200 and keeps the note: '10 1111 drop export-none apt-none' and a
 *   binding-conflict, a tag the shard no longer held. Without frame 2: exported raw.
 * Correct: README (Binding): notes go "once the pair's last packet a shard reads is 300 s old", as
 *   the shard lets the session go (sweepUnbound: every stream's lastSeen idle); frame 2 moved no
 *   stream's lastSeen. Frame 10: '10 1111 export raw-allowed apt-raw', no binding-conflict.
 * Fix: replay-engine.ts carryTags()/unbound-tags.ts refresh(): refresh `seen` with an unbound
 *   compound only when it has an item whose sender the core makes a stream for (splitTelemetry's
 *   items / streamFor: a decoded packet with a sender SSRC), not merely one that chains.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, type Pkt, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const otherCall = (t: number) => setup('c9', t, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null));
const emptySdes = (ts: number): Pkt => ({ ts, src: B, dst: A, sport: 5001, dport: 4001, payload: Uint8Array.from([0x80, 202, 0, 0]) });

describe('an unbound compound that makes no stream, on a noted pair', () => {
  it('does not keep the note the shard let go', async () => {
    const o = await replay(ws, 'no-stream-keeps-note', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      emptySdes(200), // 2
      ...otherCall(350), // 3-5: the sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 6: the shard's view
      ...rawCall('c1', 360), // 7-9
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 10
    ]);
    expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 drop no-preference ']);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 export raw-allowed apt-raw']);
    expect(o.reports.filter((r) => r.type === 'binding-conflict')).toEqual([]);
  });
});
