/**
 * Found by a review of SIP dialog shapes (RFC 3261 §13.2.2.4 forking) and what the enforcer decides for their media;
 * fixed since: an ended dialog's addresses are remembered for 300 s, and a datagram from one
 * that no live dialog names is not routed by its destination (src/binding/transport-map.ts end()).
 *
 * Input: one INVITE from A (10.0.0.1:4000, no a=aipref) forked to two phones: B (to-tag tb,
 * 10.0.0.2:5000, `a=aipref:mid apt-raw`, export raw) and C (to-tag tc, 10.0.0.3:6000,
 * `a=aipref:mid apt-none`, export none; with `a=ssrc:333` in the second case). C's RTCP (SSRC
 * 333, 10.0.0.3:6001 → the caller's 10.0.0.1:4001) is judged under C's dialog while it lives.
 *   1. Early media: 183 from tb, 183 from tc, C's SR (frame 4), 200 from tb + ACK, then the
 *      forking proxy's 487 for tc (frame 7) — C's dialog is over — and C's SR still in flight
 *      (frame 8), B's SR (frame 9).
 *   2. Both forks answer 200 (frames 2, 3), both ACKed; C's SR (6); the caller BYEs C
 *      (frame 7, RFC 3261 §13.2.2.4: the second 2xx's dialog is ACKed and ended), its 200 (8);
 *      C's SR in flight (9), B's SR (10).
 *
 * Was (workers 0 and 2 alike): case 1 "8 export raw-allowed [apt-raw]", an export
 * `{stream: {ssrc: 333 …}, dialog: {… toTag: "tb"}, apt: ["apt-raw"]}`; case 2
 * "9 export raw-allowed [apt-raw]" likewise — C's own telemetry, which C's signaling put under
 * export=none, is exported raw under B's preference once C's dialog has ended: the only live
 * dialog naming the caller's address (B's) takes C's stream by its destination alone, although
 * its source is C's (named by no live dialog; B's dialog names neither C's address nor SSRC 333,
 * even where C's SDP declared it with a=ssrc).
 *
 * Correct: SPEC §5 "BYE ends the dialog and its bindings" (and a 487 ends an early dialog):
 * C's late RTCP has no dialog — "drop no-preference []" with an `unbound-stream` report, as the
 * late RTCP of an answered call after its BYE (test/e2e/dialog-lifecycle/
 * early-fork-outlives-call.test.ts) — never B's preference. It is the leak
 * test/e2e/forked-early-media-binding.test.ts fixed for live forks ("phone 1's SR exported raw
 * under phone 2's preference, its own SDP saying export none"), back once the fork has ended.
 * SPEC §3: absence is not consent; §2: one stream is governed by its own dialog's identifiers.
 *
 * Fix: src/binding/transport-map.ts lookupDatagramV4/V6 (with the replay engine's routing in
 * src/pipeline/media-core.ts): a datagram whose destination one dialog names but whose source is
 * the transport address of a dialog that ended (a fork's m-section, kept while its streams are
 * kept, 300 s) is not given to the destination's dialog — it stays unbound, as media of an ended
 * dialog does. (A source no dialog ever named — NAT — may still route by destination.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, C, decided, type Leg, req, res, run, sdpAudio, srPkt } from '../dialog-lifecycle/lifecycle-helpers.js';
import { POL } from '../renegotiation-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const legB: Leg = { callId: 'fork-ended@x', caller: A, callee: B, fromTag: 'f1' };
const legC: Leg = { ...legB, callee: C };
const sA = () => sdpAudio(A.ip, 4000, ['a=mid:a']);
const sB = () => sdpAudio(B.ip, 5000, ['a=mid:a', 'a=aipref:mid apt-raw', 'a=ssrc:222 cname:b']);
const sC = () => sdpAudio(C.ip, 6000, ['a=mid:a', 'a=aipref:mid apt-none', 'a=ssrc:333 cname:c']);
const srB = () => srPkt(B.ip, 5001, A.ip, 4001, 222);
const srC = () => srPkt(C.ip, 6001, A.ip, 4001, 333);

describe("a fork's late RTCP after its dialog ended", () => {
  it('early fork ended by the proxy 487 after the other fork answered: not exported under the other fork', async () => {
    const o = await run(ws, [
      req(legB, 'INVITE', 1, null, sA()), // 1
      res(legB, '183 Session Progress', 1, 'INVITE', 'tb', sB()), // 2
      res(legC, '183 Session Progress', 1, 'INVITE', 'tc', sC()), // 3
      srC(), // 4: C's early media RTCP, C's dialog
      res(legB, '200 OK', 1, 'INVITE', 'tb', sB()), // 5
      req(legB, 'ACK', 1, 'tb'), // 6
      res(legC, '487 Request Terminated', 1, 'INVITE', 'tc'), // 7: C's early dialog ends
      srC(), // 8: in flight
      srB(), // 9
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '8 drop no-preference []', '9 export raw-allowed [apt-raw]']);
    expect(o.exports.map((e) => `${e.stream.ssrc} ${e.dialog?.toTag}`)).toEqual(['222 tb']);
  });

  it('second 2xx (fork C) ACKed and ended by BYE: its late RTCP is not exported under fork B', async () => {
    const o = await run(ws, [
      req(legB, 'INVITE', 1, null, sA()), // 1
      res(legB, '200 OK', 1, 'INVITE', 'tb', sB()), // 2
      res(legC, '200 OK', 1, 'INVITE', 'tc', sC()), // 3
      req(legB, 'ACK', 1, 'tb'), // 4
      req(legC, 'ACK', 1, 'tc'), // 5
      srC(), // 6
      req(legC, 'BYE', 2, 'tc'), // 7
      res(legC, '200 OK', 2, 'BYE', 'tc'), // 8
      srC(), // 9: in flight
      srB(), // 10
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['6 drop export-none [apt-none]', '9 drop no-preference []', '10 export raw-allowed [apt-raw]']);
    expect(o.exports.map((e) => `${e.stream.ssrc} ${e.dialog?.toTag}`)).toEqual(['222 tb']);
    expect(o.reports.filter((r) => r.type === 'unbound-stream').map((r) => [r.frame, r.ssrc])).toEqual([[9, 333]]);
  });
});
