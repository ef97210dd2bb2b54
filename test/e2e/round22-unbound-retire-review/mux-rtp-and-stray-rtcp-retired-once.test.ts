/**
 * Found by a review of the unbound-session retirement (eede090), fixed since: a session is retired when the map routes a datagram it saw, by its exact ends (src/pipeline/media-core.ts retireUnboundOf, src/binding/stream-table.ts noteDatagram).
 * Input: hand-built (harness.ts), operator default apt-agg (AGG_DEFAULT). (1) Before any
 *   signaling, SSRC 1111 sends RTP 10.0.0.1:4000 → 10.0.0.2:5000 and an SR on the old RTCP port,
 *   4001 → 5001 (one unbound session: the pair rounded to even). Call c1 then agrees rtcp-mux on
 *   4000/5000 (a=aipref:mid apt-raw); RTP after the 200 OK, an SR on 4001 → 5001 after it and
 *   after each of two session-refresh re-INVITEs. (2) NAT over IPv6: the SR comes from
 *   2001:db8:ffff::7:4001 (A's public address) to B 2001:db8::2:5001 while A's SDP names
 *   2001:db8::1, before the call, during it and after its BYE.
 * Was: (1) before the fix: the session retired at every scope (each re-INVITE a new
 *   unbound-stream report and a cut window); (2) never retired (one end named).
 * Correct: (1) the session is retired once, at the INVITE (its RTP is c1's from the offer on:
 *   window {start 0.2, end 1}, an ended no-dialog row); the stray SR is a new unbound stream
 *   (reported at frame 8) whose window runs on through the refreshes ({2, 6}, 3 items), one live
 *   no-dialog row; (2) as for IPv4 NAT: reported again after the BYE (frames 1 and 8).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, AGG_DEFAULT, B, bye, differences, POLICY, rtcpPkt, replayAll, rtp, sdpAt, setup, srIn } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const offer = sdpAt(A, 4000, ['a=aipref:mid apt-raw', 'a=rtcp-mux']);
const answer = sdpAt(B, 5000, ['a=rtcp-mux']);
const windowsOf = (exports: { type: string }[]) => exports.filter((e) => e.type === 'aggregate').map((e) => ({ ...(e as unknown as { window: object }).window, items: (e as unknown as { stats: { items: number } }).stats.items }));

describe('unbound sessions retired by the datagrams they saw', () => {
  it('RTP on the muxed ports and stray RTCP on port+1: retired once, the stray RTCP then stays unbound', async () => {
    const runs = await replayAll(
      ws,
      'mux-mixed',
      [
        rtp(0, A, 4000, B, 5000, 1111, 1),
        rtp(0.1, A, 4000, B, 5000, 1111, 2),
        rtcpPkt(0.2, A, 4001, B, 5001, [srIn(1111)]),
        ...setup('c1', 1, offer, answer),
        rtp(1.5, A, 4000, B, 5000, 1111, 3),
        rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]),
        ...setup('c1', 3, offer, answer, 2),
        rtcpPkt(4, A, 4001, B, 5001, [srIn(1111)]),
        ...setup('c1', 5, offer, answer, 3),
        rtcpPkt(6, A, 4001, B, 5001, [srIn(1111)]),
      ],
      AGG_DEFAULT,
    );
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['3 1111 aggregate aggregated-only apt-agg', '8 1111 aggregate aggregated-only apt-agg', '12 1111 aggregate aggregated-only apt-agg', '16 1111 aggregate aggregated-only apt-agg']);
    expect(o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame)).toEqual([2, 8]);
    expect(windowsOf(o.exports)).toEqual([
      { start: 1767225600.2, end: 1767225601, items: 1 },
      { start: 1767225602, end: 1767225606, items: 3 },
    ]);
    expect(o.rows(1111)).toEqual(['false c1 transport', 'false null null', 'true null null']);
  });

  it('NAT over IPv6: media after the BYE is a new unbound stream, reported again', async () => {
    const P6 = '2001:db8:ffff::7';
    const A6 = '2001:db8::1';
    const B6 = '2001:db8::2';
    const sr = (ts: number) => rtcpPkt(ts, P6, 4001, B6, 5001, [srIn(1111)]);
    const runs = await replayAll(ws, 'nat-v6', [sr(0), ...setup('c1', 1, sdpAt(A6, 4000, ['a=aipref:mid apt-raw']), sdpAt(B6, 5000)), sr(2), ...bye('c1', 3, 2), sr(4)], POLICY);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw', '8 1111 drop no-preference ']);
    expect(o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame)).toEqual([1, 8]);
    expect(o.rows(1111)).toEqual(['false null null', 'true c1 transport', 'true null null']);
  });
});
