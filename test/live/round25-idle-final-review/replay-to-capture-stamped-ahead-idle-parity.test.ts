/**
 * Found by a final review of the live idle rule (38c333f), fixed since: the rule (dialogs idle out by the earlier of the capture clock and the service's time) was withdrawn; dialogs idle out by the capture clock alone, live as offline (src/signaling/dialogs.ts expireIdle).
 * Input: a capture (pcap) stamped 2 h ahead of now (recorded on a host whose clock was ahead, or a
 *   synthetic one; HEP up to 24 h ahead is accepted): call-c (INVITE `AI-Pref: u` / 200 / ACK at T,
 *   SRs at T+1, T+1.5; no BYE), call-d (INVITE/200/ACK at T+5h, other addresses), then one more SR of
 *   call-c at T+5h+1 (the previous review's replay-to-speed0-idle-parity capture, shifted ahead).
 *   Policy `{apts: {u: {type: user, export: raw, retention: 24h}}, default: null}`. Played as
 *   `replay --explain` offline, and as `replay --to hep://… --speed 0` into `live --hep --explain`;
 *   and (in-process) as `--speed 1` would feed it (the service's time = the stamps − 2 h).
 * Was: (observed) offline, call-c idles out at call-d's 200 (`state-limit` idle-timeout) and its late
 *   SR is dropped `no-preference`. Live, at speed 0 and at speed 1 alike, no dialog idles out (the
 *   sweep judges by min(capture clock, service's time) = the service's time, against stamps 2 h
 *   ahead of it: call-c would go only 6 h of service time after its last message) and the late SR
 *   is exported under `u`: the live reports and decisions differ from the offline replay's. The same
 *   capture stamped yesterday (clock behind) matches offline (PASSING.test.ts).
 * Correct: README: "Over HEP the live exports and reports equal an offline `replay` of the same
 *   capture line for line"; README "Limits": "4 h idle in capture time". 38c333f's README sentence
 *   covers only a session "its clock behind the service's"; nothing says a capture stamped ahead
 *   differs.
 * Fix: src/signaling/dialogs.ts expireIdle: judge a dialog by time elapsed on the clock its stamps
 *   are on (a single source's own clock here) rather than comparing its stamps with the service's
 *   clock (see clock-ahead-of-service-idles-late-and-walks-table.test.ts, same root); or, if
 *   accepted, README's parity sentence and `replay --to` must say that a capture stamped ahead of
 *   the service's clock idles out later live than offline.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, cli, ensureBuilt, kill, nowTs, offline, sleep, sr, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from '../clock-sources-review/cs-helpers.js';
import { H, idleEnds, runEngine } from './ifr-helpers.js';

const AHEAD = 2 * H;

function capture(T: number): TimedPkt[] {
  const c = call('call-c', T, { aiPref: 'u', n: 1 });
  const d = call('call-d', T + 5 * H, { port: 4100, ssrcA: 0x2000, n: 0 });
  const late: TimedPkt = { ...c.media[0]!, ts: T + 5 * H + 1, payload: sr(0x1000, 2, 0x1001) };
  return [...c.sip, ...c.media, ...d.sip.map((p) => ({ ...p, src: '10.0.1.1', dst: '10.0.1.2' })), late];
}

it('in-process, as --speed 1 feeds it: the same idle-out and decisions as offline', async () => {
  const pkts = capture(1_800_000_000 + AHEAD);
  const off = await runEngine(pkts, null);
  expect(idleEnds(off).map((r) => r.frame)).toEqual([7]);
  const paced = await runEngine(pkts, (i) => pkts[i]!.ts - AHEAD + 0.001);
  expect(idleEnds(paced)).toEqual(idleEnds(off));
  expect(paced.decisions.map((x) => [x.frame, x.decision, x.reason])).toEqual(off.decisions.map((x) => [x.frame, x.decision, x.reason]));
});

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('r25-ifr-ahead-'));
});
afterAll(async () => cleanup?.());

it('replay --to --speed 0 into live equals the offline replay (real processes)', async () => {
  const pkts = capture(nowTs() + AHEAD);
  const file = await writePkts(path.join(dir, 'c.pcap'), pkts);
  const policy = await writeJson(path.join(dir, 'p.json'), { apts: { u: { type: 'user', export: 'raw', retention: '24h' } }, default: null });
  const off = await offline(file, path.join(dir, 'off'), ['--policy', policy, '--explain']);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    await cli(['replay', file, '--to', `hep://127.0.0.1:${s.addresses.hep!.udp.port}`, '--speed', '0']);
    await untilReceived(s.addresses.metrics!.port, 'hep', pkts.length);
    await sleep(800);
    const got = await stopAndRead(live, out, true);
    expect(off.reports.filter((r) => r.type === 'state-limit')).toHaveLength(1);
    expect(got.reports.filter((r) => r.type === 'state-limit')).toEqual(off.reports.filter((r) => r.type === 'state-limit'));
    expect(got.decisions.map((x) => [x.frame, x.decision, x.reason])).toEqual(off.decisions.map((x) => [x.frame, x.decision, x.reason]));
  } finally {
    kill(live);
  }
}, 40_000);
