/**
 * Round 29 carry-asks review: checks that came out fine (commit 33ba62b, carried tags asked of the
 * pair's shard). Each compares workers 0 with 2 and 3, whole batches and batches of 1-3 records
 * (an ask's cut at a batch's first and last record), one unit in flight as live runs, and checks
 * where the tag went.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLines, policyOf, Workspace, type DecisionLine, type ReportLine } from '../../e2e/e2e-helpers.js';
import { A, B, bye, head, rawCall, rtcpPkt, rtp, sdesTag, setup, sdpAt, srIn } from '../../e2e/port-reuse-review/common.js';
import { jwk, keys, token as signedToken } from '../../e2e/token-expiry-review/helpers.js';
import { sip } from '../../e2e/hand-built-calls.js';
import { ALL_CONFIGS, callOn, callShard, cutIn, expectSame, pairShard, runsMixed, type Run } from './helpers.js';
import type { Pkt } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const C = '10.0.0.3';
const D = '10.0.0.4';

const decided = (r: Run) => parseLines<DecisionLine>(r.decisions).map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${[...x.apt].sort().join('+')}`);

describe('asks across shards give the lines of one shard', () => {
  it('asks in consecutive records, and one RTCP naming noted SSRCs (sender, report subjects) that go to two dialogs', async () => {
    // `other` declares 3333 (a=ssrc) on C/D, `main` its own SSRCs (TransportMap.declaredOver: 3333 goes to `other`); the pair A:4001|B:5001 holds tags for 1111, 2222 and 3333
    const ps = pairShard(A, 4001, B, 5001, 2);
    const main = callOn('multi-main', 2, ps, true);
    const other = callOn('multi-other', 2, ps, true);
    expect(callShard(main, 2)).not.toBe(ps);
    const pkts: Pkt[] = [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      rtcpPkt(0.5, B, 5001, A, 4001, [srIn(2222), sdesTag(2222, 'apt-agg')]), // 2
      rtcpPkt(0.7, A, 4001, B, 5001, [srIn(1111), { pt: 202, chunks: [{ ssrc: 3333, items: [{ type: 1, text: 'c' }, { type: 8, prefix: 'aipref', value: 'apt-none' }] }] } as never]), // 3
      ...setup(main, 10, sdpAt(A, 4000, 1111, ['a=aipref:session apt-raw']), sdpAt(B, 5000, 2222, ['a=aipref:session apt-raw'])), // 4-6: declares its own SSRCs
      ...setup(other, 10.5, sdpAt(C, 6000, 3333, ['a=aipref:session apt-raw']), sdpAt(D, 7000, null, ['a=aipref:session apt-raw'])), // 7-9
      rtcpPkt(11, B, 5001, A, 4001, [srIn(2222, 1111), { pt: 201, ssrc: 2222, reports: [{ ssrc: 3333, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }] } as never]), // 10: names 2222, 1111, 3333
      rtcpPkt(11.1, A, 4001, B, 5001, [srIn(1111)]), // 11
      rtcpPkt(11.2, C, 6001, D, 7001, [srIn(3333)]), // 12: 3333's own RTCP, in `other`
    ];
    const all = await runsMixed(ws, 'multi', pkts, ALL_CONFIGS);
    expectSame(all);
    expect(cutIn(all)).toBe(true);
    const d = decided(all[0]!);
    expect(d.filter((x) => x.startsWith('11 '))).toEqual(['11 1111 drop export-none apt-none']);
    expect(d.filter((x) => x.startsWith('12 '))).toEqual(['12 3333 drop export-none apt-none']);
    expect(d.filter((x) => x.startsWith('10 ')).every((x) => !x.includes(' export '))).toBe(true);
  }, 120_000);

  it('an IPv6 pair: the tag reaches the call on another shard, the same lines', async () => {
    const A6 = 'fd00::1';
    const B6 = 'fd00::2';
    const sdp6 = (ip: string, port: number) => ['v=0', `o=- 1 1 IN IP6 ${ip}`, 's=-', `c=IN IP6 ${ip}`, 't=0 0', 'a=aipref:session apt-raw', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
    let cuts = 0;
    for (let i = 0; i < 6; i++) {
      const call = `v6-call-${i}`;
      const all = await runsMixed(ws, `v6-${i}`, [
        rtcpPkt(0, A6, 4001, B6, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        ...setup(call, 10, sdp6(A6, 4000), sdp6(B6, 5000)), // 2-4
        rtcpPkt(11, A6, 4001, B6, 5001, [srIn(1111)]), // 5
        rtcpPkt(12, B6, 5001, A6, 4001, [srIn(2222)]), // 6
      ], [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxBatchRecords: 1 }]);
      expectSame(all);
      if (cutIn(all)) cuts++;
      expect(decided(all[0]!).filter((x) => x.startsWith('5 ') || x.startsWith('6 '))).toEqual(['5 1111 drop export-none apt-none', '6 2222 export raw-allowed apt-raw']);
    }
    expect(cuts).toBeGreaterThan(0);
  }, 120_000);

  it('a retired record goes at the sweep 300 s after its last packet: carried before, not after (any worker count)', async () => {
    for (const [late, expected] of [[200, 'drop export-none apt-none'], [400, 'export raw-allowed apt-raw']] as const) {
      for (let i = 0; i < 3; i++) {
        const call = `sweep-${late}-${i}`;
        const all = await runsMixed(ws, `sweep-${late}-${i}`, [
          rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
          ...rawCall(call, 10), // 2-4: retires it
          rtcpPkt(11, B, 5001, A, 4001, [srIn(2222)]), // 5: the call runs; 1111 silent
          ...setup(`${call}-x`, late - 1, sdpAt(C, 6000, null), sdpAt(D, 7000, null)), // 6-8: signaling (a sweep once 300 s passed)
          rtcpPkt(late, A, 4001, B, 5001, [srIn(1111)]), // 9
        ], [{ workers: 0 }, { workers: 2 }, { workers: 3, maxBatchRecords: 2 }]);
        expectSame(all);
        expect(decided(all[0]!).filter((x) => x.startsWith('9 '))).toEqual([`9 1111 ${expected}`]);
      }
    }
  }, 120_000);

  it('late RTCP after a BYE, unbound again and tagged: its tag reaches the next call on the addresses, asked or not (first named as a report subject)', async () => {
    // (plain RTCP: the SRTCP-after-BYE path differs only in the keyring's decryption, which the commit left alone)
    let cuts = 0;
    for (let i = 0; i < 6; i++) {
      const call = `after-bye-${i}`;
      const all = await runsMixed(ws, `after-bye-${i}`, [
        ...rawCall(`${call}-first`, 0), // 1-3
        ...bye(`${call}-first`, 5, 2), // 4-5
        rtcpPkt(6, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 6: late, unbound
        ...rawCall(call, 10), // 7-9
        rtcpPkt(11, B, 5001, A, 4001, [srIn(2222, 1111)]), // 10: names 1111 as a subject first
        rtcpPkt(11.5, A, 4001, B, 5001, [srIn(1111)]), // 11
      ], [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxBatchRecords: 1 }]);
      expectSame(all);
      if (cutIn(all)) cuts++;
      expect(decided(all[0]!).filter((x) => x.startsWith('11 '))).toEqual(['11 1111 drop export-none apt-none']);
    }
    expect(cuts).toBeGreaterThan(0);
  }, 120_000);

  it('RTP as the first routed packet of the SSRC asks too', async () => {
    let cuts = 0;
    for (let i = 0; i < 6; i++) {
      const call = `rtp-ask-${i}`;
      const all = await runsMixed(ws, `rtp-ask-${i}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        ...rawCall(call, 10), // 2-4
        rtp(11, A, 4000, B, 5000, 1111, 1), // 5
        rtcpPkt(12, A, 4001, B, 5001, [srIn(1111)]), // 6
      ], [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxBatchRecords: 1 }]);
      expectSame(all);
      if (cutIn(all)) cuts++;
      expect(decided(all[0]!).filter((x) => x.startsWith('6 '))).toEqual(['6 1111 drop export-none apt-none']);
    }
    expect(cuts).toBeGreaterThan(0);
  }, 120_000);
});

describe('a signed token expiring at the very packet that asks', () => {
  beforeAll(keys);

  it('the expiry, its reports and the carried tag come out as with no workers', async () => {
    const token = await signedToken({ sub: 'apt-x', exp: 20 });
    const policy = policyOf({ apts: { 'apt-none': { type: 'user', export: 'none', retention: '1h' }, 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' } }, keys: { k1: jwk } });
    const invite = (call: string, t: number): Pkt => ({ ts: t, src: A, dst: B, sport: 5060, dport: 5060, payload: sip([...head(call, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, ''), `AI-Pref: apt-x;integrity=jws;token=${token}`], sdpAt(A, 4000, null)) });
    let cuts = 0;
    for (let i = 0; i < 6; i++) {
      const call = `expiry-${i}`;
      const [, ok, ack] = setup(call, 10, sdpAt(A, 4000, null), sdpAt(B, 5000, null));
      const all = await runsMixed(ws, `expiry-${i}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-agg')]), // 1
        invite(call, 10), // 2
        ok!, // 3
        ack!, // 4
        rtcpPkt(11, B, 5001, A, 4001, [srIn(2222)]), // 5: exported under apt-x
        rtcpPkt(20, A, 4001, B, 5001, [srIn(1111)]), // 6: apt-x expires here, and 1111's tag is asked
        rtcpPkt(21, B, 5001, A, 4001, [srIn(2222)]), // 7
      ], [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxBatchRecords: 1 }, { workers: 3, maxBatchRecords: 2 }], policy);
      expectSame(all);
      if (cutIn(all)) cuts++;
      const told = parseLines<ReportLine>(all[0]!.reports).filter((r) => r.type === 'integrity-failure' && r.frame === 6);
      expect(told.length).toBeGreaterThan(0);
      expect(decided(all[0]!).filter((x) => x.startsWith('5 ') || x.startsWith('7 '))).toEqual(['5 2222 export raw-allowed apt-x', '7 2222 drop export-none apt-x']);
      expect(decided(all[0]!).filter((x) => x.startsWith('6 ')).every((x) => x.startsWith('6 1111 drop '))).toBe(true);
    }
    expect(cuts).toBeGreaterThan(0);
  }, 120_000);
});
