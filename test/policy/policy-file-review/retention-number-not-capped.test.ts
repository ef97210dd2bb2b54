/**
 * Found by a review of the policy file (SPEC §9), fixed since (src/policy/policy-file.ts,
 * vocabulary.ts durationOfNumber).
 *
 * Input: samples/call-small.pcap replayed (workers 0) with samples/policy.json whose non-zero
 * retentions are all replaced by the JSON number 9007199254740991 — and, as the control, by
 * the string "9007199254740991s" (the same duration: a bare integer or `s` is seconds).
 * Also the policy-file/statement level: `"retention": 9007199254740991` vs `"9007199254740991"`.
 *
 * Was: the string is capped at a century (vocabulary.ts MAX_DURATION_SEC = 3153600000) and gives
 *   aggregate expiresAt 4920825601.245142 and 4920825601.151882; the number is taken as it is
 *   (retentionSec 9007199254740991) and gives expiresAt 9007201021966592 for both — the
 *   microseconds gone and two different deadlines collapsed into one (ts + retention is no
 *   longer exact in a double, the very thing MAX_DURATION_SEC's comment says the cap prevents).
 *
 * Correct: one duration, one reading: JSON (and YAML) numbers are seconds exactly as the bare
 *   integer string is (SPEC §3 retention: duration; §8 times carry microsecond precision, and
 *   expiresAt = capture time + retention). Both spellings must give retentionSec 3153600000 and
 *   the same export lines.
 *
 * Fix: src/policy/statement.ts buildStatement case 'retention' (number branch) and
 *   src/policy/policy-file.ts readDuration (number branch, used for `window` too): apply
 *   Math.min(value, MAX_DURATION_SEC) to numbers as parseDuration does to strings — best via one
 *   helper in vocabulary.ts (durationSeconds(value: unknown)) used by both.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { buildStatement } from '../../../src/policy/statement.js';
import { MAX_DURATION_SEC } from '../../../src/policy/vocabulary.js';
import { parseLines, replayLines, SMALL_PCAP, SMALL_POLICY } from '../../e2e/e2e-helpers.js';

const HUGE = 9007199254740991; // Number.MAX_SAFE_INTEGER: a valid integer retention

function retentionSecOf(retention: unknown): number | null {
  const policy = parsePolicy(JSON.stringify({ apts: { a: { export: 'raw', retention } } }), 'p.json');
  return buildStatement('a', [policy.statementPart('a')!]).statement.retentionSec;
}

describe('a retention given as a JSON number is read as the same duration written as a string', () => {
  it('statement level: 9007199254740991 and "9007199254740991" are both a century', () => {
    expect(MAX_DURATION_SEC).toBe(3153600000);
    expect(retentionSecOf(String(HUGE))).toBe(3153600000); // control
    expect(retentionSecOf(HUGE)).toBe(3153600000); // was 9007199254740991
  });

  it('replay: the exports are identical whichever spelling the policy file uses', async () => {
    const base = JSON.parse(readFileSync(SMALL_POLICY, 'utf8')) as { apts: Record<string, Record<string, unknown>> };
    const run = async (retention: unknown) => {
      const json = structuredClone(base);
      for (const apt of Object.values(json.apts)) if (apt.retention !== '0') apt.retention = retention;
      const out = await replayLines({ capture: SMALL_PCAP, policy: parsePolicy(JSON.stringify(json), 'p.json'), workers: 0 });
      return parseLines<{ type: string; expiresAt: number | null }>(out.exports);
    };
    const asString = await run(`${HUGE}s`);
    const asNumber = await run(HUGE);
    // control: the string spelling keeps microseconds
    expect(asString.slice(0, 2).map((e) => e.expiresAt)).toEqual([4920825601.245142, 4920825601.151882]);
    // was [9007201021966592, 9007201021966592]
    expect(asNumber.slice(0, 2).map((e) => e.expiresAt)).toEqual([4920825601.245142, 4920825601.151882]);
    expect(asNumber).toEqual(asString);
  }, 60_000);
});
