/**
 * Input: the engine in-process as `live --hep` feeds it (sc-helpers runLive: one record per batch,
 *   SourcePacketBatcher with SourcePacket.origin `host#agentId` as the HEP listener sets it,
 *   ReplayOptions.clock the service's time), policy `{apts: {u: {type: user, export: raw, retention:
 *   24h}}, default: null}`. First, over 10 s three hours earlier, 1024 capture agents long gone
 *   (10.200.x.y, no capture id: agents whose addresses changed over the service's life — pods,
 *   DHCP — or a burst of HEP from many addresses) each send one OPTIONS; none of them holds a dialog
 *   and none is heard again. Then the scenario of round25-idle-final-review/agent-behind-service-
 *   ends-running-calls: agent B (127.0.0.1#2, clock 5 h behind) carries call-b (INVITE `AI-Pref: u`,
 *   200, ACK, 2 SRs), agent A (127.0.0.1#1, clock right) sends an OPTIONS and its 200, call-b's RTCP
 *   goes on from B (6 more SRs).
 * Was: SourcePacketBatcher.origins never forgets an origin: past MAX_ORIGINS (1024) every new agent
 *   for the rest of the service's life gets source 0, one clock shared. A and B both get it; A's pair
 *   confirms it at A's time and call-b is ended `state-limit` idle-timeout, its last 6 SRs `drop`ped
 *   (the known limit the commit closed, back). Without the 1024 earlier agents all 8 are exported.
 * Correct: README (Limits, live): "two HEP agents whose clocks are more than 4 h apart … do not end
 *   each other's calls: each agent … has a capture clock of its own" — no bound on how many agents
 *   the service heard from before. SPEC §4/§5: call-b's telemetry is decided by `u` until BYE.
 *   Expected: no state-limit, 8 SRs exported under `u`.
 * Fix: src/sources/source-batch.ts sourceOf (+ capture-clock.ts SourceClocks, dialogs.ts
 *   lastMessageTs/bySource): forget an origin silent for longer than the idle bound that holds no
 *   dialog (or the least recently heard one when the table is full), freeing its number and its
 *   clock, so that the cap bounds agents heard at once, not ever.
 */
import { expect, it } from 'vitest';
import { H, runLive, oneByOne, decided, idleEnds, call, sip, type Rec, type TimedPkt } from './sc-helpers.js';

const T = 1_800_000_000;

function recs(gone: number): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < gone; i++) {
    const ts = T - 3 * H + i * 0.01;
    const p: TimedPkt = { ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip('OPTIONS sip:x@10.9.0.2 SIP/2.0', `f${i}`, '1 OPTIONS') };
    out.push({ wall: ts, p, agent: `10.200.${i >> 8}.${i & 255}#` });
  }
  const b = call('call-b', T, { aiPref: 'u', n: 4, port: 5000, ssrcA: 0x3000 });
  const opt = (ts: number, start: string): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip(start, 'opt-a', '1 OPTIONS') });
  const byB = (p: TimedPkt, real: number): Rec => ({ wall: real, p: { ...p, ts: real - 5 * H }, agent: '127.0.0.1#2' });
  out.push(...[...b.sip, ...b.media.slice(0, 2)].map((p) => byB(p, p.ts)));
  out.push({ wall: T + 3, p: opt(T + 3, 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), agent: '127.0.0.1#1' });
  out.push({ wall: T + 3.01, p: opt(T + 3.01, 'SIP/2.0 200 OK'), agent: '127.0.0.1#1' });
  out.push(...b.media.slice(2).map((p) => byB(p, p.ts + 3)));
  return out;
}

it('1024 agents heard once hours ago do not take per-agent clocks from every agent after them', async () => {
  const control = await runLive(oneByOne(recs(0)));
  expect(idleEnds(control)).toEqual([]);
  expect(decided(control).map((d) => d.slice(1))).toEqual(Array(8).fill(['export', ['u']]));
  const got = await runLive(oneByOne(recs(1024)));
  expect(idleEnds(got)).toEqual([]);
  expect(decided(got).map((d) => d.slice(1))).toEqual(Array(8).fill(['export', ['u']]));
}, 60_000);
