/**
 * Input: the engine in-process as `live --hep` feeds it (../round28-source-clocks-review/sc-helpers
 *   runLive: SourcePacketBatcher with SourcePacket.origin `host#agentId`, ReplayOptions.clock the
 *   service's time), workers 0, policy `{apts: {u: {type: user, export: raw, retention: 24h}},
 *   default: null}`. Agent B (127.0.0.1#2, clock 5 h behind) carries call-b: INVITE `AI-Pref: u`, 200,
 *   ACK, 2 SRs (T+1, T+1.5, one batch each). At T+2 a burst of HEP from `flood` other agents (10.200.x.y,
 *   no capture id, right clock: a HEP relay's many capture ids, pods renumbered, a scan) each with one
 *   OPTIONS, in one batch. At T+2.5 agent A (127.0.0.1#1, right clock) sends an OPTIONS and its 200.
 *   Then call-b's RTCP goes on from B (6 more SRs, T+5 … T+7.5).
 * Was: with flood = 1500 (past the batcher's 1024, short of SourceClocks' 2048) all 8 SRs are
 *   exported: B is renumbered but its old number's clock is kept. With flood = 2100, SourceClocks
 *   forgets B's clock (MAX_SOURCE_CLOCKS, least recently heard, with no regard to the dialogs its
 *   source still holds); at A's 200, DialogTracker.expireIdle judges B's group by the fallback, the
 *   capture clock (T), against call-b's lastSeen on B's stamps (T−5 h), and its media age on the
 *   same fallback (mediaSource = B's old number): call-b is ended `state-limit` idle-timeout 2.5 s
 *   after its last SR, and its last 6 SRs are `drop`ped — the fault 62b20ac closed, back, for any
 *   agent whose last record happened to precede a burst of 2048 others.
 * Correct: README (Limits, live): "two HEP agents whose clocks are more than 4 h apart (one in a
 *   wrong time zone) do not end each other's calls: each agent … has a capture clock of its own";
 *   the capture clock fallback is safe only for an agent near it. SPEC §4/§5: call-b's telemetry is
 *   decided by `u` until BYE. Expected: no state-limit, 8 SRs exported under `u`, as with 1500.
 * Fix: src/pipeline/capture-clock.ts SourceClocks.begin: do not forget the clock of a source that
 *   still holds dialogs or is the last media source of one (ask the tracker: bySource has the
 *   group; those are bounded by maxDialogs) — forget only clocks of sources with nothing left; or,
 *   when forgetting one, re-date its group's lastSeen (and its media's) onto the capture clock.
 */
import { expect, it } from 'vitest';
import { H, runLive, decided, idleEnds, call, sip, type Rec, type TimedPkt } from '../round28-source-clocks-review/sc-helpers.js';

const T = 1_800_000_000;

function batches(flood: number): Rec[][] {
  const out: Rec[][] = [];
  const b = call('call-b', T, { aiPref: 'u', n: 4, port: 5000, ssrcA: 0x3000 });
  const byB = (p: TimedPkt, real: number): Rec => ({ wall: real, p: { ...p, ts: real - 5 * H }, agent: '127.0.0.1#2' });
  for (const p of [...b.sip, ...b.media.slice(0, 2)]) out.push([byB(p, p.ts)]);
  const burst: Rec[] = [];
  for (let i = 0; i < flood; i++) {
    const ts = T + 2 + i * 0.0001;
    burst.push({ wall: ts, p: { ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip('OPTIONS sip:x@10.9.0.2 SIP/2.0', `f${i}`, '1 OPTIONS') }, agent: `10.200.${i >> 8}.${i & 255}#` });
  }
  out.push(burst);
  const opt = (ts: number, start: string): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip(start, 'opt-a', '1 OPTIONS') });
  out.push([{ wall: T + 2.5, p: opt(T + 2.5, 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), agent: '127.0.0.1#1' }]);
  out.push([{ wall: T + 2.51, p: opt(T + 2.51, 'SIP/2.0 200 OK'), agent: '127.0.0.1#1' }]);
  for (const p of b.media.slice(2)) out.push([byB(p, p.ts + 3)]);
  return out;
}

it('a burst of 2048 agents does not take the clock of an agent still carrying a call', async () => {
  const control = await runLive(batches(1500));
  expect(idleEnds(control)).toEqual([]);
  expect(decided(control).map((d) => d.slice(1))).toEqual(Array(8).fill(['export', ['u']]));
  const got = await runLive(batches(2100));
  expect(idleEnds(got)).toEqual([]);
  expect(decided(got).map((d) => d.slice(1))).toEqual(Array(8).fill(['export', ['u']]));
}, 60_000);
