/**
 * Found by a review of the session's changes, fixed since: an ended dialog's addresses are
 * remembered by count (16 384), not for a time pruned at other dialogs' ends (TransportMap.end).
 *
 * Input: the second case of test/e2e/dialog-shapes-review/ended-fork-media-taken-by-other-fork:
 * one INVITE from A (10.0.0.1:4000) forked; B (tb, 10.0.0.2:5000, a=aipref:mid apt-raw) and C
 * (tc, 10.0.0.3:6000, a=aipref:mid apt-none) both answer 200, both ACKed; the caller BYEs C at
 * t=0.7 s. B's SR every 100 s keeps B's dialog in use. At t=400 s C's SR (10.0.0.3:6001 →
 * 10.0.0.1:4001, SSRC 333) comes again — 399.3 s after C's dialog ended, past the 300 s for which
 * TransportMap.end() says it remembers an ended dialog's addresses (ENDED_SOURCE_SEC).
 * Two captures differ only by an unrelated call (Call-ID other@x, 10.0.0.5 ↔ 10.0.0.6,
 * INVITE/200/ACK at 340 s, BYE/200 at 350 s), which shares no address, port or SSRC.
 * Was: the decision of C's SR at 400 s depends on whether that unrelated call ended in between:
 *   without it  "drop no-preference []" (C's addresses still remembered at 399 s),
 *   with it     "export raw-allowed [apt-raw]" (exported under B's dialog: the unrelated
 *               dialog-ended ran forgetBefore, the only place ended addresses are let go).
 * forgetBefore runs in end() alone; lookupDatagramV4/V6 never look at the time remembered.
 * Correct: one call's decisions do not depend on another call that shares nothing with it
 * (SPEC §2: a stream is governed by its own dialog's identifiers; §8 results are a function of
 * the call's own records). The bound is documented as 300 s of capture time, so at 400 s both
 * captures forget C's addresses and decide alike: "export raw-allowed [apt-raw]" (asserted: the
 * "without" capture equals the "with" one). If the lead rather keeps the address while B's
 * dialog lives, both should say "drop no-preference []"; either way they must agree.
 * Fix: src/binding/transport-map.ts lookupDatagramV4/V6: compare the remembered time with the
 * packet's capture time (pass ts, or prune in a per-batch/per-event tick that every core and the
 * main thread run at the same record, e.g. MediaCore.event + replay-engine track with each
 * event's ts and also at media packets), not only when some other dialog ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, C, type Leg, type Party, req, res, run, sdpAudio, srPkt } from '../dialog-lifecycle/lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const legB: Leg = { callId: 'fork-ended@x', caller: A, callee: B, fromTag: 'f1' };
const legC: Leg = { ...legB, callee: C };
const D: Party = { ip: '10.0.0.5', user: 'd' };
const E: Party = { ip: '10.0.0.6', user: 'e' };
const legD: Leg = { callId: 'other@x', caller: D, callee: E, fromTag: 'fd' };
const sA = () => sdpAudio(A.ip, 4000, ['a=mid:a']);
const sB = () => sdpAudio(B.ip, 5000, ['a=mid:a', 'a=aipref:mid apt-raw', 'a=ssrc:222 cname:b']);
const sC = () => sdpAudio(C.ip, 6000, ['a=mid:a', 'a=aipref:mid apt-none', 'a=ssrc:333 cname:c']);
const srB = () => srPkt(B.ip, 5001, A.ip, 4001, 222);
const srC = () => srPkt(C.ip, 6001, A.ip, 4001, 333);

function capture(unrelated: boolean) {
  return [
    { at: 0.1, d: req(legB, 'INVITE', 1, null, sA()) },
    { at: 0.2, d: res(legB, '200 OK', 1, 'INVITE', 'tb', sB()) },
    { at: 0.3, d: res(legC, '200 OK', 1, 'INVITE', 'tc', sC()) },
    { at: 0.4, d: req(legB, 'ACK', 1, 'tb') },
    { at: 0.5, d: req(legC, 'ACK', 1, 'tc') },
    { at: 0.6, d: srC() },
    { at: 0.7, d: req(legC, 'BYE', 2, 'tc') },
    { at: 0.8, d: res(legC, '200 OK', 2, 'BYE', 'tc') },
    { at: 100, d: srB() },
    { at: 200, d: srB() },
    { at: 300, d: srB() },
    ...(unrelated
      ? [
          { at: 340, d: req(legD, 'INVITE', 1, null, sdpAudio(D.ip, 7000)) },
          { at: 340.1, d: res(legD, '200 OK', 1, 'INVITE', 'te', sdpAudio(E.ip, 7002)) },
          { at: 340.2, d: req(legD, 'ACK', 1, 'te') },
          { at: 350, d: req(legD, 'BYE', 2, 'te') },
          { at: 350.1, d: res(legD, '200 OK', 2, 'BYE', 'te') },
        ]
      : []),
    { at: 400, d: srC() },
    { at: 400.1, d: srB() },
  ];
}

describe("an ended dialog's addresses: how long they are remembered", () => {
  it("C's SR at 400 s is decided alike with or without an unrelated call ending at 350 s", async () => {
    const without = await run(ws, capture(false));
    const withOther = await run(ws, capture(true));
    expect(without.w2).toEqual(without.w0);
    expect(withOther.w2).toEqual(withOther.w0);
    const late = (o: typeof without) => o.decisions.filter((d) => d.ssrc === 333 && d.ts > 1767225600 + 399).map((d) => `${d.decision} ${d.reason} [${d.apt}]`);
    expect({ without: late(without), withOther: late(withOther) }).toEqual({ without: late(withOther), withOther: late(withOther) });
  });
});
