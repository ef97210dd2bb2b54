/**
 * Found by a review of the APT vocabulary (SPEC §3), fixed since: a duration of digits and a unit past 2^53 seconds is a century, as any past a century is (src/policy/vocabulary.ts parseDuration).
 */
/**
 * Input: the two-party call of harness.ts, one RTCP compound from A with an item of every
 * feature class; the offer's and answer's `a=aipref:session apt-x export=raw retention=<d>` (and
 * the same as `AI-Pref: apt-x;scope=dialog;export=raw;retention=<d>`), with d one of
 * `9007199254740992s` (2^53 s) or `104249991375d` (the control, 2^53 − 1 s, is in PASSING.test.ts).
 *
 * Was: 2^53 − 1 s is read as a century (checked in PASSING.test.ts) (3 153 600 000 s: every item exported raw, expiresAt =
 * ts + a century), but 2^53 s, or 104 249 991 375 days, written in the very same grammar, is
 * reported `inconsistent-signaling` "unknown-value (retention) … is not in the vocabulary; read
 * as 0" and every item is DROPPED (`retention-zero`). A longer retention turns out stricter than
 * a shorter one: the ordering "shortest is most restrictive" (SPEC §3) is broken at 2^53. The
 * policy file refuses the same value at start ("unparsable duration") while it takes `36501d`.
 *
 * Correct: SPEC §3: `retention` is a duration (`0`, `90s`, `15m`, `24h`, `7d`: digits and a
 * unit); these values are well-formed durations. The project's stated reading
 * (src/policy/vocabulary.ts MAX_DURATION_SEC: "Durations longer than a century are read as
 * one"; README "a century at most") makes every duration past a century a century: so these must
 * decide exactly as `36501d` does (raw export, expiresAt − ts = 3 153 600 000).
 * Minor (absurd values, and the error is on the restrictive side), but it is a wrong decision
 * and a non-monotonic reading of the vocabulary.
 *
 * Fix: src/policy/vocabulary.ts parseDuration: cap before the safe-integer check — e.g. if
 * amount > MAX_DURATION_SEC / unitSeconds (or the digit run is longer than 15 digits) return
 * MAX_DURATION_SEC; only digits/units outside the grammar are null. (durationOfNumber: a JSON
 * number above 2^53 that is an integer could be capped the same way.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { judge } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const CENTURY = 100 * 365 * 86_400;

describe('a duration past 2^53 seconds is a century, as one past a century is', () => {
  for (const carrier of ['sdp', 'header'] as const) {
    for (const d of ['9007199254740992s', '104249991375d']) {
      it(`${carrier}: retention=${d}`, async () => {
        const r = await judge(ws, `${carrier}-${d}`, carrier, 'apt-x', [['export', 'raw'], ['retention', d]]);
        expect(r.lines).toEqual(['media-metrics', 'sdes', 'app', 'feedback', 'feedback', 'rtcp-xr'].map((f) => `${f} export raw-allowed`));
        expect(r.exports.map((e) => e.expiresAt! - e.ts)).toEqual(Array(6).fill(CENTURY));
        expect(r.reports.filter((x) => x.type !== 'implicit-binding')).toEqual([]);
      });
    }
  }
});
