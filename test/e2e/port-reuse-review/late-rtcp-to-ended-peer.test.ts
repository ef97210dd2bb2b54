/**
 * Found by a review of transport addresses reused across calls, fixed since: a datagram to an address only an ended dialog named is not the source's call's (src/binding/transport-map.ts lookupDatagramV4/V6).
 */
// Input: call c1 (A 10.0.0.1:4000 ↔ B 10.0.0.2:5000, apt-none) ends with BYE/200; the relay hands A:4000 to
//   call c2 (A:4000 ↔ B:5002, a=ssrc 7777/8888, apt-raw). A late SR of c1's SSRC 1111 is then sent from
//   A:4001 (now c2's RTCP port) to B:5001 — c1's ended peer, an address no live dialog names.
// Was: routed by its source alone to c2 (bindings: 1111 under c2 via "transport") and exported raw with
//   c2's dialog and apt-raw. The mirror packet (B:5001 → A:4001) is treated as c1's late media: unbound,
//   dropped no-preference — so which call judges the late RTCP depends only on its direction.
// Correct: SPEC §5 "BYE ends the dialog and its bindings" and §2 (a transport binds by the dialog's m-line
//   port and c= address): c2 never sends to B:5001; the packet is c1's late media — no dialog binds it
//   (decision drop, reason no-preference, unbound-stream report), never c2's raw export.
// Fix: src/binding/transport-map.ts TransportMap.lookupDatagramV4/V6 — when the destination is an ended
//   address no live dialog names, do not fall back to the source's entry (as is done for an ended source).
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, bye, replay, rtcpPkt, sdpAt, setup, srIn } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('late RTCP of an ended call, from a reused port to the ended peer', () => {
  it('is not judged (nor exported) by the call now on the port', async () => {
    const o = await replay(ws, 'late-to-ended-peer', [
      ...setup('c1', 0, sdpAt(A, 4000, 1111, ['a=aipref:session apt-none']), sdpAt(B, 5000, 2222, ['a=aipref:session apt-none'])),
      rtcpPkt(1, A, 4001, B, 5001, [srIn(1111)]), // frame 4
      ...bye('c1', 2, 2),
      ...setup('c2', 3, sdpAt(A, 4000, 7777, ['a=aipref:session apt-raw']), sdpAt(B, 5002, 8888, ['a=aipref:session apt-raw'])),
      rtcpPkt(3.5, A, 4001, B, 5001, [srIn(1111)]), // frame 10: c1's late SR to its ended peer
      rtcpPkt(3.6, B, 5001, A, 4001, [srIn(2222)]), // frame 11: the mirror, from the ended peer
      rtcpPkt(4, A, 4001, B, 5003, [srIn(7777)]), // frame 12: c2's own SR
    ]);
    expect(o.d).toEqual(['4 1111 drop export-none apt-none', '10 1111 drop no-preference ', '11 2222 drop no-preference ', '12 7777 export raw-allowed apt-raw']);
    expect(o.exports.map((e) => `${e.dialog?.callId} ${e.stream.ssrc}`)).toEqual(['c2 7777']);
    expect(o.bindings.filter((b) => b.dialog?.callId === 'c2').map((b) => b.ssrc)).toEqual([7777]);
  });
});
