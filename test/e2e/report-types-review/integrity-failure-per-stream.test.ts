/**
 * Found by a review of the report types (SPEC §6), fixed since: an identifier failing integrity is reported again by each stream it governs, with its SSRC and mid (media-core preferenceOf).
 *
 * Report review (SPEC §3, §6 integrity-failure; README "Statements and precedence").
 *
 * Input: hand-built call (calls-on-any-address.ts callSetup): A's audio m-section (mid "a",
 * a=ssrc:1111) carries `a=aipref:mid apt-i integrity=jws token=abc.def.ghi export=raw` (a JWS
 * that does not parse); frames 4 and 5 are A's SRs (SSRC 1111). Same call with
 * `a=aipref:mid apt-unk` (nothing states apt-unk) for comparison. Workers 0 and 2 identical.
 *
 * Was: apt-unk: {"type":"unresolved-apt","frame":1,…,"toTag":""} under the INVITE AND, at the
 *   stream's first item, {"type":"unresolved-apt","ts":1767225600.4,"frame":4,"dialog":{…,
 *   "toTag":"ttag"},"mid":"a","ssrc":1111,"apt":["apt-unk"],"detail":"no statement for the
 *   identifier: counted as most restrictive"}.
 *   apt-i: only {"type":"integrity-failure","ts":1767225600.1,"frame":1,…,"toTag":""},"apt":
 *   ["apt-i"],"detail":"integrity-failure; malformed: JWS Protected Header is invalid"}; nothing
 *   names SSRC 1111, though its items (frames 4, 5) drop with rule "integrity-failure", apt
 *   ["apt-i"]. Same when apt-i comes as an AI-Pref header value (scope=session or dialog).
 * Correct: README: an identifier that nothing resolves, or whose signature fails, is "reported
 *   `unresolved-apt` — or `integrity-failure` — once per call: under the INVITE that named it
 *   […]; again by each stream it governs, with its SSRC". So a second integrity-failure at
 *   frame 4: {ts 1767225600.4, frame 4, dialog {rb-call@10.0.0.1, ftag, ttag}, mid "a",
 *   ssrc 1111, apt ["apt-i"]} — as unresolved-apt does.
 * Fix: src/pipeline/media-core.ts preferenceOf: besides pref.unresolved, report the stream's
 *   integrity-failed identifiers once per stream (a `pref.integrityFailed` list from
 *   src/enforce/stream-preferences.ts, which already knows the rule "integrity-failure"), with
 *   its own notYetReported key (e.g. 'i').
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import { audio } from '../explanations-review/helpers.js';
import { answer, countsOf, dialog, policy } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const run = (line: string) => replay(ws, [...callSetup({ offer: sdp(A, [audio(4000, 1111, [line])]), answer }), rtcp(A, B, 4001, 5001, [sr(1111)]), rtcp(A, B, 4001, 5001, [sr(1111)])], policy);
const stripDetail = ({ detail: _d, ...r }: { detail?: string }) => r;

describe('integrity-failure names each stream it governs, as unresolved-apt does', () => {
  it('comparison: unresolved-apt is said again by the stream, with its SSRC (passes)', async () => {
    const r = await run('a=aipref:mid apt-unk');
    expect(r.reports.filter((x) => x.ssrc !== undefined)).toEqual([
      { type: 'unresolved-apt', ts: 1767225600.4, frame: 4, dialog, mid: 'a', ssrc: 1111, apt: ['apt-unk'], detail: 'no statement for the identifier: counted as most restrictive' },
    ]);
  });

  it('integrity-failure: a stream-level report at frame 4 for SSRC 1111', async () => {
    const r = await run('a=aipref:mid apt-i integrity=jws token=abc.def.ghi export=raw');
    expect(r.decisions.map((d) => [d.frame, d.decision, d.apt, (d as { rule?: string }).rule])).toEqual([
      [4, 'drop', ['apt-i'], 'integrity-failure'],
      [5, 'drop', ['apt-i'], 'integrity-failure'],
    ]);
    const integrity = r.reports.filter((x) => x.type === 'integrity-failure');
    expect(integrity.map(stripDetail)).toEqual([
      { type: 'integrity-failure', ts: 1767225600.1, frame: 1, dialog: { ...dialog, toTag: '' }, apt: ['apt-i'] },
      { type: 'integrity-failure', ts: 1767225600.4, frame: 4, dialog, mid: 'a', ssrc: 1111, apt: ['apt-i'] },
    ]);
    expect(r.summary.reports).toEqual(countsOf(r.reports));
  });
});
