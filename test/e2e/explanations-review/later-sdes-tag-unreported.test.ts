/**
 * Found by a review of how decisions explain themselves, fixed since: conflicting and unresolved
 * identifiers are reported once each per stream, not once per stream (media-core preferenceOf).
 *
 * Input: hand-built call (calls-on-any-address.ts callSetup), A's audio names apt-raw
 * (a=aipref:mid); policy apt-raw {user, raw}, apt-x {user, aggregated-only}, apt-y {user, none}.
 *  (a) A's RTCP frame 4: SR + SDES PRIV aipref apt-x; frame 5: SR + SDES PRIV aipref apt-y;
 *      frame 6: SR.
 *  (b) the same with tags apt-u1 (frame 4) and apt-u2 (frame 5) that nothing states.
 *
 * Was: (a) decisions frame 4 aggregate [apt-x]; frames 5, 6 "drop","export-none",
 *   "apt":["apt-y"] — decided by apt-y, a media-plane tag the signaling does not name — but the
 *   only report is {"type":"binding-conflict",…,"frame":4,…,"apt":["apt-raw","apt-x"],
 *   "detail":"SDES PRIV names apt-x, which signaling does not: both apply"}: nothing for apt-y.
 *   (b) frame 5 decisions "drop","export-none","apt":["apt-u1","apt-u2"],"rule":"unresolved-apt",
 *   but reports are binding-conflict (frame 4, apt-u1) and unresolved-apt (frame 4,
 *   "apt":["apt-u1"]) only: apt-u2 is counted as the most restrictive statement and never
 *   reported, neither unresolved nor as a conflict.
 * Correct: (a) a second binding-conflict at frame 5 (ssrc 1111, mid "a",
 *   "apt":["apt-raw","apt-x","apt-y"], detail naming apt-y). (b) a binding-conflict and an
 *   unresolved-apt ("apt":["apt-u2"]) at frame 5. SPEC §2: an SDES identifier that differs from
 *   the signaled one is a binding-conflict; SPEC §3: an APT that cannot be resolved counts as
 *   the most restrictive statement "and is reported (unresolved-apt)"; SPEC §4: every decision
 *   can be explained. Each new identifier is a new occurrence.
 * Fix: src/pipeline/media-core.ts preferenceOf: the per-stream ReportedFlag.CONFLICT and
 *   ReportedFlag.UNRESOLVED bits suppress every later report for the stream; keep the set of
 *   identifiers already reported per stream (conflicting, unresolved) and report the new ones.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sdesPriv, sr } from '../calls-on-any-address.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { audio } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw' },
    'apt-x': { type: 'user', export: 'aggregated-only' },
    'apt-y': { type: 'user', export: 'none' },
  },
});
const setup = () => callSetup({ offer: sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-raw'])]), answer: sdp(B, [audio(5000, 2222)]) });

describe('a second SDES PRIV identifier on a stream is reported too', () => {
  it('(a) a second conflicting tag that decides: binding-conflict for it', async () => {
    const r = await replay(ws, [...setup(), rtcp(A, B, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-x')]), rtcp(A, B, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-y')]), rtcp(A, B, 4001, 5001, [sr(1111)])], policy);
    expect(r.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}]`)).toEqual([
      '4 aggregate aggregated-only [apt-x]',
      '5 drop export-none [apt-y]',
      '6 drop export-none [apt-y]',
    ]);
    expect(r.reports.map((x) => `${x.frame} ${x.type} ${x.ssrc} [${x.apt}]`)).toEqual([
      '4 binding-conflict 1111 [apt-raw,apt-x]',
      '5 binding-conflict 1111 [apt-raw,apt-x,apt-y]',
    ]);
    expect(r.reports[1]!.detail).toContain('apt-y');
  });

  it('(b) a second unresolvable tag: unresolved-apt and binding-conflict for it', async () => {
    const r = await replay(ws, [...setup(), rtcp(A, B, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-u1')]), rtcp(A, B, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-u2')])], policy);
    expect(r.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}] ${d.rule}`)).toEqual([
      '4 drop export-none [apt-u1] unresolved-apt',
      '5 drop export-none [apt-u1,apt-u2] unresolved-apt',
    ]);
    const unresolved = r.reports.filter((x) => x.type === 'unresolved-apt').map((x) => `${x.frame} ${x.ssrc} [${x.apt}]`);
    expect(unresolved).toEqual(['4 1111 [apt-u1]', '5 1111 [apt-u2]']);
    const conflicts = r.reports.filter((x) => x.type === 'binding-conflict').map((x) => `${x.frame} ${x.ssrc}`);
    expect(conflicts).toEqual(['4 1111', '5 1111']);
  });
});
