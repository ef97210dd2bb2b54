/**
 * From a review of SIP dialog and offer/answer shapes (RFC 3261, 3262, 3311, 3264) and what the
 * enforcer decides for their media (SPEC §2, §5, §6): the checks that came out FINE, kept as
 * regression tests. Hand-built calls A (10.0.0.1:4000, SSRC 111) → B (10.0.0.2:5000, SSRC 222)
 * [→ C (10.0.0.3:6000, SSRC 333) for forks], one audio m-section mid "a"; every capture replayed
 * with 0 and 2 workers (identical lines checked). Checked:
 * - late offer: INVITE without SDP, offer (apt-raw) in the 200, answer in the ACK adding apt-none:
 *   raw between 200 and ACK, drop export-none after; media before any SDP unbound.
 * - late offer whose ACK has no body, then BYE: the offer's scope until the BYE, unbound after.
 * - late-offer re-INVITE relaxing (apt-none → apt-raw in the 200) whose ACK has no body: the
 *   relaxation never applies; BYE ends it.
 * - BYE before the ACK (the ACK after the BYE revives nothing), with and without late offer.
 * - forks: two 2xx with their own SDP and a=aipref (and the same with late offer, each 200 its
 *   own offer, each ACK its answer): each fork's media judged by its own dialog while both live;
 *   two 183s with their own AI-Pref headers: isolated; an UPDATE in one early fork changes only it.
 * - hold with a=inactive and resume: the stream stays under its APT.
 * - a re-INVITE adding a video m-section under apt-raw: unbound before, dropped while pending,
 *   raw after the 200, "mid scope added" at the 200; the same refused by port 0 in the answer:
 *   stream-disabled, nothing reported removed; the same added by a late-offer 200 and refused
 *   in the ACK.
 * - a 200 to a re-INVITE carrying AI-Pref values other than the offer's (callee replaces apt-agg
 *   with apt-none): scope-removed for apt-agg at the 200 with both remaining values as fallback.
 * - an UPDATE in the early dialog relaxing apt-none → apt-raw (waits for its 200); the callee's
 *   UPDATE in the early dialog restricting (from the UPDATE).
 * - a callee's re-INVITE without SDP (the caller's 200 carries the offer, the callee's ACK the
 *   answer): restriction at the ACK, scope-removed there.
 * - Call-ID reused after BYE (same tags with a new CSeq, or a new From tag), and another call on
 *   the same ports with the same SSRC: each governed by its own dialog, unbound between.
 * - CANCEL crossing the 200 (200 to the CANCEL after it): the call stays bound until its BYE.
 * - retransmissions: a late-offer INVITE and its 200 (with the offer) repeated after the ACK, the 200
 *   again after a later re-INVITE; an INVITE repeated after its 183 and after its 200: nothing changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, C, decided, type Leg, req, res, run, sdpAudio, srPkt } from '../dialog-lifecycle/lifecycle-helpers.js';
import { POL } from '../renegotiation-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const leg: Leg = { callId: 'shape-ok@x', caller: A, callee: B, fromTag: 'f1' };
const legC: Leg = { ...leg, callee: C };
const sA = (l: string[] = [], s: string[] = []) => sdpAudio(A.ip, 4000, ['a=mid:a', ...l], A.ip, s);
const sB = (l: string[] = [], s: string[] = []) => sdpAudio(B.ip, 5000, ['a=mid:a', ...l], B.ip, s);
const sC = (l: string[] = []) => sdpAudio(C.ip, 6000, ['a=mid:a', ...l]);
const srA = () => srPkt(A.ip, 4001, B.ip, 5001, 111);
const srB = () => srPkt(B.ip, 5001, A.ip, 4001, 222);
const srC = () => srPkt(C.ip, 6001, A.ip, 4001, 333);
const srAC = () => srPkt(A.ip, 4001, C.ip, 6001, 111);
const srAv = () => srPkt(A.ip, 4003, B.ip, 5003, 112);
const vid = (port: number, l: string[] = []) => [`m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000', 'a=mid:v', ...l, ''].join('\r\n');
const setUp = (l: string[], lg = leg, tt = 't1') => [req(lg, 'INVITE', 1, null, sA(l)), res(lg, '200 OK', 1, 'INVITE', tt, sB()), req(lg, 'ACK', 1, tt)];
type O = Awaited<ReturnType<typeof run>>;
async function go(pkts: Parameters<typeof run>[1]): Promise<O> {
  const o = await run(ws, pkts, POL);
  expect(o.w2).toEqual(o.w0);
  return o;
}
const rep = (o: O) => o.reports.map((r) => [r.frame, r.type, r.mid ?? null, r.apt ?? null, r.fallback ?? null]);

describe('late offer (RFC 3261 §13.2.1, RFC 3264)', () => {
  it('offer in the 200, answer in the ACK', async () => {
    const o = await go([req(leg, 'INVITE', 1, null, null), srA(), res(leg, '200 OK', 1, 'INVITE', 't1', sB(['a=aipref:mid apt-raw'])), srA(), req(leg, 'ACK', 1, 't1', sA(['a=aipref:mid apt-none'])), srA(), srB()]);
    expect(decided(o)).toEqual(['2 drop no-preference []', '4 export raw-allowed [apt-raw]', '6 drop export-none [apt-none]', '7 drop export-none [apt-none]']);
  });
  it('ACK without body, then BYE', async () => {
    const o = await go([req(leg, 'INVITE', 1, null, null), res(leg, '200 OK', 1, 'INVITE', 't1', sB(['a=aipref:mid apt-raw'])), srA(), req(leg, 'ACK', 1, 't1'), srA(), req(leg, 'BYE', 2, 't1'), srA()]);
    expect(decided(o)).toEqual(['3 export raw-allowed [apt-raw]', '5 export raw-allowed [apt-raw]', '7 drop no-preference []']);
  });
  it('a relaxing late-offer re-INVITE whose ACK has no body never relaxes', async () => {
    const o = await go([req(leg, 'INVITE', 1, null, sA(['a=aipref:mid apt-none'])), res(leg, '200 OK', 1, 'INVITE', 't1', sB()), req(leg, 'ACK', 1, 't1'), srA(),
      req(leg, 'INVITE', 2, 't1', null), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sB(['a=aipref:mid apt-raw'])), srA(), req(leg, 'ACK', 2, 't1'), srA(), req(leg, 'BYE', 3, 't1'), srA()]);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '6 drop export-none [apt-none]', '8 drop export-none [apt-none]', '10 drop export-none [apt-none]', '12 drop no-preference []']);
  });
  it("a callee's re-INVITE without SDP: offer in the caller's 200, answer in the callee's ACK", async () => {
    const o = await go([...setUp(['a=aipref:mid apt-raw']), srA(), req(leg, 'INVITE', 1, 't1', null, { byCallee: true }), srA(), res(leg, '200 OK', 1, 'INVITE', 't1', sA(['a=aipref:mid apt-none']), { byCallee: true }), srA(), req(leg, 'ACK', 1, 't1', sB(), { byCallee: true }), srA()]);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '6 export raw-allowed [apt-raw]', '8 drop export-none [apt-none]', '10 drop export-none [apt-none]']);
    expect(rep(o)).toEqual([[9, 'scope-removed', 'a', ['apt-raw'], ['apt-none']], [9, 'scope-transitioned', 'a', ['apt-none'], null]]);
  });
});

describe('BYE before ACK', () => {
  for (const late of [false, true]) {
    it(late ? 'late offer' : 'offer in the INVITE', async () => {
      const o = await go(late
        ? [req(leg, 'INVITE', 1, null, null), res(leg, '200 OK', 1, 'INVITE', 't1', sB(['a=aipref:mid apt-raw'])), srA(), req(leg, 'BYE', 2, 't1'), srA(), req(leg, 'ACK', 1, 't1', sA()), srA()]
        : [req(leg, 'INVITE', 1, null, sA(['a=aipref:mid apt-raw'])), res(leg, '200 OK', 1, 'INVITE', 't1', sB()), srA(), req(leg, 'BYE', 2, 't1'), srA(), req(leg, 'ACK', 1, 't1'), srA()]);
      expect(decided(o)).toEqual(['3 export raw-allowed [apt-raw]', '5 drop no-preference []', '7 drop no-preference []']);
    });
  }
});

describe('forks (RFC 3261 §13.2.2.4)', () => {
  it('two 2xx, each with its own SDP and a=aipref: each fork its own media', async () => {
    const o = await go([req(leg, 'INVITE', 1, null, sA()), res(leg, '200 OK', 1, 'INVITE', 'tb', sB(['a=aipref:mid apt-raw'])), res(legC, '200 OK', 1, 'INVITE', 'tc', sC(['a=aipref:mid apt-none'])),
      req(leg, 'ACK', 1, 'tb'), req(legC, 'ACK', 1, 'tc'), srB(), srC(), srA(), srAC()]);
    expect(decided(o)).toEqual(['6 export raw-allowed [apt-raw]', '7 drop export-none [apt-none]', '8 export raw-allowed [apt-raw]', '9 drop export-none [apt-none]']);
  });
  it('late offer forked: each 200 its own offer, each ACK its answer', async () => {
    const o = await go([req(leg, 'INVITE', 1, null, null), res(leg, '200 OK', 1, 'INVITE', 'tb', sB(['a=aipref:mid apt-raw'])), res(legC, '200 OK', 1, 'INVITE', 'tc', sC(['a=aipref:mid apt-none'])),
      req(leg, 'ACK', 1, 'tb', sA()), req(legC, 'ACK', 1, 'tc', sA(['a=aipref:mid apt-agg'])), srB(), srC(), srA(), srAC()]);
    expect(decided(o)).toEqual(['6 export raw-allowed [apt-raw]', '7 drop export-none [apt-none]', '8 export raw-allowed [apt-raw]', '9 drop export-none [apt-none]']);
  });
  it("two 183s with their own AI-Pref headers; an UPDATE in one early fork changes only that fork", async () => {
    const o = await go([req(leg, 'INVITE', 1, null, sA(['a=aipref:mid apt-raw'])), res(leg, '183 Session Progress', 1, 'INVITE', 'tb', sB()), res(legC, '183 Session Progress', 1, 'INVITE', 'tc', sC()),
      req(legC, 'UPDATE', 2, 'tc', sA(['a=aipref:mid apt-none'])), res(legC, '200 OK', 2, 'UPDATE', 'tc', sC()), srB(), srC(),
      res(leg, '200 OK', 1, 'INVITE', 'tb', sB()), req(leg, 'ACK', 1, 'tb'), srB(), srC()]);
    expect(decided(o)).toEqual(['6 export raw-allowed [apt-raw]', '7 drop export-none [apt-none]', '10 export raw-allowed [apt-raw]', '11 drop export-none [apt-none]']);
    expect(o.reports.every((r) => r.dialog?.toTag === 'tc')).toBe(true);
  });
});

describe('re-INVITE shapes', () => {
  it('hold with a=inactive, then resume: the APT stays', async () => {
    const o = await go([...setUp(['a=aipref:mid apt-agg']), srA(), req(leg, 'INVITE', 2, 't1', sA(['a=aipref:mid apt-agg', 'a=inactive'])), res(leg, '200 OK', 2, 'INVITE', 't1', sB(['a=inactive'])), req(leg, 'ACK', 2, 't1'), srA(),
      req(leg, 'INVITE', 3, 't1', sA(['a=aipref:mid apt-agg'])), res(leg, '200 OK', 3, 'INVITE', 't1', sB()), req(leg, 'ACK', 3, 't1'), srA()]);
    expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '8 aggregate aggregated-only [apt-agg]', '12 aggregate aggregated-only [apt-agg]']);
    expect(o.reports).toEqual([]);
  });
  it('a video m-section added under apt-raw: raw only from the 200', async () => {
    const o = await go([...setUp(['a=aipref:mid apt-agg']), srA(), srAv(), req(leg, 'INVITE', 2, 't1', sA(['a=aipref:mid apt-agg']) + vid(4002, ['a=aipref:mid apt-raw'])), srAv(),
      res(leg, '200 OK', 2, 'INVITE', 't1', sB() + vid(5002)), srAv(), req(leg, 'ACK', 2, 't1'), srA(), srAv()]);
    expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '5 drop no-preference []', '7 drop no-preference []', '9 export raw-allowed [apt-raw]', '11 aggregate aggregated-only [apt-agg]', '12 export raw-allowed [apt-raw]']);
    expect(rep(o)).toEqual([[5, 'unbound-stream', null, null, null], [8, 'scope-transitioned', 'v', ['apt-raw'], null]]);
  });
  it('a video m-section added under apt-none, refused by port 0 in the answer (and in a late-offer ACK)', async () => {
    const o = await go([...setUp(['a=aipref:mid apt-raw']), srA(), srAv(), req(leg, 'INVITE', 2, 't1', sA(['a=aipref:mid apt-raw']) + vid(4002, ['a=aipref:mid apt-none'])), srA(), srAv(),
      res(leg, '200 OK', 2, 'INVITE', 't1', sB() + vid(0)), req(leg, 'ACK', 2, 't1'), srA(), srAv()]);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '5 drop no-preference []', '7 export raw-allowed [apt-raw]', '8 drop no-preference []', '11 export raw-allowed [apt-raw]', '12 drop stream-disabled []']);
    expect(rep(o)).toEqual([[5, 'unbound-stream', null, null, null]]);
    const late = await go([...setUp(['a=aipref:mid apt-raw']), srA(), srAv(), req(leg, 'INVITE', 2, 't1', null), res(leg, '200 OK', 2, 'INVITE', 't1', sB(['a=aipref:mid apt-raw']) + vid(5002, ['a=aipref:mid apt-none'])), srA(), srAv(),
      req(leg, 'ACK', 2, 't1', sA() + vid(0)), srA(), srAv()]);
    expect(decided(late)).toEqual(['4 export raw-allowed [apt-raw]', '5 drop no-preference []', '8 export raw-allowed [apt-raw]', '9 drop no-preference []', '11 export raw-allowed [apt-raw]', '12 drop stream-disabled []']);
  });
  it("a 200 whose AI-Pref replaces the answerer's earlier value", async () => {
    const o = await go([req(leg, 'INVITE', 1, null, sA()), res(leg, '200 OK', 1, 'INVITE', 't1', sB(), { headers: ['AI-Pref: apt-agg;scope=dialog'] }), req(leg, 'ACK', 1, 't1'), srA(),
      req(leg, 'INVITE', 2, 't1', sA(), { headers: ['AI-Pref: apt-raw;scope=dialog'] }), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sB(), { headers: ['AI-Pref: apt-none;scope=dialog'] }), srA(), req(leg, 'ACK', 2, 't1'), srA()]);
    expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '6 aggregate aggregated-only [apt-agg,apt-raw]', '8 drop export-none [apt-none]', '10 drop export-none [apt-none]']);
    expect(rep(o).filter((r) => r[1] !== 'implicit-binding')).toEqual([[7, 'scope-removed', null, ['apt-agg'], ['apt-none', 'apt-raw']], [7, 'scope-transitioned', null, ['apt-none'], null], [7, 'scope-transitioned', null, ['apt-raw'], null]]);
  });
});

describe('UPDATE in the early dialog (RFC 3311)', () => {
  it('relaxing apt-none → apt-raw: at its 200', async () => {
    const o = await go([req(leg, 'INVITE', 1, null, sA(['a=aipref:mid apt-none'])), res(leg, '183 Session Progress', 1, 'INVITE', 't1', sB()), srA(),
      req(leg, 'UPDATE', 2, 't1', sA(['a=aipref:mid apt-raw'])), srA(), res(leg, '200 OK', 2, 'UPDATE', 't1', sB()), srA(), res(leg, '200 OK', 1, 'INVITE', 't1'), req(leg, 'ACK', 1, 't1'), srA()]);
    expect(decided(o)).toEqual(['3 drop export-none [apt-none]', '5 drop export-none [apt-none]', '7 export raw-allowed [apt-raw]', '10 export raw-allowed [apt-raw]']);
  });
  it("the callee's, restricting: from the UPDATE", async () => {
    const o = await go([req(leg, 'INVITE', 1, null, sA(['a=aipref:mid apt-raw'])), res(leg, '183 Session Progress', 1, 'INVITE', 't1', sB()), srA(),
      req(leg, 'UPDATE', 1, 't1', sB(['a=aipref:mid apt-none']), { byCallee: true }), srA(), res(leg, '200 OK', 1, 'UPDATE', 't1', sA(['a=aipref:mid apt-raw']), { byCallee: true }), srA(),
      res(leg, '200 OK', 1, 'INVITE', 't1'), req(leg, 'ACK', 1, 't1'), srA()]);
    expect(decided(o)).toEqual(['3 export raw-allowed [apt-raw]', '5 drop export-none [apt-none]', '7 drop export-none [apt-none]', '10 drop export-none [apt-none]']);
  });
});

describe('reuse and races', () => {
  it('Call-ID reused after BYE (same tags, new CSeq; or a new From tag)', async () => {
    const o = await go([...setUp(['a=aipref:mid apt-none']), srA(), req(leg, 'BYE', 2, 't1'), res(leg, '200 OK', 2, 'BYE', 't1'), srA(),
      req(leg, 'INVITE', 3, null, sA(['a=aipref:mid apt-raw'])), res(leg, '200 OK', 3, 'INVITE', 't1', sB()), req(leg, 'ACK', 3, 't1'), srA(), req(leg, 'BYE', 4, 't1'), srA()]);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '7 drop no-preference []', '11 export raw-allowed [apt-raw]', '13 drop no-preference []']);
    const l2: Leg = { ...leg, fromTag: 'f2' };
    const o2 = await go([...setUp(['a=aipref:mid apt-none']), srA(), req(leg, 'BYE', 2, 't1'), res(leg, '200 OK', 2, 'BYE', 't1'), srA(), ...setUp(['a=aipref:mid apt-raw'], l2, 't2'), srA(), req(l2, 'BYE', 2, 't2'), srA()]);
    expect(decided(o2)).toEqual(['4 drop export-none [apt-none]', '7 drop no-preference []', '11 export raw-allowed [apt-raw]', '13 drop no-preference []']);
  });
  it('another call on the same ports with the same SSRC after BYE', async () => {
    const lx: Leg = { ...leg, callId: 'other-ok@x', fromTag: 'g1' };
    const o = await go([...setUp(['a=aipref:mid apt-none']), srA(), req(leg, 'BYE', 2, 't1'), res(leg, '200 OK', 2, 'BYE', 't1'), srA(), ...setUp(['a=aipref:mid apt-raw'], lx, 'u1'), srA(), srB()]);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '7 drop no-preference []', '11 export raw-allowed [apt-raw]', '12 export raw-allowed [apt-raw]']);
  });
  it('CANCEL crossing the 200 (200 to the CANCEL after it): the call is bound until its BYE', async () => {
    const o = await go([req(leg, 'INVITE', 1, null, sA(['a=aipref:mid apt-raw'])), res(leg, '180 Ringing', 1, 'INVITE', 't1'), req(leg, 'CANCEL', 1, null, null, { branch: 'z9hG4bK-shape-ok@x-f1-INVITE1' }),
      res(leg, '200 OK', 1, 'INVITE', 't1', sB()), res(leg, '200 OK', 1, 'CANCEL', 't1', null, { branch: 'z9hG4bK-shape-ok@x-f1-INVITE1' }), req(leg, 'ACK', 1, 't1'), srA(), req(leg, 'BYE', 2, 't1'), srA()]);
    expect(decided(o)).toEqual(['7 export raw-allowed [apt-raw]', '9 drop no-preference []']);
  });
  it('retransmitted INVITEs and 2xx change nothing', async () => {
    const inv = req(leg, 'INVITE', 1, null, null);
    const ok = res(leg, '200 OK', 1, 'INVITE', 't1', sB(['a=aipref:mid apt-none']));
    const o = await go([inv, ok, req(leg, 'ACK', 1, 't1', sA(['a=aipref:mid apt-none'])), srA(), ok, inv, srA(),
      req(leg, 'INVITE', 2, 't1', sA(['a=aipref:mid apt-raw'])), res(leg, '200 OK', 2, 'INVITE', 't1', sB()), req(leg, 'ACK', 2, 't1'), srA(), ok, srA()]);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '7 drop export-none [apt-none]', '11 export raw-allowed [apt-raw]', '13 export raw-allowed [apt-raw]']);
    expect(rep(o)).toEqual([[9, 'scope-removed', 'a', ['apt-none'], ['apt-raw']], [9, 'scope-transitioned', 'a', ['apt-raw'], null]]);
    const inv2 = req(leg, 'INVITE', 1, null, sA(['a=aipref:mid apt-raw']));
    const o2 = await go([inv2, res(leg, '183 Session Progress', 1, 'INVITE', 't1', sB()), inv2, srA(), res(leg, '200 OK', 1, 'INVITE', 't1', sB()), inv2, req(leg, 'ACK', 1, 't1'), inv2, srA()]);
    expect(decided(o2)).toEqual(['4 export raw-allowed [apt-raw]', '9 export raw-allowed [apt-raw]']);
    expect(o2.reports).toEqual([]);
  });
});
