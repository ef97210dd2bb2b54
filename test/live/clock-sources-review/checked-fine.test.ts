/**
 * Checks of `live --hep` capture times (agents' clocks against the service's) that came out FINE.
 *
 * 1. A HEP frame without its seconds chunk (type 9): one malformed-input report naming the HEP
 *    peer (`hep udp:127.0.0.1:port: … no timestamp seconds chunk`), not exported; the SRs around it
 *    are exported with their own times and expiresAt = ts + retention.
 * 2. One lone SIP message (an OPTIONS without answer) from an agent 5 h ahead, in the middle of a
 *    running call: README "Capture time that jumps" — one record alone idles no dialog out; the
 *    call's 8 SRs are all exported under its AI-Pref, no state-limit report.
 * 3. Two agents, SIP agent right, RTCP agent 600 s behind (under the 15-min jump bound), a re-INVITE
 *    removing the session `a=aipref`: SPEC §5 — items that arrive before the offer are judged by the
 *    old scope (export, `u`), every item that arrives after it by the new one (drop,
 *    no-preference), even though their own stamps are 10 min before the re-INVITE's; one
 *    scope-removed, at the answer (README). Workers 0 and 2.
 * 4. One agent alone, 1 h behind the service, aggregated-only, 1 s windows, retention 24h: while
 *    the service runs (before SIGTERM) each closed window is written with bounds on the agent's
 *    clock, `expiresAt` = its earliest item's time + 24 h, nothing held to the stop; no window
 *    spans more than 1 s (6 SRs: 3 windows of 2), no item counted twice, none added at the stop.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { call, ensureBuilt, hepFrame, hepMalformed, kill, liveRun, nowTs, readLines, sdp, sendDatagrams, sip, sleep, sr, startLive, stopAndRead, tempDir, untilReceived, withoutChunk, writeJson, type LiveChild, type TimedPkt } from './cs-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('csr-pass-'));
});
afterAll(async () => cleanup?.());

const rawU = { apts: { u: { type: 'user', export: 'raw', retention: '24h' } }, default: null };

// 1
it('a frame without the seconds chunk is reported once, naming the peer, and not exported', async () => {
  const T = nowTs();
  const at = (ts: number, i: number): TimedPkt => ({ ts, src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload: sr(0xa, i) });
  const got = await liveRun(dir, 'nochunk', [at(T, 1), withoutChunk(hepFrame(at(T + 0.5, 2)), 9), at(T + 1, 3)], { apts: { d: { type: 'domain', export: 'raw', retention: '1h' } }, default: 'd' }, { gapMs: 150 });
  expect(got.code).toBe(0);
  expect(got.exports.map((e) => [e.ts, e.expiresAt])).toEqual([[T, T + 3600], [T + 1, T + 3601]]);
  const m = hepMalformed(got.reports);
  expect(m).toHaveLength(1);
  expect(String(m[0]!.detail)).toMatch(/no timestamp seconds chunk/);
}, 30_000);

// 2
it('one lone SIP message from an agent 5 h ahead ends no running call', async () => {
  const T = nowTs();
  const c = call('call-l', T, { aiPref: 'u', n: 4 });
  const lone: TimedPkt = { ts: T + 5 * 3600, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip('OPTIONS sip:x@10.9.0.2 SIP/2.0', 'opt-l', '1 OPTIONS') };
  const got = await liveRun(dir, 'lone', [...c.sip, ...c.media.slice(0, 2), lone, ...c.media.slice(2)], rawU);
  expect(got.reports.filter((r) => r.type === 'state-limit')).toEqual([]);
  expect(got.decisions.map((d) => [d.decision, d.apt])).toEqual(Array.from({ length: 8 }, () => ['export', ['u']]));
}, 30_000);

// 3
for (const workers of [0, 2]) {
  it(`RTCP agent 600 s behind: a re-INVITE's restriction applies by arrival, not by stamp (workers ${workers})`, async () => {
    const T = nowTs();
    const c = call('call-d', T, { sdpExtra: ['a=aipref:session u'], n: 4 });
    const media = c.media.map((p) => ({ ...p, ts: p.ts - 600 }));
    const re: TimedPkt[] = [
      { ts: T + 2.7, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload: sip('INVITE sip:bob@10.0.0.2 SIP/2.0', 'call-d', '2 INVITE', { toTag: 'b1', body: sdp('10.0.0.1', 4000) }) },
      { ts: T + 2.71, src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 5060, payload: sip('SIP/2.0 200 OK', 'call-d', '2 INVITE', { toTag: 'b1', body: sdp('10.0.0.2', 6000) }) },
    ];
    const got = await liveRun(dir, `reinv${workers}`, [...c.sip, ...media.slice(0, 4), ...re, ...media.slice(4)], rawU, { workers });
    expect(got.decisions.map((d) => [d.frame, d.decision, d.reason])).toEqual([
      [4, 'export', 'raw-allowed'],
      [5, 'export', 'raw-allowed'],
      [6, 'export', 'raw-allowed'],
      [7, 'export', 'raw-allowed'],
      [10, 'drop', 'no-preference'],
      [11, 'drop', 'no-preference'],
      [12, 'drop', 'no-preference'],
      [13, 'drop', 'no-preference'],
    ]);
    expect(got.reports.filter((r) => r.type === 'scope-removed').map((r) => [r.frame, r.apt])).toEqual([[9, ['u']]]);
  }, 30_000);
}

// 4
it('one agent 1 h behind alone: windows close on its clock while running, expiresAt from its time', async () => {
  const T = nowTs() - 3600;
  const pkts: TimedPkt[] = [0, 0.4, 1.2, 1.6, 2.4, 3.3].map((d, i) => ({ ts: T + d, src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload: sr(0xa, i + 1) }));
  const policy = await writeJson(path.join(dir, 'behind.json'), { apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd', window: '1s' });
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'behind');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy]);
    live = s.live;
    await sendDatagrams(s.addresses.hep!.udp.port, pkts.map(hepFrame), 200);
    await untilReceived(s.addresses.metrics!.port, 'hep', pkts.length);
    // (polled up to 15 s for the three windows rather than read once after a fixed 1.5 s: under a
    // loaded CI the idle ticks that close the last one can come later)
    let running = await readLines(out, 'exports');
    for (const end = Date.now() + 15_000; running.length < 3 && Date.now() < end; running = await readLines(out, 'exports')) await sleep(100);
    const shape = (ls: Record<string, unknown>[]) => ls.map((e) => [(e.window as { start: number }).start - T, (e.window as { end: number }).end - T, (e.stats as { items: number }).items, (e.expiresAt as number) - T]);
    // every window that ends by the last record's time + the idle ticks is out before the stop
    expect(shape(running)).toEqual([
      [0, 1, 2, 86400],
      [1.2, 2.2, 2, 86401.2],
      [2.4, 3.4, 2, 86402.4],
    ].map(([a, b, n, x]) => [expect.closeTo(a!, 5), expect.closeTo(b!, 5), n, expect.closeTo(x!, 5)]));
    const got = await stopAndRead(live, out);
    expect(got.exports).toHaveLength(3);
  } finally {
    kill(live);
  }
}, 30_000);
