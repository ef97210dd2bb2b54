/**
 * Cross-call governance (media-core declaredElsewhere / stream-preferences ofDeclared): checks found FINE.
 * Every replay runs with 0 and 2 workers and requires identical exports, reports and decisions (calls-on-any-address.ts).
 * 1. B's pending offer relaxing (apt-b none → apt-r raw): A's RR about 5001 stays dropped until the answer, exported after it.
 * 2. B's answered re-INVITE restricting (apt-b raw → apt-n none): the ofDeclared memo follows the new scope (drop after).
 * 3. B's call with no APT, no default: A's RR about 5001 is `drop no-preference` (absence is not consent).
 * 4. B's call with no APT, operator default aggregated-only: A's RR about 5001 aggregates under [apt-a, apt-d].
 * 5. B's call ended (BYE/200): its a=ssrc no longer counts; A's RR about 5001 is governed by A's call alone.
 * 6. The SFU's SR sent *by* 5001 on A's transport while B's restricting offer is pending: routed to B's call, dropped.
 * 7. A's reports alternating between B's and C's sources (all aggregated-only): two windows keyed [apt-a,apt-b] and
 *    [apt-a,apt-c], each with its own items and jitter.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { replay } from '../calls-on-any-address.js';
import { rrP, rtcpOn, rtpOn, srP } from '../conference-review/conf-call.js';
import { ack, bAnswer, bOffer, byeOk, byeReq, ok, reInvite } from './common.js';
import { base, line, pol } from './shared.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const rrA = () => rtcpOn('A', 'SA', [rrP(1111, [5001])]);

describe('cross-call governance: fine', () => {
  it('1. pending relaxation applies only at the answer', async () => {
    const r = await replay(ws, [...base(), reInvite('conf-b', bOffer(['a=aipref:session apt-r'])), rrA(), ok('conf-b', bAnswer()), ack('conf-b'), rrA()], pol({ 'apt-a': 'raw', 'apt-b': 'none', 'apt-c': 'raw', 'apt-r': 'raw' }));
    expect(r.decisions.map(line)).toEqual([
      { frame: 13, ssrc: 1111, decision: 'drop', reason: 'export-none', apt: ['apt-b'], rule: 'strictest-wins' },
      { frame: 16, ssrc: 1111, decision: 'export', reason: 'raw-allowed', apt: ['apt-a', 'apt-r'], rule: 'strictest-wins' },
    ]);
  });
  it('2. answered restriction: memo follows the new scope', async () => {
    const r = await replay(ws, [...base(), rrA(), reInvite('conf-b', bOffer(['a=aipref:session apt-n'])), ok('conf-b', bAnswer()), ack('conf-b'), rrA()], pol({ 'apt-a': 'raw', 'apt-b': 'raw', 'apt-c': 'raw', 'apt-n': 'none' }));
    expect(r.decisions.map(line)).toEqual([
      { frame: 12, ssrc: 1111, decision: 'export', reason: 'raw-allowed', apt: ['apt-a', 'apt-b'], rule: 'strictest-wins' },
      { frame: 16, ssrc: 1111, decision: 'drop', reason: 'export-none', apt: ['apt-n'], rule: 'strictest-wins' },
    ]);
  });
  it('3. other call without APT: drop no-preference', async () => {
    const r = await replay(ws, [...base([]), rrA()], pol({ 'apt-a': 'raw', 'apt-c': 'raw' }));
    expect(r.decisions.map(line)).toEqual([{ frame: 12, ssrc: 1111, decision: 'drop', reason: 'no-preference', apt: [], rule: 'no-preference' }]);
  });
  it('4. other call without APT, operator default: combined in', async () => {
    const r = await replay(ws, [...base([]), rrA()], pol({ 'apt-a': 'raw', 'apt-c': 'raw', 'apt-d': 'aggregated-only' }, 'apt-d'));
    expect(r.decisions.map(line)).toEqual([{ frame: 12, ssrc: 1111, decision: 'aggregate', reason: 'aggregated-only', apt: ['apt-a', 'apt-d'], rule: 'strictest-wins' }]);
  });
  it('5. other call ended: its a=ssrc no longer counts', async () => {
    const r = await replay(ws, [...base(), byeReq('conf-b'), byeOk('conf-b'), rrA()], pol({ 'apt-a': 'raw', 'apt-b': 'none', 'apt-c': 'raw' }));
    expect(r.decisions.map(line)).toEqual([{ frame: 14, ssrc: 1111, decision: 'export', reason: 'raw-allowed', apt: ['apt-a'], rule: 'single-statement' }]);
  });
  it('6. SR sent by 5001 on A’s transport, B’s restricting offer pending: dropped', async () => {
    const r = await replay(ws, [...base(), reInvite('conf-b', bOffer(['a=aipref:session apt-n'])), rtcpOn('SA', 'A', [srP(5001, [])])], pol({ 'apt-a': 'raw', 'apt-b': 'raw', 'apt-c': 'raw', 'apt-n': 'none' }));
    expect(r.decisions.map(line)).toEqual([{ frame: 13, ssrc: 5001, decision: 'drop', reason: 'export-none', apt: ['apt-n'], rule: 'strictest-wins' }]);
  });
  it('7. alternating subjects of two calls: one window per deciding set', async () => {
    const r = await replay(
      ws,
      [...base(), rtpOn('C', 'SC', 6001, [{ id: 4, v: 'v' }]), rtpOn('SA', 'A', 6001, [{ id: 4, v: 'r' }]), rtcpOn('A', 'SA', [rrP(1111, [5001], 10)]), rtcpOn('A', 'SA', [rrP(1111, [6001], 20)]), rtcpOn('A', 'SA', [rrP(1111, [5001], 30)]), rtcpOn('A', 'SA', [rrP(1111, [6001], 40)])],
      pol({ 'apt-a': 'aggregated-only', 'apt-b': 'aggregated-only', 'apt-c': 'aggregated-only' }),
    );
    const agg = r.exports as unknown as { apt: string[]; stream: { ssrc: number }; stats: { items: number; jitter: unknown } }[];
    expect(agg.map((a) => ({ apt: a.apt, ssrc: a.stream.ssrc, items: a.stats.items, jitter: a.stats.jitter }))).toEqual([
      { apt: ['apt-a', 'apt-b'], ssrc: 1111, items: 2, jitter: { min: 10, mean: 20, max: 30, p95: 30 } },
      { apt: ['apt-a', 'apt-c'], ssrc: 1111, items: 2, jitter: { min: 20, mean: 30, max: 40, p95: 40 } },
    ]);
  });
});
