/**
 * Found by a review of state that outlives calls, fixed since: sessions of media no dialog
 * routes go after 300 s of capture time without a packet (MediaCore.sweepUnbound, at signaling
 * events every 60 s of capture time).
 *
 * Input: 4000 short calls one after another (calls.ts, ending
 * 'bye-late-media'): INVITE/100/180/200/ACK, one RTP packet and one SR each way, then the BYE,
 * and after it what is still on its way when a call is hung up — one RTP packet from the callee
 * and each side's RTCP BYE (RFC 3550 §6.3.7: a participant leaving the session sends BYE, which
 * it does as the SIP BYE goes) — then the 200 to the BYE. Each call on its own addresses, ~1.2 s
 * of capture time. Replayed in-process (workers 0) as one live-like source, the shard's stream
 * table read after 1000 and after 4000 calls.
 *
 * Was: every call leaves one RTP session and two streams behind: the trailing packets no longer
 * match the ended dialog's transports (removed at its end; test/e2e/unrouted's late-media case
 * checks they are judged unbound), so the two RTCP compounds make an unbound session
 * (MediaCore.sessionOf → StreamTable.session(unboundSessionKey)) with a stream each (the lone
 * RTP packet waits in the bounded probation map), and nothing ever lets them go — table
 * sessions 1000 → 4000, streams 2000 → 8000 ("expected 8000 to be less than or equal to 2000").
 * Measured with a full collection: the heap grows ~1.1 KB per such call (28.0 → 50.1 MB over
 * 20 000 calls; the same calls without trailing packets stay at 25 MB throughout), and only the
 * 200 000-stream table limit stops it: ~110 MB per shard, on every shard (live runs one per
 * core by default).
 * Correct: a live service holds the calls still running — README "Limits": "What was kept for a
 * dialog goes when it ends … a live service holds the calls still running"; SPEC §5 "BYE ends
 * the dialog and its bindings". What an ended call's last packets make must go too (within a
 * bounded time), so after 4000 calls the table holds no more than after 1000.
 * Fix: src/pipeline/media-core.ts / src/binding/stream-table.ts: let sessions no dialog owns idle
 * out (e.g. at endBatch, drop unbound sessions whose streams were last seen more than a minute of
 * capture time ago, closing their windows first), or keep an ended dialog's transport claims for
 * a short grace period (its trailing packets then belong to the ended dialog and are dropped
 * without making a session).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { policy, rounds } from './calls.js';
import { installProbes, replayFiles } from './probe.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe("an ended call's last packets", () => {
  it('leave no session behind for good', async () => {
    installProbes();
    const files = await rounds(ws, ['bye-late-media'], 1000, 4);
    const { after, result } = await replayFiles(files, policy());
    expect(result.summary.dialogs).toBe(4000);
    const streams = after.map((a) => a['table.streamCount']!);
    const sessions = after.map((a) => a['table.sessions']!);
    // the calls take 0.825 s of capture time each: what the last 300 s + one sweep interval
    // (60 s) left, 436 calls' two streams at most, whether 1000 or 4000 calls went by
    for (const n of streams) expect(n).toBeLessThanOrEqual(2 * 436);
    for (const n of sessions) expect(n).toBeLessThanOrEqual(436);
  }, 60_000);
});
