/**
 * Found by a review of the policy file (SPEC §9), fixed since (src/policy/policy-file.ts,
 * vocabulary.ts durationOfNumber).
 *
 * Input: a policy file `{"window": 9007199254740991}` (a JSON number: seconds), and as the
 * control `{"window": "9007199254740991"}` (the same duration as a string).
 *
 * Was: windowSec 9007199254740991 for the number, 3153600000 for the string (parseDuration caps
 *   strings at MAX_DURATION_SEC, readDuration's number branch does not); a window opened at
 *   ts 1767225601.245142 would end at 9007200021966592 — not representable to the microsecond.
 *
 * Correct: the same duration, the same window (SPEC §9 `window`: a duration, §3's durations;
 *   §8 microsecond precision of times): 3153600000 for both.
 *
 * Fix: src/policy/policy-file.ts readDuration: cap numbers with Math.min(value, MAX_DURATION_SEC)
 *   as vocabulary.ts parseDuration does for strings (same helper as the retention fix).
 */
import { expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/policy-file.js';

it('a window given as a JSON number is read as the same duration written as a string', () => {
  expect(parsePolicy('{"window": "9007199254740991"}', 'p.json').windowSec).toBe(3153600000); // control
  expect(parsePolicy('{"window": 9007199254740991}', 'p.json').windowSec).toBe(3153600000); // was 9007199254740991
});
