/**
 * Checks of the per-source clocks commit (62b20ac) that came out fine. Each passes now and would
 * fail if the property broke.
 */
import { expect, it } from 'vitest';
import { H, runLive, runOffline, oneByOne, decided, idleEnds, call, sip, sr, type Rec, type TimedPkt, type Run } from './sc-helpers.js';

const T = 1_800_000_000;
const opt = (ts: number, callId: string, start: string): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip(start, callId, '1 OPTIONS') });
const optPair = (wall: number, ts: number, agent: string, id: string): Rec[] => [
  { wall, p: opt(ts, id, 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), agent },
  { wall: wall + 0.01, p: opt(ts + 0.01, id, 'SIP/2.0 200 OK'), agent },
];
const srA = (wall: number, ts: number, i: number, agent: string): Rec => ({ wall, p: { ts, src: '10.0.0.1', dst: '10.0.0.2', sport: 5001, dport: 7001, payload: sr(0x1000, i, 0x1001) }, agent });
const reportsOf = (r: Run) => r.reports.map((x) => JSON.stringify(x)).sort();

/**
 * Calls (one whose media stops, one whose media goes on), a lone record stamped 6 h ahead, a 5 h
 * gap confirmed by two records, more calls: `live` fed as `replay --to hep://… --speed 0` feeds it
 * (one agent, the service's time barely moving, batches of 64) gives what offline `replay` gives.
 */
it('one agent at --speed 0 (one origin, batches of 64): decisions and reports as offline', async () => {
  const pkts: TimedPkt[] = [];
  const c1 = call('c1', T, { aiPref: 'u', n: 3, port: 4000, ssrcA: 0x1000 });
  const c2 = call('c2', T + 10, { aiPref: 'u', n: 3, port: 5000, ssrcA: 0x2000 });
  pkts.push(...c1.sip, ...c1.media, ...c2.sip, ...c2.media);
  pkts.push(opt(T + 6 * H, 'lone', 'OPTIONS sip:x@10.9.0.2 SIP/2.0'));
  pkts.push(opt(T + 30, 'o1', 'OPTIONS sip:x@10.9.0.2 SIP/2.0'));
  for (let i = 1; i <= 4; i++) pkts.push({ ts: T + 2 * H * i, src: '10.0.0.1', dst: '10.0.0.2', sport: 5001, dport: 6001, payload: sr(0x2000, 10 + i, 0x2001) });
  const later = T + 5 * H + 9 * H;
  pkts.push(opt(later, 'o2', 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), opt(later + 1, 'o2', 'SIP/2.0 200 OK'));
  const c3 = call('c3', later + 2, { aiPref: 'u', n: 2, port: 6000, ssrcA: 0x3000 });
  pkts.push(...c3.sip, ...c3.media);
  pkts.sort((a, b) => a.ts - b.ts);
  // (the lone record in its capture place: after c2's set-up)
  const offline = await runOffline(pkts);
  const recs: Rec[] = pkts.map((p, i) => ({ wall: 1_900_000_000 + i * 0.001, p, agent: '127.0.0.1#' }));
  const batches: Rec[][] = [];
  for (let i = 0; i < recs.length; i += 64) batches.push(recs.slice(i, i + 64));
  for (const workers of [0, 2]) {
    const live = await runLive(batches, { workers });
    expect(decided(live)).toEqual(decided(offline));
    expect(reportsOf(live)).toEqual(reportsOf(offline));
  }
  expect(idleEnds(offline).length).toBeGreaterThan(0);
});

/**
 * A call signaled through agent B (clock 5 h ahead), its RTCP captured by agent A (clock right),
 * no SIP for 6 h of the service's time: at B's OPTIONS pair its SIP is 6 h idle on B's clock, but
 * its media, judged on A's clock (TransportMap lastMediaSource), is minutes old: kept, its later
 * RTCP exported. (Judged on B's clock, the media would look 5 h old and the call ended.)
 */
it('media carried by another agent than the signaling is judged on its own agent clock', async () => {
  const A = '10.1.1.1#1';
  const B = '10.2.2.2#2';
  const c = call('call-b', T + 5 * H, { aiPref: 'u', n: 1, port: 5000, ssrcA: 0x1000 });
  const recs: Rec[] = c.sip.map((p, i) => ({ wall: T + i * 0.01, p, agent: B }));
  let i = 1;
  for (let w = T + 1800; w <= T + 6 * H; w += 1800) recs.push(srA(w, w, i++, A));
  recs.push(...optPair(T + 6 * H + 60, T + 11 * H + 60, B, 'ob'));
  recs.push(...optPair(T + 6 * H + 61, T + 6 * H + 61, A, 'oa'));
  for (let k = 0; k < 3; k++) recs.push(srA(T + 6 * H + 100 + k, T + 6 * H + 100 + k, i++, A));
  for (const workers of [0, 2]) {
    const got = await runLive(oneByOne(recs), { workers });
    expect(idleEnds(got)).toEqual([]);
    const srs = decided(got);
    expect(srs.length).toBe(i - 1);
    expect(srs.every(([, d, apt]) => d === 'export' && JSON.stringify(apt) === '["u"]')).toBe(true);
  }
});

/**
 * Agent B (clock 5 h ahead) sets up a call and falls silent (no media, no BYE); agent A (clock
 * right) sends an OPTIONS pair every hour. B's clock moves on by the service's time while B is
 * silent, so the call idles out at the first message past 4 h of the service's time — not before 4 h (A's
 * clock, 5 h behind B's stamps, does not judge it), and not never.
 */
it("a silent agent's dialog idles out by the service's time, judged at another agent's messages", async () => {
  const A = '10.1.1.1#1';
  const B = '10.2.2.2#2';
  const c = call('call-b', T + 5 * H, { aiPref: 'u', n: 0, port: 5000 });
  const recs: Rec[] = c.sip.map((p, i) => ({ wall: T + i * 0.01, p, agent: B }));
  for (let h = 1; h <= 5; h++) recs.push(...optPair(T + h * H + 5, T + h * H + 5, A, `oa${h}`));
  const got = await runLive(oneByOne(recs));
  const ends = idleEnds(got);
  expect(ends.length).toBe(1);
  // at A's first message past 4 h of the service's time (frame 10: T + 4 h + 5 s; B's clock then
  // T + 9 h + 5 s, the call's last message T + 5 h), not at the pairs before
  expect(ends[0]!.frame).toBe(10);
  expect((ends[0]!.dialog as { callId: string }).callId).toBe('call-b');
});
