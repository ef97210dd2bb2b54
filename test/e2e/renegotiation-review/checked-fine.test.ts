/**
 * From a review of renegotiation and its reports (SPEC §5, §6): the checks that came out fine.
 *
 * Checks of the renegotiation review (SPEC §5, the scope-removed and scope-transitioned reports
 * of §6) that turned out FINE, kept as regression tests. Each is a hand-built call A→B (one
 * audio m-section mid "a", A's SSRC 111), replayed with 0 and 2 workers (identical lines
 * checked), telemetry at the frame before the offer, between offer and answer, after the answer.
 * Checked:
 * - UPDATE mid-dialog removing a=aipref:mid (relaxation to the session-level APT): waits for the
 *   200, scope-removed at the 200 naming mid, apt, fallback "section-level".
 * - UPDATE removing the only mid APT (restriction: falls back to dialog-level AI-Pref apt-none):
 *   from the offer; 491 undoes it at the 491 (scope-transitioned "offer refused"); accepted:
 *   scope-removed with fallback ["apt-none"], "dialog-level".
 * - UPDATE in an early dialog (after a 183), restricting: from the UPDATE on; refused (488 399):
 *   undone at the 488.
 * - re-INVITE without SDP: the offer in the 200 (the callee's SDP, unchanged) leaves the caller's
 *   own apt-raw in force until the caller's ACK answers without it (scope-removed at the ACK
 *   frame; an offer speaks for its offerer only, RFC 3264 §8 — this check had the 200 restrict,
 *   taken back since the dialog-shapes review); a relaxing 200 offer waits for the ACK.
 * - 491 to a restricting re-INVITE: undone at the 491.
 * - group-scope a=aipref removed and a dialog-level AI-Pref value dropped in one re-INVITE: two
 *   scope-removed reports (mid a / no mid), fallback the remaining dialog-level value.
 * - an AI-Pref scope=media value dropped: scope-removed for the m-section, "header-value-dropped".
 * - one APT replaced by another (apt-none → apt-agg): relaxation at the answer; scope-removed
 *   naming the new one as fallback, scope-transitioned "mid scope added".
 * - m-section disabled (port 0) then re-enabled under a new APT: stream-disabled until the
 *   re-enabling answer (not at its offer), then the new APT.
 * - a 183 answer to a re-INVITE confirmed by a 200: restriction from the offer, kept.
 * - BYE while a restricting re-INVITE awaits its answer: afterwards the stream is unbound (drop
 *   no-preference) and nothing is reported removed.
 * - a re-INVITE retransmitted byte for byte after its 200: nothing changes, nothing reported.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, decided, req, res, run, sdpAudio } from '../dialog-lifecycle/lifecycle-helpers.js';
import { leg, POL, REFUSED, sameWithWorkers, sdpA, sdpB, setUp, srA } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const removedReports = (o: Awaited<ReturnType<typeof run>>) => o.reports.filter((r) => r.type === 'scope-removed').map((r) => [r.frame, r.mid ?? null, r.apt, r.fallback, r.detail]);

describe('UPDATE offer/answer (RFC 3311)', () => {
  it('removal relaxing to the session-level APT waits for the 200', async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-none'], ['a=aipref:session apt-raw']), srA(), req(leg, 'UPDATE', 2, 't1', sdpA([], ['a=aipref:session apt-raw'])), srA(), res(leg, '200 OK', 2, 'UPDATE', 't1', sdpB()), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '6 drop export-none [apt-none]', '8 export raw-allowed [apt-raw]']);
    expect(removedReports(o)).toEqual([[7, 'a', ['apt-none'], ['apt-raw'], 'attribute-removed; falls back to section-level apt-raw']]);
  });

  it('removal restricting to the dialog-level value: from the offer; 491 undoes it; a 200 keeps it', async () => {
    const head = [...setUp(['a=aipref:mid apt-raw'], [], ['AI-Pref: apt-none;scope=dialog']), srA(), req(leg, 'UPDATE', 2, 't1', sdpA([])), srA()];
    const refused = await run(ws, [...head, res(leg, '491 Request Pending', 2, 'UPDATE', 't1'), srA()], POL);
    sameWithWorkers(refused);
    expect(decided(refused).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '6 drop export-none', '8 export raw-allowed']);
    expect(refused.reports.filter((r) => r.type === 'scope-transitioned').map((r) => [r.frame, r.detail])).toEqual([[7, 'offer refused: 491 (rejected); its changes are discarded']]);
    const accepted = await run(ws, [...head, res(leg, '200 OK', 2, 'UPDATE', 't1', sdpB()), srA()], POL);
    sameWithWorkers(accepted);
    expect(decided(accepted).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '6 drop export-none', '8 drop export-none']);
    expect(removedReports(accepted)).toEqual([[7, 'a', ['apt-raw'], ['apt-none'], 'attribute-removed; falls back to dialog-level apt-none']]);
  });

  it('in an early dialog: a restricting UPDATE applies from the offer, a refused one is undone', async () => {
    const head = [req(leg, 'INVITE', 1, null, sdpA(['a=aipref:mid apt-raw'])), res(leg, '183 Session Progress', 1, 'INVITE', 't1', sdpB()), srA(), req(leg, 'UPDATE', 2, 't1', sdpA(['a=aipref:mid apt-none'])), srA()];
    const accepted = await run(ws, [...head, res(leg, '200 OK', 2, 'UPDATE', 't1', sdpB()), srA(), res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()), req(leg, 'ACK', 1, 't1'), srA()], POL);
    sameWithWorkers(accepted);
    expect(decided(accepted)).toEqual(['3 export raw-allowed [apt-raw]', '5 drop export-none [apt-none]', '7 drop export-none [apt-none]', '10 drop export-none [apt-none]']);
    const refused = await run(ws, [...head, res(leg, '488 Not Acceptable Here', 2, 'UPDATE', 't1', null, { headers: REFUSED }), srA(), res(leg, '200 OK', 1, 'INVITE', 't1', sdpB()), req(leg, 'ACK', 1, 't1'), srA()], POL);
    sameWithWorkers(refused);
    expect(decided(refused)).toEqual(['3 export raw-allowed [apt-raw]', '5 drop export-none [apt-none]', '7 export raw-allowed [apt-raw]', '10 export raw-allowed [apt-raw]']);
    expect(removedReports(refused)).toEqual([]);
  });
});

describe('re-INVITE', () => {
  it("without SDP: the offer in the 200 leaves the caller's own identifier in force, the ACK's answer drops it", async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw'], [], ['AI-Pref: apt-none;scope=dialog']), srA(), req(leg, 'INVITE', 2, 't1', null), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), srA(), req(leg, 'ACK', 2, 't1', sdpA([])), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '6 export raw-allowed', '8 export raw-allowed', '10 drop export-none']);
    expect(removedReports(o)).toEqual([[9, 'a', ['apt-raw'], ['apt-none'], 'attribute-removed; falls back to dialog-level apt-none']]);
  });

  it('without SDP: a relaxing offer in the 200 waits for the ACK', async () => {
    const o = await run(ws, [req(leg, 'INVITE', 1, null, sdpA([])), res(leg, '200 OK', 1, 'INVITE', 't1', sdpB(['a=aipref:mid apt-none'])), req(leg, 'ACK', 1, 't1'), srA(), req(leg, 'INVITE', 2, 't1', null), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sdpB(['a=aipref:mid apt-raw'])), srA(), req(leg, 'ACK', 2, 't1', sdpA([])), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '6 drop export-none [apt-none]', '8 drop export-none [apt-none]', '10 export raw-allowed [apt-raw]']);
    expect(removedReports(o)).toEqual([[9, 'a', ['apt-none'], ['apt-raw'], 'attribute-removed; falls back to section-level apt-raw']]);
  });

  it('491 to a restricting re-INVITE: undone at the 491', async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw']), srA(), req(leg, 'INVITE', 2, 't1', sdpA(['a=aipref:mid apt-none'])), srA(), res(leg, '491 Request Pending', 2, 'INVITE', 't1'), req(leg, 'ACK', 2, 't1'), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '6 drop export-none [apt-none]', '9 export raw-allowed [apt-raw]']);
  });

  it('group scope removed and a dialog-level value dropped: one report each', async () => {
    const o = await run(ws, [...setUp([], ['a=group:BUNDLE a', 'a=aipref:group apt-agg'], ['AI-Pref: apt-raw;scope=dialog, apt-none;scope=dialog']), srA(), req(leg, 'INVITE', 2, 't1', sdpA([]), { headers: ['AI-Pref: apt-raw;scope=dialog'] }), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), req(leg, 'ACK', 2, 't1'), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 aggregate aggregated-only [apt-agg]', '6 aggregate aggregated-only [apt-agg,apt-raw]', '9 export raw-allowed [apt-raw]']);
    expect(removedReports(o)).toEqual([
      [7, 'a', ['apt-agg'], ['apt-raw'], 'attribute-removed; falls back to dialog-level apt-raw'],
      [7, null, ['apt-none'], ['apt-raw'], 'header-value-dropped; falls back to dialog-level apt-raw'],
    ]);
  });

  it('an AI-Pref scope=media value dropped', async () => {
    const o = await run(ws, [...setUp([], [], ['AI-Pref: apt-agg;scope=media, apt-raw;scope=dialog']), srA(), req(leg, 'INVITE', 2, 't1', sdpA([]), { headers: ['AI-Pref: apt-raw;scope=dialog'] }), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), req(leg, 'ACK', 2, 't1'), srA()], POL);
    sameWithWorkers(o);
    expect(removedReports(o)).toEqual([[7, 'a', ['apt-agg'], ['apt-raw'], 'header-value-dropped; falls back to dialog-level apt-raw']]);
  });

  it('one APT replaced by another (a relaxation): at the answer', async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-none']), srA(), req(leg, 'INVITE', 2, 't1', sdpA(['a=aipref:mid apt-agg'])), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), req(leg, 'ACK', 2, 't1'), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 drop export-none [apt-none]', '6 drop export-none [apt-none]', '9 aggregate aggregated-only [apt-agg]']);
    expect(o.reports.map((r) => [r.frame, r.type, r.apt, r.fallback ?? null, r.detail])).toEqual([
      [7, 'scope-removed', ['apt-none'], ['apt-agg'], 'attribute-removed; falls back to section-level apt-agg'],
      [7, 'scope-transitioned', ['apt-agg'], null, 'mid scope added'],
    ]);
  });

  it('disabled (port 0), then re-enabled under a new APT: stopped until the re-enabling answer', async () => {
    const off = (ip: string, ssrc: number) => sdpAudio(ip, 0, ['a=mid:a', `a=ssrc:${ssrc} cname:x`]);
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw']), srA(), req(leg, 'INVITE', 2, 't1', off(A.ip, 111)), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', off(B.ip, 222)), req(leg, 'ACK', 2, 't1'), srA(),
      req(leg, 'INVITE', 3, 't1', sdpA(['a=aipref:mid apt-agg'])), srA(), res(leg, '200 OK', 3, 'INVITE', 't1', sdpB()), req(leg, 'ACK', 3, 't1'), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '6 drop stream-disabled', '9 drop stream-disabled', '11 drop stream-disabled', '14 aggregate aggregated-only']);
    expect(removedReports(o)).toEqual([[7, 'a', ['apt-raw'], [], 'section-disabled; falls back to nothing: the stream stops']]);
  });

  it('a 183 answer confirmed by the 200: the restriction applies from the offer and stays', async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw'], [], ['AI-Pref: apt-none;scope=dialog']), srA(), req(leg, 'INVITE', 2, 't1', sdpA([])), srA(), res(leg, '183 Session Progress', 2, 'INVITE', 't1', sdpB()), srA(), res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '6 drop export-none', '8 drop export-none', '10 drop export-none']);
  });

  it('BYE while a restricting re-INVITE awaits its answer: the stream is unbound after it, nothing removed', async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw']), srA(), req(leg, 'INVITE', 2, 't1', sdpA(['a=aipref:mid apt-none'])), srA(), req(leg, 'BYE', 3, 't1'), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '6 drop export-none [apt-none]', '8 drop no-preference []']);
    expect(o.reports.map((r) => r.type)).toEqual(['unbound-stream']);
  });

  it('a removing re-INVITE retransmitted byte for byte after its 200: one report, the same decisions', async () => {
    const reinvite = req(leg, 'INVITE', 2, 't1', sdpA([]));
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw'], [], ['AI-Pref: apt-agg;scope=dialog']), srA(), reinvite, res(leg, '200 OK', 2, 'INVITE', 't1', sdpB()), srA(), reinvite, srA(), req(leg, 'ACK', 2, 't1'), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o).map((l) => l.split(' [')[0])).toEqual(['4 export raw-allowed', '7 aggregate aggregated-only', '9 aggregate aggregated-only', '11 aggregate aggregated-only']);
    expect(o.reports.filter((r) => r.type !== 'implicit-binding').map((r) => [r.frame, r.type])).toEqual([[6, 'scope-removed']]);
  });
});
