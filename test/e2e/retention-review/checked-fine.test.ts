/**
 * From a review of retention end to end (SPEC §3, §4): the checks that came out fine.
 *
 * Retention checks that turned out FINE (SPEC §3 retention, §4 expiresAt), kept as regression
 * tests. Inputs: the two-party hand-built call (test/e2e/two-party-rtcp.ts, test/e2e/hand-built-calls.ts),
 * A 10.0.0.1 SSRC 1111 ↔ B 10.0.0.2 SSRC 2222, one audio m-section (mid a), RTCP SRs.
 * Checked:
 *  - duration spellings: `90S`, `15M`, `7D`, `1H`, `090s`, ` 90s ` (policy) read as durations;
 *    `1.5h`, `1e3`, `+90s` in SDP read as 0 (drop retention-zero) with an inconsistent-signaling
 *    report; `0`, `00`, `0s` → drop retention-zero; a policy `retention: 1.5` is refused at start;
 *  - precedence: user over domain key by key (user 24h beats domain 1h; user without retention
 *    leaves domain 1h), regulatory floor both ways (1h), same rank shortest (15m);
 *    user retention 0 beside domain raw → drop retention-zero;
 *  - the policy `default` gives retention (raw expiresAt = ts + 30 s; aggregated 4 s → windows of 2 s
 *    expiring at start + 4 s);
 *  - policy-length window 60 s, retention 90 s: windows close at start + 45 s exactly, expiresAt start + 90 s;
 *  - retention 1 s at odd microsecond times: windows close at start + 0.5 s, expiresAt start + 1 s exactly;
 *  - a re-INVITE with a newer version shortening retention (1h → 4s) mid-window: the open window closes at
 *    the offer with expiresAt = first item + 1 h; later windows are 2 s long, expiring first item + 4 s;
 *  - an RR answering an SR past that SR's retention (2 s) yields no RTT.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type ExportLine, parseLines, policyOf, replayLines, Workspace } from '../e2e-helpers.js';
import { replayCall, request, response, sdpOf, writeCall } from '../hand-built-calls.js';
import { lsrOf, replayTwoParty, rrFrom, srFrom, T0 } from '../two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const one = [{ ts: 1.000001, fromA: true, packets: [srFrom(1111, T0 + 1)] }];
const TS = 1767225601.000001;
const srA = (t: number) => encodeRtcpCompound([srFrom(1111, T0 + t)]);
const aggs = (lines: string[]) => parseLines<ExportLine>(lines).filter((e) => e.type === 'aggregate').map((e) => ({ window: e.window, expiresAt: e.expiresAt, items: (e.stats as { items: number }).items }));

describe('duration spellings (SPEC §3)', () => {
  it('SDP: case, leading zeros accepted; non-grammar read as 0', async () => {
    const cases: [string, number | null][] = [['90S', 90], ['15M', 900], ['7D', 604800], ['1H', 3600], ['090s', 90], ['1.5h', null], ['1e3', null], ['+90s', null], ['0', null], ['00', null], ['0s', null]];
    for (const [v, sec] of cases) {
      const run = await replayTwoParty(ws, 'sp-' + v.replace(/\W/g, '_'), { aLines: [`a=aipref:session apt-x type=user export=raw retention=${v}`], rtcp: one, policy: { apts: {} } });
      if (sec === null) {
        expect(run.exports, v).toEqual([]);
        expect(run.decisions.map((d) => d.reason), v).toEqual(['retention-zero']);
      } else expect(run.exports.map((e) => e.expiresAt), v).toEqual([Math.round((TS + sec) * 1e6) / 1e6]);
      if (['1.5h', '1e3', '+90s'].includes(v)) expect(run.reports.some((r) => r.type === 'inconsistent-signaling'), v).toBe(true);
    }
  });
  it('policy file: " 90s " accepted, 1.5 refused', async () => {
    const run = await replayTwoParty(ws, 'pp-space', { aLines: ['a=aipref:session apt-x'], rtcp: one, policy: { apts: { 'apt-x': { type: 'user', export: 'raw', retention: ' 90s ' } } } });
    expect(run.exports.map((e) => e.expiresAt)).toEqual([1767225691.000001]);
    expect(() => parsePolicy(JSON.stringify({ apts: { x: { retention: 1.5 } } }), 'p.json')).toThrow(/retention/);
  });
});

describe('retention across several APTs (SPEC §3)', () => {
  const cases: [string, Record<string, Record<string, unknown>>, number | null][] = [
    ['user24h over domain1h', { u: { type: 'user', export: 'raw', retention: '24h' }, d: { type: 'domain', export: 'raw', retention: '1h' } }, 86400],
    ['user no retention, domain1h applies', { u: { type: 'user', export: 'raw' }, d: { type: 'domain', export: 'raw', retention: '1h' } }, 3600],
    ['regulatory 1h floor under user 24h', { u: { type: 'user', export: 'raw', retention: '24h' }, d: { type: 'regulatory', export: 'raw', retention: '1h' } }, 3600],
    ['user 1h under regulatory 24h', { u: { type: 'user', export: 'raw', retention: '1h' }, d: { type: 'regulatory', export: 'raw', retention: '24h' } }, 3600],
    ['same rank shortest', { u: { type: 'user', export: 'raw', retention: '1h' }, d: { type: 'user', export: 'raw', retention: '15m' } }, 900],
    ['user 0 beside domain raw', { u: { type: 'user', retention: '0' }, d: { type: 'domain', export: 'raw', retention: '1h' } }, null],
  ];
  for (const [name, apts, sec] of cases) {
    it(name, async () => {
      const run = await replayTwoParty(ws, 'prec-' + name.replace(/\W/g, '_'), { aLines: ['a=aipref:session u', 'a=aipref:session d'], rtcp: one, policy: { apts } });
      if (sec === null) expect(run.decisions.map((d) => d.reason)).toEqual(['retention-zero']);
      else expect(run.exports.map((e) => e.expiresAt)).toEqual([Math.round((TS + sec) * 1e6) / 1e6]);
    });
  }
});

describe('retention from the policy default; windows vs retention', () => {
  it('default raw 30s and aggregated 4s', async () => {
    const raw = await replayTwoParty(ws, 'def-raw', { rtcp: one, policy: { apts: { dflt: { type: 'domain', export: 'raw', retention: '30s' } }, default: 'dflt' } });
    expect(raw.exports.map((e) => e.expiresAt)).toEqual([1767225631.000001]);
    const agg = await replayTwoParty(ws, 'def-agg', { rtcp: [1, 2, 3, 4, 5].map((t) => ({ ts: t, fromA: true, packets: [srFrom(1111, T0 + t)] })), policy: { apts: { dflt: { type: 'domain', export: 'aggregated-only', retention: '4s' } }, default: 'dflt' } });
    expect(agg.exports.map((e) => [e.window, e.expiresAt])).toEqual([
      [{ start: T0 + 1, end: T0 + 3 }, T0 + 5],
      [{ start: T0 + 3, end: T0 + 5 }, T0 + 7],
      [{ start: T0 + 5, end: T0 + 5 }, T0 + 9],
    ]);
  });
  it('window 60 s, retention 90 s: closes at start + 45 s', async () => {
    const file = await ws.file('w60.pcap');
    await writeCall(file, (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-x'])), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      for (let t = 1; t <= 100; t += 5) at(t, srA(t), true, 4001, 5001);
    });
    for (const workers of [0, 2]) {
      const run = await replayLines({ capture: file, workers, policy: policyOf({ apts: { 'apt-x': { type: 'user', export: 'aggregated-only', retention: '90s' } } }), windowSec: 60 });
      expect(aggs(run.exports)).toEqual([
        { window: { start: T0 + 1, end: T0 + 46 }, expiresAt: T0 + 91, items: 9 },
        { window: { start: T0 + 46, end: T0 + 91 }, expiresAt: T0 + 136, items: 9 },
        { window: { start: T0 + 91, end: T0 + 96 }, expiresAt: T0 + 181, items: 2 },
      ]);
    }
  });
  it('retention 1 s at odd microseconds', async () => {
    const file = await ws.file('r1.pcap');
    await writeCall(file, (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-x'])), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      for (const t of [1.000003, 1.2, 1.500003, 1.500004, 2.7]) at(t, srA(t), true, 4001, 5001);
    });
    const run = await replayLines({ capture: file, policy: policyOf({ apts: { 'apt-x': { type: 'user', export: 'aggregated-only', retention: '1s' } } }) });
    expect(aggs(run.exports)).toEqual([
      { window: { start: 1767225601.000003, end: 1767225601.500003 }, expiresAt: 1767225602.000003, items: 2 },
      { window: { start: 1767225601.500003, end: 1767225602.000003 }, expiresAt: 1767225602.500003, items: 2 },
      { window: { start: 1767225602.7, end: 1767225602.7 }, expiresAt: 1767225603.7, items: 1 },
    ]);
  });
  it('a newer version shortening retention mid-window', async () => {
    const run = await replayCall(ws, 'vbump', (at) => {
      at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-x export=aggregated-only retention=1h version=1'])), true);
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
      at(0.2, request('ACK', 1, null), true);
      for (const t of [1, 2, 3]) at(t, srA(t), true, 4001, 5001);
      at(3.5, request('INVITE', 2, sdpOf('a', ['a=aipref:session apt-x export=aggregated-only retention=4s version=2'])), true);
      at(3.6, response('200 OK', 2, sdpOf('b', [])), false);
      at(3.7, request('ACK', 2, null), true);
      for (const t of [4, 5, 6, 7, 8, 9]) at(t, srA(t), true, 4001, 5001);
    });
    expect(aggs(run.exports)).toEqual([
      { window: { start: T0 + 1, end: T0 + 3.5 }, expiresAt: T0 + 3601, items: 3 },
      { window: { start: T0 + 4, end: T0 + 6 }, expiresAt: T0 + 8, items: 2 },
      { window: { start: T0 + 6, end: T0 + 8 }, expiresAt: T0 + 10, items: 2 },
      { window: { start: T0 + 8, end: T0 + 9 }, expiresAt: T0 + 12, items: 2 },
    ]);
  });
  it('no RTT from an SR past its retention', async () => {
    const run = await replayTwoParty(ws, 'rtt-expired', {
      aLines: ['a=aipref:mid pa'],
      rtcp: [
        { ts: 1, fromA: false, packets: [srFrom(2222, T0 + 1)] },
        { ts: 5, fromA: true, packets: [rrFrom(1111, [{ ssrc: 2222, lsr: lsrOf(T0 + 1), dlsr: 65536 }])] },
      ],
      policy: { apts: { pa: { type: 'user', export: 'aggregated-only', retention: '2s' } } },
    });
    const rtts = run.exports.filter((e) => e.type === 'aggregate').map((e) => (e.stats as { rttMs: unknown }).rttMs);
    expect(rtts).toEqual([null, null]);
  });
});
