/**
 * Found by a final review of the live idle rule and left as a known limit (….limit.ts) until
 * round 28, the mirror of test/live/clock-sources-review/hep-agent-hours-ahead-ends-running-calls
 * .test.ts: here the agent carrying the call is the one behind. Fixed by per-source clocks
 * (src/pipeline/capture-clock.ts SourceClocks): each agent — its sender's address and capture
 * agent id (HEP chunk 12; src/sources/hep-listener.ts origin) — has a clock of its own, moved on
 * by the service's time while it is silent, and each dialog idles out on its own agent's clock.
 * The agents here are told apart by their capture agent ids (one sender address, as behind a HEP
 * relay): in-process as live feeds the engine (SourcePacket.origin), and through a real process.
 */
/**
 * Input: live (`live --hep`, and the engine in-process as `live` drives it: one record per batch,
 *   ReplayOptions.clock = the service's time), workers 0 and 2, policy `{apts: {u: {type: user,
 *   export: raw, retention: 24h}}, default: null}`. The service's clock is right. Agent B, an SBC
 *   whose clock is 5 h BEHIND (a wrong time zone the other way; README: "older times are taken"),
 *   carries call-b: INVITE (`AI-Pref: u`, offer 10.0.0.1:5000) / 200 / ACK, its RTCP SRs both ways
 *   a second later — all stamped B = real time − 5 h. Then agent A (clock right) sends an OPTIONS
 *   keepalive and its 200 OK (another Call-ID, 10.9.0.x) stamped with the real time. Then call-b's
 *   RTCP goes on from B (6 more SRs, B's stamps). call-b never stopped.
 * Was: (observed, in-process and real process) at A's 200 OK (the second A record confirms the
 *   capture clock at A's time; the OPTIONS alone was a jump the tracker passes over) the idle sweep
 *   runs at min(capture clock = real time, service = real time): call-b's lastSeen and its media
 *   are B's stamps, 5 h behind, so it is ended: `state-limit` "dialog idle (no SIP message, no
 *   media) for more than 14400 s of capture time … (idle timeout)" on call-b, and every later SR of
 *   the running call is dropped `no-preference` instead of exported under `u`. (05f6d21 kept it:
 *   the service had its last message seconds before; 38c333f's "earlier of the two" only covers an
 *   agent AHEAD of the service.)
 * Correct: README (Limits, the live paragraph): "two HEP agents whose clocks are more than 4 h apart
 *   (one in a wrong time zone, its clock confirmed by its second record) do not end each other's
 *   calls" — said of any two agents, not only of one ahead; README "Limits": a call "whose RTP or
 *   RTCP still flows is running". SPEC §4/§5: call-b's telemetry is decided by `u` until BYE.
 *   Expected: no state-limit, all 8 of call-b's SRs exported under `u`.
 * Fix: src/signaling/dialogs.ts expireIdle (+ replay-engine.ts): a dialog must be judged against
 *   the clock of the agent that carried it, not against another agent's records that the capture
 *   clock follows: e.g. per-source clocks (HEP sender / capture-agent id), each moved on by the
 *   service's time while its source is silent (as CaptureClock.tick), a dialog dated and judged on
 *   its own source's clock — which also removes the other two findings of this folder; at least,
 *   keep 05f6d21's per-dialog service time (lastMessageAt) as evidence against idleness when the
 *   capture clock is more than CLOCK_JUMP_SEC ahead of the dialog's own stamps (a jump between
 *   agents), dating the keep max(ctx.ts, now) so the sweep cannot loop. Or, if accepted, README
 *   must say that only an agent ahead of the service is covered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, ensureBuilt, hepFrameBy, liveRun, nowTs, sip, tempDir, type TimedPkt } from '../clock-sources-review/cs-helpers.js';
import { H, POLICY, idleEnds } from './ifr-helpers.js';
import { oneByOne, runLive } from '../round28-source-clocks-review/sc-helpers.js';

const BEHIND = 5 * H;

/** Capture agent ids: B (5 h behind) carries call-b, A (right) sends the OPTIONS pair. */
const AGENT_A = 1;
const AGENT_B = 2;

/** [real time, record as its agent stamps it, its agent]: call-b by B (behind), A's OPTIONS pair, call-b's RTCP on. */
function frames(T: number): [number, TimedPkt, number][] {
  const b = call('call-b', T, { aiPref: 'u', n: 4, port: 5000, ssrcA: 0x3000 });
  const opt = (ts: number, start: string): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip(start, 'opt-a', '1 OPTIONS') });
  const byB = (p: TimedPkt, real: number): [number, TimedPkt, number] => [real, { ...p, ts: real - BEHIND }, AGENT_B];
  return [
    ...[...b.sip, ...b.media.slice(0, 2)].map((p) => byB(p, p.ts)),
    [T + 3, opt(T + 3, 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), AGENT_A],
    [T + 3.01, opt(T + 3.01, 'SIP/2.0 200 OK'), AGENT_A],
    ...b.media.slice(2).map((p) => byB(p, p.ts + 3)),
  ];
}
// call-b's SRs: frames 4, 5 (before A's pair) and 8..13 (after)
const SR_FRAMES = [4, 5, 8, 9, 10, 11, 12, 13];

for (const workers of [0, 2]) {
  it(`an agent 5 h behind the service: its running call is not ended by another agent's OPTIONS pair (in-process, workers ${workers})`, async () => {
    // one record per batch, each naming its agent as the HEP listener does (SourcePacket.origin)
    const got = await runLive(oneByOne(frames(1_800_000_000).map(([wall, p, agent]) => ({ wall, p, agent: `127.0.0.1#${agent}` }))), { workers });
    expect(idleEnds(got)).toEqual([]);
    expect(got.decisions.map((d) => [d.frame, d.decision, d.apt])).toEqual(SR_FRAMES.map((f) => [f, 'export', ['u']]));
  });
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('r25-ifr-behind-'));
});
afterAll(async () => cleanup?.());

it('the same through a real `live --hep` process', async () => {
  const seq = frames(nowTs());
  const got = await liveRun(dir, 'behind', seq.map(([, p, agent]) => hepFrameBy(p, agent)), POLICY, { workers: 0 });
  expect(got.code).toBe(0);
  expect(got.reports.filter((r) => r.type === 'state-limit')).toEqual([]);
  expect(got.decisions.map((d) => [d.frame, d.decision, d.apt])).toEqual(SR_FRAMES.map((f) => [f, 'export', ['u']]));
}, 30_000);
