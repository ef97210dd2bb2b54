/**
 * Found by a review of 05f6d21 (live idleness by the service's time), fixed since: the service-time rule was withdrawn (src/signaling/dialogs.ts expireIdle judges by the capture clock alone, live as offline), so a recorded session sent at speed 0 idles out as offline.
 * Input: a capture (pcap) of agent A, one clock: call-c (INVITE with `AI-Pref: u` / 200 / ACK at T,
 *   its RTCP SRs at T+1, T+1.5; no BYE — lost, as captures lose them), then 5 h of capture time later
 *   call-d (INVITE/200/ACK at T+5h, another Call-ID, other addresses), then one more SR of call-c's
 *   caller on call-c's addresses at T+5h+1. Policy `{apts: {u: {type: user, export: raw, retention:
 *   24h}}, default: null}`. Played two ways: `replay --explain` offline, and `replay --to
 *   hep://… --speed 0` (README: "Try it against a recorded session") into `live --hep --explain`.
 * Was: offline, at call-d's 200 call-c idles out (`state-limit` idle-timeout, bound 14400) and its
 *   late SR is dropped (no dialog: `no-preference`). Live, the capture's 5 h pass in well under a
 *   second of the service's time, so since 05f6d21 call-c is kept (the service had its last
 *   message a moment ago): no `state-limit` report, and the late SR is exported under `u` — the
 *   live reports and decisions differ from the offline replay's. (A long capture of calls whose
 *   BYE was lost, sent at speed 0, keeps every one of them until the 50 000 bound evicts the least
 *   recent as `state-limit` `max-dialogs` — reported as the table being full, not as idle calls.)
 * Correct: README: "Over HEP the live exports and reports equal an offline `replay` of the same
 *   capture line for line"; README "Limits": a dialog idles out after "4 h idle in capture time".
 *   (Before 05f6d21 no service-time rule kept it: the same sweep idled call-c out live too.) The service's time is evidence of idleness only where the
 *   capture clock outran it by a jump (another agent's clock confirmed hours ahead), not where the
 *   records simply came faster than they happened.
 * Fix: src/signaling/dialogs.ts expireIdle (with replay-engine.ts CaptureClock): apply the
 *   service-time keep only to a dialog whose idleness comes from a confirmed clock jump since its
 *   last message (e.g. the capture clock advanced more than the service's time plus CLOCK_JUMP_SEC
 *   since then), so a capture sent at speed 0 idles out by capture time as offline; or, if this is
 *   accepted, say so in README (the parity sentence and "Limits") and report the pile-up's evictions
 *   for what they are.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, cli, ensureBuilt, kill, nowTs, offline, sleep, sr, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from '../clock-sources-review/cs-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('r25-idle-parity-'));
});
afterAll(async () => cleanup?.());

it('a capture whose call idles out for 5 h of capture time: replay --to --speed 0 into live equals the offline replay', async () => {
  const T = nowTs() - 6 * 3600;
  const c = call('call-c', T, { aiPref: 'u', n: 1 });
  const d = call('call-d', T + 5 * 3600, { port: 4100, ssrcA: 0x2000, n: 0 });
  const late: TimedPkt = { ...c.media[0]!, ts: T + 5 * 3600 + 1, payload: sr(0x1000, 2, 0x1001) };
  const pkts = [...c.sip, ...c.media, ...d.sip.map((p) => ({ ...p, src: '10.0.1.1', dst: '10.0.1.2' })), late];
  const capture = await writePkts(path.join(dir, 'c.pcap'), pkts);
  const policy = await writeJson(path.join(dir, 'p.json'), { apts: { u: { type: 'user', export: 'raw', retention: '24h' } }, default: null });
  const off = await offline(capture, path.join(dir, 'off'), ['--policy', policy, '--explain']);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    await cli(['replay', capture, '--to', `hep://127.0.0.1:${s.addresses.hep!.udp.port}`, '--speed', '0']);
    await untilReceived(s.addresses.metrics!.port, 'hep', pkts.length);
    await sleep(800);
    const got = await stopAndRead(live, out, true);
    // (the offline replay: call-c idles out at call-d's 200, its late SR dropped)
    expect(off.reports.filter((r) => r.type === 'state-limit').map((r) => r.detail)).toHaveLength(1);
    expect(got.reports.filter((r) => r.type === 'state-limit')).toEqual(off.reports.filter((r) => r.type === 'state-limit'));
    expect(got.decisions.map((x) => [x.frame, x.decision, x.reason])).toEqual(off.decisions.map((x) => [x.frame, x.decision, x.reason]));
  } finally {
    kill(live);
  }
}, 40_000);
