/**
 * Input: the engine in-process as `live --hep` feeds it (sc-helpers runLive: one record per batch,
 *   SourcePacketBatcher with SourcePacket.origin as the HEP listener sets it, ReplayOptions.clock the
 *   service's time), workers 0 and 2, policy `{apts: {u: {type: user, export: raw, retention: 24h}},
 *   default: null}`. Agent A (10.1.1.1, capture id 1; clock right, T = 1800000000) carries call-x
 *   through a forking proxy: INVITE (`AI-Pref: u`, offer 10.0.0.1:5000) at T, branch 1 answers
 *   `486 Busy Here` (to-tag br1) at T+1. Agent B (10.2.2.2, id 2), whose clock is only 2 minutes
 *   ahead, carries call-y: INVITE and its `407 Proxy Authentication Required` (a challenge: the most
 *   common failure there is) at T+2 (stamped T+122). Then, through A, call-x's branch 2 answers
 *   `200 OK` (to-tag br2, answer 10.0.0.2:7000) at T+3, ACK, and 3 RTCP SRs each way.
 * Was: B's 407 runs DialogTracker.initialInviteFailed, which prunes `failedInvites` by the 407's own
 *   stamp (T+122): call-x's failed INVITE (kept "until" T+1+32 on A's stamps) is dropped as past its
 *   32 s. Branch 2's 200 then finds no INVITE to revive and is adopted without the INVITE's offer or
 *   AI-Pref: call-x's 6 SRs are `unbound-stream` / `drop` instead of exported under `u`. With B's
 *   clock right (skew 0; also offline) they are all exported. Any skew past 32 s does it (the 4 h of
 *   the idle bound are not needed).
 * Correct: dialogs.ts failedInvites: "on a forking proxy one branch's failure … comes before another
 *   branch's 2xx, which the proxy forwards all the same (RFC 3261 §16.7) and which makes the dialog
 *   (§13.2.2.4)"; README (Limits, live): each HEP agent "has a capture clock of its own", two agents
 *   whose clocks are apart "do not end each other's calls"; SPEC §4/§5: call-x's telemetry is decided
 *   by `u`. Expected: the 6 SRs exported under `u`, as with skew 0.
 * Fix: src/signaling/dialogs.ts initialInviteFailed/failedInvite: keep the source (ctx.source) with
 *   each failed INVITE and judge its 32 s on that source's clock (sourceNow(source) against `until`),
 *   pruning only entries past it on their own clock (or by the size bound); forksDue has the same
 *   cross-agent judgment (another agent's stamp ends A's forks' early dialogs at once).
 */
import { expect, it } from 'vitest';
import { runLive, oneByOne, decided, sip, sdp, sr, type Rec, type TimedPkt } from './sc-helpers.js';

const T = 1_800_000_000;
const A = '10.1.1.1#1';
const B = '10.2.2.2#2';

function recs(skewB: number): Rec[] {
  const x = (ts: number, src: string, dst: string, payload: Uint8Array, sport = 5060, dport = 5060): TimedPkt => ({ ts, src, dst, sport, dport, payload });
  const out: Rec[] = [];
  const a = (ts: number, p: TimedPkt) => out.push({ wall: ts, p, agent: A });
  a(T, x(T, '10.0.0.1', '10.0.0.2', sip('INVITE sip:bob@10.0.0.2 SIP/2.0', 'call-x', '1 INVITE', { aiPref: 'u', body: sdp('10.0.0.1', 5000) })));
  a(T + 1, x(T + 1, '10.0.0.2', '10.0.0.1', sip('SIP/2.0 486 Busy Here', 'call-x', '1 INVITE', { toTag: 'br1' })));
  out.push({ wall: T + 2, p: x(T + 2 + skewB, '10.9.0.1', '10.9.0.2', sip('INVITE sip:carol@10.9.0.2 SIP/2.0', 'call-y', '1 INVITE')), agent: B });
  out.push({ wall: T + 2.01, p: x(T + 2.01 + skewB, '10.9.0.2', '10.9.0.1', sip('SIP/2.0 407 Proxy Authentication Required', 'call-y', '1 INVITE', { toTag: 'y1' })), agent: B });
  a(T + 3, x(T + 3, '10.0.0.2', '10.0.0.1', sip('SIP/2.0 200 OK', 'call-x', '1 INVITE', { toTag: 'br2', body: sdp('10.0.0.2', 7000) })));
  a(T + 3.01, x(T + 3.01, '10.0.0.1', '10.0.0.2', sip('ACK sip:bob@10.0.0.2 SIP/2.0', 'call-x', '1 ACK', { toTag: 'br2', branch: 'ack' })));
  for (let i = 1; i <= 3; i++) {
    a(T + 3 + i, x(T + 3 + i, '10.0.0.1', '10.0.0.2', sr(0x1000, i, 0x1001), 5001, 7001));
    a(T + 3.5 + i, x(T + 3.5 + i, '10.0.0.2', '10.0.0.1', sr(0x1001, i, 0x1000), 7001, 5001));
  }
  return out;
}
// call-x's SRs: frames 7..12
const EXPORTED = [7, 8, 9, 10, 11, 12].map((f) => [f, 'export', ['u']]);

for (const workers of [0, 2]) {
  it(`another agent's 407, its clock 2 min ahead, does not lose call-x's revived INVITE (workers ${workers})`, async () => {
    // the same with B's clock right: call-x is revived and exported (the rule works on one clock)
    expect(decided(await runLive(oneByOne(recs(0)), { workers }))).toEqual(EXPORTED);
    expect(decided(await runLive(oneByOne(recs(120)), { workers }))).toEqual(EXPORTED);
  });
}
