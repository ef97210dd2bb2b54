/**
 * Found by a final review of the live idle rule (38c333f), fixed since: the rule (dialogs idle out by the earlier of the capture clock and the service's time) was withdrawn; dialogs idle out by the capture clock alone, live as offline (src/signaling/dialogs.ts expireIdle).
 * Input: live, one HEP agent whose clock is 6 h ahead of the service's — or, what the service
 *   cannot tell from it, the service host's clock 6 h behind its agents (its RTC/NTP wrong; HEP up
 *   to 24 h ahead is accepted). (a) The engine in-process as `live` drives it (one record per batch,
 *   ReplayOptions.clock = the service's time = the records' stamps − 6 h): call-c (INVITE `AI-Pref:
 *   u` / 200 / ACK at T, SRs at T+1, T+1.5, then silent: its BYE lost), and an OPTIONS pair every
 *   30 min for 14 h. (b) DialogTracker driven as the engine drives it (lir-helpers LiveTracker):
 *   2000 calls (INVITE/200/ACK, 0.5 s apart, no BYE), serviceNow = the stamps − 6 h; then one more
 *   SIP message; the sweep's steps over the dialog Map counted.
 * Was: (observed) (a) call-c idles out at T+10.5 h (frame 46), not at T+4.5 h as with the clocks
 *   agreeing or offline (frame 22/23): expireIdle judges `now = min(capture clock, serviceNow)` —
 *   the service's clock — against lastSeen, which is the agent's stamp, so every dialog idles out
 *   the clock difference late (up to 28 h after its last message at 24 h; NTP skew of seconds or
 *   minutes: that much late). Nothing says so: README says "a capture clock ahead of the service's
 *   own is an agent's clock set wrong: dialogs idle out by the earlier of the two". (b) every dialog
 *   is dated ahead of that `now`, so each SIP message's sweep takes the `lastSeen > now: continue`
 *   branch for all of them: 4000 steps for one message (1 with the clocks agreeing). Measured: 20 000
 *   such calls (40 000 entries) took 20 s of the main thread instead of 2 s (1.2·10^9 steps) —
 *   quadratic in the table, which also holds 6 h more of BYE-lost calls (toward the 50 000
 *   max-dialogs bound, evictions then reported as a full table, not as idle calls).
 * Correct: README "Limits": a dialog idles out after 4 h idle (no SIP, no media); "idle out by the
 *   earlier of the two" read as the service's time means 4 h of service time after its last
 *   message, i.e. by T+4.5 h here whichever clock is wrong. The idle sweep's comment: the map is in
 *   refresh order and the walk ends at the first dialog not idle; a dialog "dated ahead of the
 *   clock" was meant to be the rare lone record's, not the whole table.
 * Fix: src/signaling/dialogs.ts expireIdle: never compare a record's own stamp with the service's
 *   clock. Judge idleness by elapsed time on one clock: e.g. date dialogs (refresh/insert, and the
 *   media refresh) on the clock they are judged by — per source, see
 *   agent-behind-service-ends-running-calls.test.ts — or keep a per-dialog service time of its last
 *   activity and take service-time elapsed since it. Or, if accepted, README must say that live the
 *   service host's clock must not be behind its agents' (and by how much dialogs then idle late).
 */
import { expect, it } from 'vitest';
import { call, sip, type TimedPkt } from '../clock-sources-review/cs-helpers.js';
import { H, LiveTracker } from '../round25-live-idle-review/lir-helpers.js';
import { idleEnds, runEngine } from './ifr-helpers.js';

const T = 1_800_000_000;
const AHEAD = 6 * H;

it('a call whose BYE was lost idles out 4–4.5 h after its last packet, not 6 h later (records 6 h ahead of the service)', async () => {
  const c = call('call-c', T, { aiPref: 'u', n: 1 });
  const opt = (ts: number, k: number, start: string): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip(start, `opt-${k}`, `${k} OPTIONS`) });
  const pkts: TimedPkt[] = [...c.sip, ...c.media];
  for (let k = 1; k <= 28; k++) pkts.push(opt(T + k * 1800, k, 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), opt(T + k * 1800 + 0.01, k, 'SIP/2.0 200 OK'));
  // (control: the clocks agreeing, the same records idle it out at T+4.5 h)
  const agreeing = await runEngine(pkts, (i) => pkts[i]!.ts + 0.001);
  expect(idleEnds(agreeing).map((r) => ((r.ts as number) - T) / H)).toEqual([4.5]);
  const got = await runEngine(pkts, (i) => pkts[i]!.ts - AHEAD + 0.001);
  const ends = idleEnds(got);
  expect(ends.map((r) => (r.dialog as { callId: string }).callId)).toEqual(['call-c']);
  expect(((ends[0]!.ts as number) - T) / H).toBeLessThanOrEqual(4.5); // observed: 10.5
});

/** Counts the steps of every walk over the tracker's dialog Map. */
function countWalks(t: LiveTracker): { n: number } {
  const m = (t.tracker as unknown as { dialogs: Map<string, unknown> }).dialogs;
  const values = m.values.bind(m);
  const box = { n: 0 };
  m.values = () => {
    const it = values();
    return {
      [Symbol.iterator]() {
        return this;
      },
      next() {
        box.n++;
        return it.next();
      },
    } as never;
  };
  return box;
}

it("the idle sweep of one SIP message does not walk every dialog (the table's stamps ahead of the service's clock)", () => {
  const t = new LiveTracker();
  for (let i = 0; i < 2000; i++) t.call(`c${i}`, T + i * 0.5, T + i * 0.5 - AHEAD);
  expect(t.tracker.size).toBe(4000); // each call's dialog and its INVITE's entry
  const box = countWalks(t);
  const ts = T + 1000;
  t.send('OPTIONS sip:x@b.example SIP/2.0', { callId: 'opt-x', cseq: '1 OPTIONS' }, ts, ts, ts - AHEAD);
  expect(box.n).toBeLessThanOrEqual(10); // observed: 4001 (the clocks agreeing: 1)
});
