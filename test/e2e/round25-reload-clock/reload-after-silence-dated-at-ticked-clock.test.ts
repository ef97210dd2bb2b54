/**
 * Found in stop 38's notes (a reload after a long silence is dated at the last record's clock), fixed since: a reload takes effect at the capture clock as the idle ticks last moved it on, not as the last record left it (src/pipeline/replay-engine.ts clockNow, set by beginBatch and by endBatch's idle ticks).
 * Input: `live --hep … --policy p.json --explain` (a real process), p.json `{"apts": {}}`. Over
 *   HEP, at the service's time T: a call whose SDP says `a=aipref:session apt-x export=raw
 *   retention=7d` (INVITE/200/ACK, then SRs at T+1 … T+2.5). Then 6 s of silence, then p.json
 *   rewritten to `{"apts": {"apt-x": {"type": "domain", "export": "none"}}}` and SIGHUP, then one
 *   more SR of the call.
 * Was: the reload's `inconsistent-signaling` report has ts T+2.5, the last record's clock, while
 *   the idle ticks had moved the capture clock — what windows close by, what the next record is
 *   held against — on by the 6 s of service time since (CaptureClock.tick).
 * Correct: SPEC §8 "Times are capture times"; the capture clock live is the records' clock moved on
 *   by the service's time elapsed since they came (README, capture time): the reload happens at
 *   T+2.5+6 s or later of that clock, and its report and the scope change it makes are dated there.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, ensureBuilt, reloadMidFeed, tempDir } from '../../live/reload-review/rr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('r25-reload-'));
});
afterAll(async () => cleanup?.());

it('a reload after a silence is dated at the capture clock the idle ticks moved on', async () => {
  const T = Math.floor(Date.now() / 1000) + 0.25;
  const c = call('call-r25', T, { sdpExtra: ['a=aipref:session apt-x export=raw retention=7d'], n: 3 });
  const got = await reloadMidFeed(dir, {
    first: [...c.sip, ...c.media.slice(0, 4)],
    last: [c.media[4]!],
    before: { apts: {} },
    after: { apts: { 'apt-x': { type: 'domain', export: 'none' } } },
    decided: 4,
    pauseMs: 6000,
  });
  const told = got.reports.filter((r) => r.type === 'inconsistent-signaling' && (r.dialog as { callId: string }).callId === 'call-r25');
  expect(told).toHaveLength(1);
  // the last record's clock is T+2.5 (the SR before the silence); the ticks moved it on by ≥ 6 s
  const at = (told[0]!.ts as number) - T;
  expect(at).toBeGreaterThanOrEqual(2.5 + 5);
  expect(at).toBeLessThan(60);
}, 40_000);
