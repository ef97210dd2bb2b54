/**
 * Found by a review of how decisions explain themselves, fixed since: combining two streams'
 * preferences names the APTs that decided some key, and strictest-wins where one side's value
 * won (src/policy/precedence.ts combineRestrictive).
 *
 * Input: hand-built calls (helpers.ts), policy apt-agg {user, aggregated-only, retention 1h} and
 * apt-raw {user, raw, no retention, unknown key tier: "gold"}.
 *  (a) A's audio m-section names apt-raw (a=aipref:mid), the video m-section apt-agg; A's SR
 *      (SSRC 1111, audio) carries one report block about B's video SSRC 4444 (frame 4): the
 *      item is governed by both streams (SPEC §4).
 *  (b) A's audio names apt-agg; A's RTCP (frame 4) is SR + SDES PRIV "aipref" apt-raw, a
 *      binding-conflict (SPEC §2: both apply); frame 5 is another SR.
 * The same two statements on ONE stream (both a=aipref:mid lines in A's audio, PASSING.test.ts)
 * give {"decision":"aggregate","apt":["apt-agg"],"rule":"strictest-wins"}: apt-raw decides no
 * key (export: apt-agg is stricter; retention: only apt-agg states one; features: none stated).
 * Seen in a generated capture too: seed 7 (8 calls, 10 s) with samples/policy.json, frame 650
 * `"apt":["apt-dom-2","apt-priv-1"],"rule":"single-statement"` where apt-priv-1 (SDES tag) decides
 * export, retention and features and apt-dom-2 nothing.
 *
 * Was: (a) decision frame 4 {"decision":"aggregate","reason":"aggregated-only",
 *   "apt":["apt-raw","apt-agg"],"rule":"single-statement"}; its aggregate export line
 *   "apt":["apt-raw","apt-agg"],"extensions":{"apt-raw":{"tier":"gold"}}.
 *   (b) decisions frames 4 and 5 "apt":["apt-agg","apt-raw"],"rule":"single-statement"; the
 *   aggregate "apt":["apt-agg","apt-raw"],"extensions":{"apt-raw":{"tier":"gold"}}.
 * Correct: "apt":["apt-agg"], "rule":"strictest-wins", no `extensions` (apt-raw decided nothing),
 *   exactly as when both statements govern one stream. SPEC §4: an export carries "the APT
 *   identifiers that decided it", every decision explains "which rule decided"; SPEC §3: the
 *   combination is the most restrictive value of each key (strictest-wins), and unknown keys
 *   pass through for the APTs that decided (README: "those of the APTs that decided it"). Whether
 *   the second statement reached the item through the same stream, a reported-on stream or an
 *   SDES tag must not change the explanation of the same outcome.
 * Fix: src/policy/precedence.ts combineRestrictive: `apt` = the ids of the combined
 *   decidedBy.{export,features,retention}.apt (as resolvePreferences does), `extensions` only
 *   for those ids; pickOutcome: when the other side stated the key (its outcome rule is not
 *   'not-stated') with a less restrictive value, the rule is 'strictest-wins' (unless it was a
 *   floor/unresolved/integrity rule), not the winning side's 'single-statement'.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sdesPriv, sr } from '../calls-on-any-address.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { audio, video } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', tier: 'gold' },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
  },
});

describe('deciding APTs of an item governed by two preferences combined', () => {
  it('(a) sender stream apt-raw, reported-on stream apt-agg: only apt-agg decided', async () => {
    const r = await replay(
      ws,
      [
        ...callSetup({ offer: sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-raw']), video(4002, 3333, ['a=aipref:mid apt-agg'])]), answer: sdp(B, [audio(5000, 2222), video(5002, 4444)]) }),
        rtcp(A, B, 4001, 5001, [sr(1111, [{ ssrc: 4444 }])]),
      ],
      policy,
    );
    expect(r.decisions.map((d) => ({ frame: d.frame, decision: d.decision, reason: d.reason, apt: d.apt, rule: d.rule }))).toEqual([
      { frame: 4, decision: 'aggregate', reason: 'aggregated-only', apt: ['apt-agg'], rule: 'strictest-wins' },
    ]);
    const agg = r.exports.filter((x) => x.type === 'aggregate');
    expect(agg.map((x) => ({ apt: x.apt, extensions: (x as unknown as { extensions?: unknown }).extensions }))).toEqual([{ apt: ['apt-agg'], extensions: undefined }]);
  });

  it('(b) signaled apt-agg, SDES PRIV tag apt-raw (binding-conflict): only apt-agg decided', async () => {
    const r = await replay(
      ws,
      [
        ...callSetup({ offer: sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-agg'])]), answer: sdp(B, [audio(5000, 2222)]) }),
        rtcp(A, B, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-raw')]),
        rtcp(A, B, 4001, 5001, [sr(1111)]),
      ],
      policy,
    );
    expect(r.reports.map((x) => x.type)).toEqual(['binding-conflict']);
    expect(r.decisions.map((d) => `${d.frame} ${d.pt} ${d.decision} [${d.apt}] ${d.rule}`)).toEqual([
      '4 200 aggregate [apt-agg] strictest-wins',
      '4 202 aggregate [apt-agg] strictest-wins',
      '5 200 aggregate [apt-agg] strictest-wins',
    ]);
    const agg = r.exports.filter((x) => x.type === 'aggregate');
    expect(agg.map((x) => ({ apt: x.apt, extensions: (x as unknown as { extensions?: unknown }).extensions }))).toEqual([{ apt: ['apt-agg'], extensions: undefined }]);
  });
});
