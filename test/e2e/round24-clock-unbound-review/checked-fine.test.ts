/**
 * Checked and fine (round-24 review of b0f1ea9 — an unbound sender's item whose subject a live
 * call declares with a=ssrc makes no second, unbound stream — and bd13355 — a signed token's
 * exp judged by the capture clock). Every capture here is replayed in-process with workers 0
 * and 2 × maxBatchRecords undefined and 1..7 (token-expiry-review/helpers replayAll: identical
 * decisions, reports, exports), the first ones also by the CLI with --workers 0, 1, 2 (identical).
 * b0f1ea9, a sender no SDP names (SSRC 5555 on 10.0.0.1:7001 → 10.0.0.2:7002), call A→B
 * declaring 1111/2222 with `a=aipref:mid apt-x`:
 * - several subjects: an RR about 1111 (declared) and 3333 (nobody's): 3333 becomes an unbound
 *   stream and is reported `unbound-stream` once, 1111 neither; the item drops `no-preference`
 *   (3333 has none); `streams` 2 (5555, 3333).
 * - stopped subjects: an offer disabling A's m-section (port 0) stops the RR about 1111 from the
 *   offer on (`stream-disabled`), through the answer; the SDES item of 5555 alone still exports.
 * - the operator's default APT (apt-agg) as fallback for the untagged sender: the RR about 1111
 *   aggregates under ["apt-agg","apt-x"], the SDES under ["apt-agg"] (two windows keyed by the
 *   sender and their identifiers, as before: the default reached the item through the sender
 *   already); only 5555 is reported unbound.
 * - the call's own streams still report `implicit-binding` (dialog-level AI-Pref only): the report
 *   did not move to, nor vanish because of, the unbound sender's items.
 * bd13355:
 * - a confirmed jump then a return: the token (exp 10 s) expires at the second record stamped
 *   ahead (the jump confirmed), the first record back moves nothing, the second brings the clock
 *   back; a refresh (re-INVITE at 8 s, exp 100 s, answered at 8.1 s) is in force again and
 *   exports; one `expired` report, at the confirming frame with the clock's time.
 * - expiry exactly where a batch starts (maxBatchRecords 1..7 put frame 5 first in a batch for
 *   sizes 1, 2, 4): a record at exactly exp expires it (RFC 7519: at or past exp), same lines.
 * - the dialog's `integrity-failure` report's ts is the capture clock at the frame (= exp's
 *   record's time in order), not the time of a lone outlier before it.
 * By reading (no test): a live idle tick (an empty batch) moves the clock that closes windows but
 *   calls no expireDue — a token expires at the next record whose clock reaches exp, as the
 *   README says ("from the first packet at which the capture clock reaches it"); nothing is
 *   decided between, so no item escapes it. clockOf falls back to a record's own time only
 *   outside the current batch, which no media/SIP callback hits (end-of-capture SIP uses the
 *   last frame, inside the last batch's clocks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { parseLines, policyOf, type ReportLine, Workspace } from '../e2e-helpers.js';
import { type At, decided, request, response, sdpOf } from '../hand-built-calls.js';
import { aiPref, integrity, jwk, keys, replayAll, rtcpAt, T0 } from '../token-expiry-review/helpers.js';
import { decisionsOf, Scratch } from './lib.js';

const ws = new Workspace();
const s = new Scratch();
beforeAll(keys);
afterAll(async () => {
  await ws.cleanup();
  await s.cleanup();
});
const HOURS = 3 * 3600;

const APTS = { 'apt-x': { type: 'domain', export: 'raw', retention: '1h' }, 'apt-none': { type: 'domain', export: 'none', retention: '1h' }, 'apt-agg': { type: 'domain', export: 'aggregated-only', retention: '1h' } };
const chunk = (ssrc: number, priv?: string) => ({ ssrc, items: [{ type: 1, text: `c${ssrc}@x` }, ...(priv ? [{ type: 8, prefix: 'aipref', value: priv }] : [])] });
const rr = (ssrc: number, about: number[]) => ({ pt: 201, ssrc, reports: about.map((x) => ({ ssrc: x, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 })) }) as never;
/** 5555's RR about `about` and its SDES (tagged `tag`), from addresses no SDP names */
const unboundRr = (at: At, ts: number, about: number[], tag?: string) => at(ts, encodeRtcpCompound([rr(5555, about), { pt: 202, chunks: [chunk(5555, tag)] } as never]), true, 7001, 7002);
const mid = ['a=aipref:mid apt-x'];
const call = (at: At, a = mid, headers: string[] = []) => {
  at(0.1, request('INVITE', 1, sdpOf('a', a), headers, ''), true);
  at(0.2, response('200 OK', 1, sdpOf('b', a)), false);
};
const reportsOf = (run: { reports: string[] }) => parseLines<ReportLine>(run.reports);

describe('b0f1ea9: an unbound sender reporting on a declared subject', () => {
  it('several subjects: the undeclared one is unbound, the declared one is not (CLI workers 0/1/2 too)', async () => {
    const write = (at: At) => {
      call(at);
      unboundRr(at, 1, [1111, 3333], 'apt-x');
    };
    const run = await replayAll(ws, 'several', write, policyOf({ apts: APTS } as never));
    expect(decided(run)).toEqual(['3 drop no-preference', '3 export raw-allowed']);
    expect(reportsOf(run).map((r) => [r.type, r.ssrc])).toEqual([['unbound-stream', 3333]]);
    expect(run.result.summary.streams).toBe(2);
    const viaCli = await s.replay('several', write, { apts: APTS });
    expect(decisionsOf(viaCli)).toEqual(decided(run));
    expect(viaCli.summary.streams).toBe(2);
  });

  it('a subject its call disables (port 0) stops the item from the offer on', async () => {
    const run = await replayAll(ws, 'disabled', (at) => {
      call(at);
      unboundRr(at, 1, [1111], 'apt-x'); // 3
      at(2, request('INVITE', 2, sdpOf('a', mid, 0)), true); // 4
      unboundRr(at, 2.5, [1111], 'apt-x'); // 5
      at(3, response('200 OK', 2, sdpOf('b', mid, 0)), false); // 6
      unboundRr(at, 4, [1111], 'apt-x'); // 7
    }, policyOf({ apts: APTS } as never));
    expect(decided(run)).toEqual(['3 export raw-allowed', '3 export raw-allowed', '5 drop stream-disabled', '5 export raw-allowed', '7 drop stream-disabled', '7 export raw-allowed']);
    expect(reportsOf(run).filter((r) => r.type === 'unbound-stream')).toEqual([]);
  });

  it("the operator's default APT for the untagged sender: windows named as before", async () => {
    const run = await replayAll(ws, 'default', (at) => {
      call(at);
      unboundRr(at, 1, [1111]);
      unboundRr(at, 2, [1111, 2222]);
      unboundRr(at, 12, [1111]);
    }, policyOf({ apts: APTS, default: 'apt-agg' } as never));
    const aggregates = parseLines<{ type: string; apt: string[]; window: { start: number; end: number }; stream: { ssrc: number } }>(run.exports);
    expect(aggregates.map((a) => `${a.type} ${a.stream.ssrc} ${a.apt.join(',')} ${a.window.start - T0}-${a.window.end - T0}`)).toEqual([
      'aggregate 5555 apt-agg 1-11',
      'aggregate 5555 apt-agg,apt-x 1-11',
      'aggregate 5555 apt-agg 12-12',
      'aggregate 5555 apt-agg,apt-x 12-12',
    ]);
    expect(reportsOf(run).map((r) => [r.type, r.ssrc])).toEqual([['unbound-stream', 5555]]);
  });

  it("implicit-binding of the call's own streams stays", async () => {
    const run = await replayAll(ws, 'implicit', (at) => {
      call(at, [], ['AI-Pref: apt-x;scope=dialog']);
      unboundRr(at, 1, [1111], 'apt-x'); // 3
      at(1.5, encodeRtcpCompound([rr(1111, [2222])]), true, 4001, 5001); // 4
    }, policyOf({ apts: APTS } as never));
    expect(decided(run)).toEqual(['3 export raw-allowed', '3 export raw-allowed', '4 export raw-allowed']);
    expect(reportsOf(run).map((r) => [r.type, r.frame, r.ssrc])).toEqual([
      ['implicit-binding', 4, 1111],
      ['implicit-binding', 4, 2222],
    ]);
  });
});

describe('bd13355: token expiry by the capture clock', () => {
  it('a confirmed jump, then a return, then a refresh: expired once at the confirming record, in force again after', async () => {
    const h1 = await aiPref({ exp: 10 });
    const h2 = await aiPref({ exp: 100 });
    const write = (at: At) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h1], ''), true); // 1
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false); // 2
      rtcpAt(at, 5); // 3
      rtcpAt(at, HOURS); // 4: alone so far
      rtcpAt(at, HOURS + 1); // 5: confirms the jump
      rtcpAt(at, 6); // 6: back, alone
      rtcpAt(at, 7); // 7: back, confirmed
      at(8, request('INVITE', 2, sdpOf('a', []), [h2]), true); // 8
      at(8.1, response('200 OK', 2, sdpOf('b', [])), false); // 9
      rtcpAt(at, 9); // 10
      rtcpAt(at, 10.5); // 11
    };
    const run = await replayAll(ws, 'jump-back', write);
    expect(decided(run)).toEqual(['3 export raw-allowed', '4 export raw-allowed', '5 drop export-none', '6 drop export-none', '7 drop export-none', '10 export raw-allowed', '11 export raw-allowed']);
    expect(integrity(run).filter((r) => r.ssrc === undefined).map((r) => [r.frame, r.ts - T0, r.detail])).toEqual([[5, HOURS + 1, 'expired: token has expired: counted as most restrictive']]);
    const viaCli = await s.replay('jump-back', write, { apts: {}, keys: { k1: jwk } });
    expect(decisionsOf(viaCli)).toEqual(decided(run));
  });

  it('a record at exactly exp, first of a batch for several batch sizes: expired there; the report at the clock, not a lone outlier before it', async () => {
    const h = await aiPref({ exp: 10 });
    const run = await replayAll(ws, 'exact', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true); // 1
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false); // 2
      rtcpAt(at, 5); // 3
      rtcpAt(at, HOURS, 3333, 7001, 7002); // 4: another sender's lone outlier
      rtcpAt(at, 10); // 5: exactly exp
      rtcpAt(at, 10.5); // 6
    });
    expect(decided(run).filter((d) => !d.startsWith('4 '))).toEqual(['3 export raw-allowed', '5 drop export-none', '6 drop export-none']);
    expect(integrity(run).filter((r) => r.ssrc === undefined).map((r) => [r.frame, r.ts - T0])).toEqual([[5, 10]]);
  });
});
