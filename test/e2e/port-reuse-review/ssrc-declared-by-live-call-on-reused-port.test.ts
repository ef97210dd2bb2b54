/**
 * Found by a review of transport addresses reused across calls, fixed since: RTCP whose sender SSRC another live call declares (a=ssrc) is that call's, before the transport address (src/binding/transport-map.ts declaredOver; src/pipeline/media-core.ts lookup; src/pipeline/replay-engine.ts routeOf).
 */
// Input: call c1 (A 10.0.0.1:4000 ↔ B 10.0.0.2:5000, a=ssrc:1111 / a=ssrc:2222, a=aipref:session apt-none) is
//   re-INVITEd to A:4100 / B:5100 (same SSRCs declared); the relay then hands A:4000 / B:5000 to call c2
//   (a=ssrc:7777 / 8888, a=aipref:session apt-raw). An in-flight SR of c1's SSRC 1111 still arrives
//   A:4001 → B:5001 (the old, now c2's, RTCP port).
// Was: the SR is bound to c2 by transport (`bindings` shows 1111 under c2, via "transport") and exported raw
//   under c2's apt-raw — telemetry of a stream whose own call says export=none leaves under another call.
// Correct: SPEC §2 binding order — a=ssrc lines first, then mid, then the transport address: SSRC 1111 is
//   declared by live dialog c1 alone, so it is c1's stream and judged by apt-none (drop, export-none);
//   c2 declares no 1111. (§4: an item is governed by the stream of the SSRC that sent it.)
// Fix: src/pipeline/media-core.ts MediaCore.lookup (and replay-engine.ts routeOf, which must pick the same
//   shard): when the sender SSRC is declared by exactly one live call (TransportMap.lookupSsrc) and the
//   transport entry found belongs to another call that does not declare it, prefer the a=ssrc route.
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, replay, rtcpPkt, sdpAt, setup, srIn } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an SSRC declared by a live call, arriving on a port the relay gave to another call', () => {
  it('is judged by its own call (a=ssrc before transport), not by the call now on the port', async () => {
    const o = await replay(ws, 'ssrc-on-reused-port', [
      ...setup('c1', 0, sdpAt(A, 4000, 1111, ['a=aipref:session apt-none']), sdpAt(B, 5000, 2222, ['a=aipref:session apt-none'])),
      // re-INVITE: c1 moves to 4100 / 5100
      ...setup('c1', 2, sdpAt(A, 4100, 1111, ['a=aipref:session apt-none']), sdpAt(B, 5100, 2222, ['a=aipref:session apt-none']), 2, ';tag=bbb'),
      // the relay gives the old ports to c2
      ...setup('c2', 3, sdpAt(A, 4000, 7777, ['a=aipref:session apt-raw']), sdpAt(B, 5000, 8888, ['a=aipref:session apt-raw'])),
      rtcpPkt(4, A, 4001, B, 5001, [srIn(7777)]), // frame 10: c2's own SR
      rtcpPkt(4.1, A, 4001, B, 5001, [srIn(1111)]), // frame 11: c1's late SR on the old port
    ]);
    // c2's own telemetry is c2's (export raw) — this part holds today
    expect(o.d[0]).toBe('10 7777 export raw-allowed apt-raw');
    // c1's SSRC: dropped under c1's apt-none
    expect(o.d[1]).toBe('11 1111 drop export-none apt-none');
    expect(o.exports.filter((e) => e.stream.ssrc === 1111)).toEqual([]);
    // and the binding table shows 1111 under c1 only
    const rows = o.bindings.filter((b) => b.ssrc === 1111).map((b) => `${b.dialog?.callId} ${b.via} ${b.apt.join('+')}`);
    expect(rows).toEqual(['c1 a=ssrc apt-none']);
  });

  it('same without a re-INVITE: c2 signals c1\'s address while c1 is still up (no BYE seen)', async () => {
    const o = await replay(ws, 'ssrc-on-shared-port', [
      ...setup('c1', 0, sdpAt(A, 4000, 1111, ['a=aipref:session apt-none']), sdpAt(B, 5000, 2222, ['a=aipref:session apt-none'])),
      ...setup('c2', 3, sdpAt(A, 4000, 7777, ['a=aipref:session apt-raw']), sdpAt(B, 5000, 8888, ['a=aipref:session apt-raw'])),
      rtcpPkt(4, A, 4001, B, 5001, [srIn(1111)]), // frame 7
    ]);
    expect(o.d).toEqual(['7 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
