/**
 * Found by a review of the unbound-session retirement (eede090), fixed since: exact datagram ends, not even-rounded pairs, decide retirement (src/pipeline/media-core.ts retireUnboundOf, src/binding/stream-table.ts noteDatagram).
 * Input: hand-built (harness.ts), policy apt-raw / apt-agg / apt-none with the operator's default
 *   apt-agg (AGG_DEFAULT). Call c1: A offers m=audio 4000 with a=rtcp-mux (a=aipref:mid apt-raw),
 *   B answers m=audio 5000 with a=rtcp-mux: both ends multiplex, RTCP belongs on 4000/5000. A sends
 *   its SRs (SSRC 1111) on the old RTCP port anyway, 10.0.0.1:4001 → 10.0.0.2:5001, a transport
 *   no SDP names: the decisions show every one of them unbound ("aggregate aggregated-only
 *   apt-agg", dialog null) before and after each scope. (1) session-refresh re-INVITEs (same SDP)
 *   at t=2 and t=4, an SR after each; (2) the same SRs starting before any signaling.
 * Was (observed, workers 0 and 2 alike): (1) three `unbound-stream` reports for 1111 (frames 4,
 *   8, 12), three aggregates {start 1, end 2}, {3, 4}, {5, 5} (one item each, cut at each
 *   re-INVITE's ts), bindings for 1111: one live and two ended no-dialog rows; (2) two
 *   `unbound-stream` reports (frames 1 and 5: the second after the 200 OK, while the SR is still
 *   decided unbound), the window cut at the 200 OK.
 * Correct: the stream never had a dialog: one `unbound-stream` report (README: "An unbound
 *   stream's unbound-stream is reported once while it stays"; SPEC §6), one aggregate window
 *   running on (window 10 s: {start 1767225601, end 1767225605, items 3}; SPEC §5: a scope that
 *   changes nothing for a stream leaves its windows running), one live no-dialog row and no ended
 *   one in `bindings` (§8: the table at the end of the capture; nothing ended). An operator gets
 *   a fresh unbound-stream report at every session refresh (RFC 4028 timers re-INVITE every few
 *   minutes) for one stray stream.
 * Fix: src/pipeline/media-core.ts retireUnboundOf / unboundEnds: the ends are rounded down to even
 *   ports (unboundSessionKey's RTP+RTCP pairing), so a scope naming 4000/5000 retires the session
 *   of 4001↔5001 traffic even where rtcp-mux means the scope does not route 4001/5001 (TransportMap
 *   has 4000/5000 only). Retire an unbound session only when the transport map now routes its
 *   datagrams: keep the exact ends each unbound session saw (StreamTable) and check them with
 *   TransportMap.lookupDatagramV4/V6 after transports.set, instead of pairing rounded ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, AGG_DEFAULT, B, differences, rtcpPkt, replayAll, sdpAt, setup, srIn } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const offer = sdpAt(A, 4000, ['a=aipref:mid apt-raw', 'a=rtcp-mux']);
const answer = sdpAt(B, 5000, ['a=rtcp-mux']);
const stray = (ts: number) => rtcpPkt(ts, A, 4001, B, 5001, [srIn(1111)]);
const VARIANTS = [
  { name: 'workers 0', workers: 0 },
  { name: 'workers 2', workers: 2 },
];

describe('RTCP on port+1 of an rtcp-mux call stays one unbound stream', () => {
  it('session-refresh re-INVITEs do not make it a new unbound stream each time', async () => {
    const runs = await replayAll(ws, 'mux-refresh', [...setup('c1', 0, offer, answer), stray(1), ...setup('c1', 2, offer, answer, 2), stray(3), ...setup('c1', 4, offer, answer, 3), stray(5)], AGG_DEFAULT, VARIANTS);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    // the SRs are decided unbound throughout (no dialog routes 4001/5001)
    expect(o.d).toEqual(['4 1111 aggregate aggregated-only apt-agg', '8 1111 aggregate aggregated-only apt-agg', '12 1111 aggregate aggregated-only apt-agg']);
    expect(o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame)).toEqual([4]);
    const aggs = o.exports.filter((e) => e.type === 'aggregate').map((e) => ({ ...(e as unknown as { window: unknown }).window as object, items: (e as unknown as { stats: { items: number } }).stats.items }));
    expect(aggs).toEqual([{ start: 1767225601, end: 1767225605, items: 3 }]);
    expect(o.rows(1111)).toEqual(['false null null']);
  });

  it('the scope of the call does not cut the unbound stream seen before signaling', async () => {
    const runs = await replayAll(ws, 'mux-before', [stray(0), ...setup('c1', 1, offer, answer), stray(2), stray(3)], AGG_DEFAULT, VARIANTS);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['1 1111 aggregate aggregated-only apt-agg', '5 1111 aggregate aggregated-only apt-agg', '6 1111 aggregate aggregated-only apt-agg']);
    expect(o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame)).toEqual([1]);
    expect(o.exports.filter((e) => e.type === 'aggregate').map((e) => (e as unknown as { window: unknown }).window)).toEqual([{ start: 1767225600, end: 1767225603 }]);
    expect(o.rows(1111)).toEqual(['false null null']);
  });
});
