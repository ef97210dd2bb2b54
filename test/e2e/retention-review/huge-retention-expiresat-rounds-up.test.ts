/**
 * Found by a review of retention end to end, fixed since (durations are read up to a century;
 * the live idle tick is 100 ms, a window due at half a 1 s retention closes in time).
 *
 * Input: the two-party hand-built call (test/e2e/two-party-rtcp.ts), A's SDP says
 * `a=aipref:session apt-x type=user export=raw retention=99999999999d` (a valid duration by
 * SPEC §3's grammar: digits and a unit; 8 639 999 999 913 600 s is a safe integer, so
 * vocabulary.ts parseDuration accepts it), and one SR of A captured at T0 + 1.000001.
 *
 * Was: the raw export's `"expiresAt":8640001767139202`, while capture time + retention is
 * 8640001767139201.000001: expiresAt lies ~1 s AFTER the item's retention ends (the double
 * sum rounds up; microseconds() cannot restore what the addition lost).
 *
 * Correct: SPEC §4 expiresAt = capture time + retention, and nothing kept past retention
 * (SPEC §3 "shortest"/never relax): where the exact value cannot be written, expiresAt must be
 * rounded down (never later than capture time + retention), or such retentions clamped to a
 * documented maximum. Minor (absurd retention), but the only way expiresAt can exceed the limit.
 *
 * Fix: src/enforce/records.ts expiry() (and buildAggregateExport's deadline, windows.ts
 * deadline): compute in integer microseconds (BigInt or split whole/fraction) and, if the
 * resulting double is above the exact sum, take the next lower double; or have
 * parseDuration (src/policy/vocabulary.ts) refuse / clamp durations past e.g. 100 years.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { replayTwoParty, srFrom, T0 } from '../two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a huge retention: expiresAt never later than capture time + retention', () => {
  it('retention=99999999999d', async () => {
    const run = await replayTwoParty(ws, 'huge-retention', {
      aLines: ['a=aipref:session apt-x type=user export=raw retention=99999999999d'],
      rtcp: [{ ts: 1.000001, fromA: true, packets: [srFrom(1111, T0 + 1)] }],
      policy: { apts: {} },
    });
    const line = run.exports.find((e) => e.type === 'telemetry')!;
    expect(line.ts).toBe(1767225601.000001);
    // exact arithmetic in microseconds
    const limitUs = 1767225601000001n + 99999999999n * 86400n * 1_000_000n;
    const gotUs = BigInt(Math.round(line.expiresAt!)) * 1_000_000n; // at this size the double has no fraction
    expect(gotUs <= limitUs, `expiresAt ${line.expiresAt} vs limit ${limitUs}µs`).toBe(true);
  });
});
