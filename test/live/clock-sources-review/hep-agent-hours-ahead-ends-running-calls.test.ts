/**
 * Found by a review of live time sources and left as a known limit (….limit.ts) until round 28:
 * dialogs idled out by the one capture clock, which followed whichever agent's records confirmed
 * it. Fixed by per-source clocks (src/pipeline/capture-clock.ts SourceClocks; DialogTracker judges
 * each dialog on the clock of the agent whose messages refresh it). The two agents here send from
 * one address, as two capture agents behind one HEP relay would, each with its own capture agent
 * id (HEP chunk 12): an agent is its sender's address and that id (hep-listener.ts origin).
 */
/**
 * Input: `live --hep` (workers 0 and 2), policy `{apts: {u: {type: user, export: raw, retention:
 * 24h}}, default: null}`. Agent A (clock right, T = now): call `call-c` — INVITE (`AI-Pref: u`,
 * offer 10.0.0.1:4000) / 200 (answer 10.0.0.2:6000) / ACK at T, then RTCP SRs both ways at T+1,
 * T+1.5. Then agent B, a second SIP element whose clock is 5 h ahead (a wrong time zone — the case
 * README's capture-clock rule names), sends an OPTIONS keepalive and its 200 OK (another
 * Call-ID, other addresses) stamped T+18000 and T+18000.01. Then call-c's RTCP goes on from A:
 * SRs at T+2 … T+4.5. HEP frames 60 ms apart.
 *
 * Was: at B's second message the dialog table's idle sweep runs at B's time: call-c — SIP 1 s and
 * media 0.5 s before, in its own agent's time — is ended with a `state-limit` report "dialog idle
 * (no SIP message, no media) for more than 14400 s of capture time: its state dropped (idle
 * timeout)", and every later SR of the running call is dropped `no-preference` (6 items: summary
 * telemetry {export: 2, drop: 6}) instead of exported under `u`. One misclocked element's OPTIONS
 * pair ends every call the service holds.
 *
 * Correct: README "Limits": a dialog idles out after "4 h idle in capture time: no SIP, no media";
 * "a call ... whose RTP or RTCP still flows is running". call-c was never idle. README "Capture
 * time that jumps": a record stamped hours ahead "idles no dialog out" — live, records from two
 * agents are two clocks, and a second record from the same misclocked agent confirms nothing about
 * the other agent's calls. SPEC §4/§5: call-c's telemetry is decided by `u` until BYE or a
 * renegotiation. Expected: 8 items exported, no state-limit report.
 *
 * Fix: src/signaling/dialogs.ts expireIdle (and the media-core unbound sweep): idle a dialog out
 * only by the capture clock the engine confirms (replay-engine CaptureClock, which live also moves
 * by the service's clock on idle ticks), not by the latest SIP message's own time; or, live,
 * compare each dialog against its own last activity on the clock of the agent that carries it.
 * A record far ahead of the service's clock (hep-time-implausible-accepted.test.ts) should not
 * move any clock at all.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, ensureBuilt, hepFrameBy, liveRun, nowTs, sip, tempDir, type TimedPkt } from './cs-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('csr-idle-'));
});
afterAll(async () => cleanup?.());

const policy = { apts: { u: { type: 'user', export: 'raw', retention: '24h' } }, default: null };

for (const workers of [0, 2]) {
  it(`an OPTIONS pair from an agent 5 h ahead does not end a running call (workers ${workers})`, async () => {
    const T = nowTs();
    const c = call('call-c', T, { aiPref: 'u', n: 4 });
    const B = T + 5 * 3600;
    const opt = (ts: number, start: string): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip(start, 'opt-1', '1 OPTIONS') });
    // agent A (capture agent id 1) carries call-c, agent B (id 2) the OPTIONS pair
    const a = (p: TimedPkt) => hepFrameBy(p, 1);
    const frames = [...c.sip.map(a), ...c.media.slice(0, 2).map(a), hepFrameBy(opt(B, 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), 2), hepFrameBy(opt(B + 0.01, 'SIP/2.0 200 OK'), 2), ...c.media.slice(2).map(a)];
    const got = await liveRun(dir, `w${workers}`, frames, policy, { workers });
    expect(got.code).toBe(0);
    expect(got.reports.filter((r) => r.type === 'state-limit')).toEqual([]);
    expect(got.decisions.map((d) => [d.frame, d.decision, d.apt])).toEqual([4, 5, 8, 9, 10, 11, 12, 13].map((f) => [f, 'export', ['u']]));
  }, 30_000);
}
