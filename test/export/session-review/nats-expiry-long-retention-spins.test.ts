/**
 * Found by a review of the session's changes, fixed since: a due past Node's longest timer wakes early and re-arms (src/export/nats-expiry.ts MAX_TIMER_MS).
 *
 * Input: StreamExpiry (src/export/nats-expiry.ts) with a stream max_age of 30 days
 * (`live --nats-max-age 30d`) and one stored line whose expiresAt is 25 days on (a policy
 * retention of 25d): note(1, now + 25 d). A fake JetStreamManager, a fixed clock.
 * Was: schedule() asks setTimeout for 2 160 000 000 ms, past Node's 2^31-1 ms limit: Node warns
 * "TimeoutOverflowWarning: 2160000000 does not fit into a 32-bit signed integer. Timeout
 * duration was set to 1." and fires after 1 ms; sweep() finds nothing due, schedule() sets the
 * same overflowing timer again: a busy loop for the next 25 days (here {sweepsReads: 460,
 * overflowWarnings: 231} in 300 ms: about one sweep and one warning per 1.3 ms).
 * Correct: nothing is due for 25 days, so nothing runs: at most one timer armed, no sweep in
 * 300 ms (SPEC §3 retentions like 7d/24h/…; nothing bounds a retention below 24.8 days, and the
 * NATS max_age is any --nats-max-age).
 * Fix: nats-expiry.ts schedule(): cap the delay at 2^31-1 ms (e.g. Math.min(delay, 2_147_483_647);
 * the early wake-up then finds nothing due and re-arms once per ~24.8 days).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JetStreamManager } from 'nats';
import { StreamExpiry } from '../../../src/export/nats-expiry.js';

const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.name);
afterEach(() => {
  process.off('warning', onWarning);
});

describe('NATS expiry: a retention past 24.8 days', () => {
  it('arms one timer and does not sweep 25 days early', async () => {
    process.on('warning', onWarning);
    const now = 1_700_000_000;
    let clockReads = 0;
    const deletes: number[] = [];
    const jsm = { streams: { deleteMessage: async (_s: string, seq: number) => { deletes.push(seq); return true; } } } as unknown as JetStreamManager;
    const expiry = new StreamExpiry(jsm, 'AIPREF', 30 * 86400, () => { clockReads++; return now; }, () => {});
    expiry.note(1, now + 25 * 86400);
    const afterNote = clockReads;
    await new Promise((r) => setTimeout(r, 300));
    const sweepsReads = clockReads - afterNote;
    await expiry.close();
    expect(deletes).toEqual([]);
    // a correct timer does not fire in 300 ms: no clock read after note(), no warning
    expect({ sweepsReads, overflowWarnings: warnings.filter((w) => w === 'TimeoutOverflowWarning').length }).toEqual({ sweepsReads: 0, overflowWarnings: 0 });
  });
});
