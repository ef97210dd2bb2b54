/**
 * Found by a review of bd13355 (token expiry by the capture clock), fixed since: a reload takes effect at the capture clock after the last record read, the record's own time only before any (src/pipeline/replay-engine.ts withPolicyUpdates, beginBatch).
 * Input: `live --hep … --policy p.json --explain` (a real process), p.json `{"apts": {}}`. Over
 *   HEP, at the service's time T: a call whose SDP says `a=aipref:session apt-x export=raw
 *   retention=7d` (INVITE/200/ACK, then 4 SRs at T+1 … T+2.5), then one SR of an unrelated pair
 *   (10.9.9.9:7001 → 10.9.9.8:7002) stamped T+3 h — a lone outlier, as a HEP agent's wrong clock
 *   gives one (README: a clock a few hours off is followed only once confirmed). Then p.json
 *   rewritten to `{"apts": {"apt-x": {"type": "domain", "export": "none"}}}` and SIGHUP
 *   (`reload` logged), then one more SR of the call at T+3.
 * Was (observed): the reload's `inconsistent-signaling` report for the call has ts T+10800 (the
 *   outlier's own stamp: SignalingFront.updatePolicy is given feed.stats.lastTs, the last
 *   record's own time), while the capture clock — what windows close by and, since bd13355, what
 *   a token's exp is judged by — stood at T+2.5.
 * Correct: the report's ts is the capture clock where the reload takes effect (T+2.5, or a few
 *   seconds on if idle ticks moved it; not the time a lone record stamped hours ahead claims): SPEC §8 "Times are capture times";
 *   README: one record stamped hours ahead, unconfirmed by the next, does not move the capture
 *   clock. A reload that changes a running call's repository entry puts the same ts on its
 *   `scope-transitioned` report and on the scope event its windows close by.
 * Fix: src/pipeline/replay-engine.ts withPolicyUpdates: pass the capture clock after the last
 *   record read (the CaptureClock's value / the last batch's last clock) instead of
 *   feed.stats.lastTs to front.updatePolicy.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, ensureBuilt, reloadMidFeed, sr, tempDir, type TimedPkt } from '../../live/reload-review/rr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('r24-reload-'));
});
afterAll(async () => cleanup?.());

it('the reload report carries the capture clock, not a lone outlier record\'s stamp', async () => {
  const T = Math.floor(Date.now() / 1000) + 0.25;
  const c = call('call-r24', T, { sdpExtra: ['a=aipref:session apt-x export=raw retention=7d'], n: 3 });
  const outlier: TimedPkt = { ts: T + 3 * 3600, src: '10.9.9.9', dst: '10.9.9.8', sport: 7001, dport: 7002, payload: sr(0x9999, 1) };
  const got = await reloadMidFeed(dir, {
    first: [...c.sip, ...c.media.slice(0, 4), outlier],
    last: [c.media[4]!],
    before: { apts: {} },
    after: { apts: { 'apt-x': { type: 'domain', export: 'none' } } },
    decided: 5,
  });
  const told = got.reports.filter((r) => r.type === 'inconsistent-signaling' && (r.dialog as { callId: string }).callId === 'call-r24');
  expect(told).toHaveLength(1);
  // the capture clock at the reload: the call's last SR before it (T+2.5; idle ticks may have
  // moved it on by the few seconds the test takes), far from the outlier's T+3 h
  const at = (told[0]!.ts as number) - T;
  expect(at).toBeGreaterThanOrEqual(2.5);
  expect(at).toBeLessThan(60);
}, 40_000);
