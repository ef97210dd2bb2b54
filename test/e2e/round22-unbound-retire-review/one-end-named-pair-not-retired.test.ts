/**
 * Found by a review of the unbound-session retirement (eede090), fixed since: a session is retired when the map routes a datagram it saw, by either end (src/pipeline/media-core.ts retireUnboundOf, src/binding/stream-table.ts unboundSession/noteDatagram).
 * Input: hand-built (harness.ts), policy apt-raw / apt-agg / apt-none (POLICY). SSRC 1111's SR is
 *   seen before any signaling on a transport pair of which the later SDP names only one end:
 *   (1) NAT: it comes from 192.0.2.7:4001 (A's public address) to B 10.0.0.2:5001, while A's SDP
 *   says c=IN IP4 10.0.0.1, m=audio 4000 (a=aipref:mid apt-raw) and B answers 5000; the SR after
 *   the 200 OK goes to B's negotiated RTCP address and is c1's ("export raw-allowed apt-raw",
 *   dialog c1), then BYE, then a late SR with no dialog again; (2) the same without the BYE;
 *   (3) A's INVITE (offer 10.0.0.1:4000) is answered 488: the SR between is the early dialog's
 *   (exported under apt-raw), the one after the 488 has no dialog again.
 * Was (observed, workers 0 and 2 alike): (1) one `unbound-stream` report (frame 1): the late SR
 *   (frame 8, "drop no-preference") is not reported; (2) `bindings` ends with a live no-dialog row
 *   for 1111 beside c1's ("false null null" and "false c1 transport"); (3) one report (frame 1),
 *   none at frame 6.
 * Correct: what eede090 made true for a pair whose two ends the SDP names must hold wherever the
 *   scope routes the pair: (1) a second `unbound-stream` at frame 8 (README: "after a call named
 *   its addresses, media with no dialog there again is a new unbound stream, reported again");
 *   (2) no live no-dialog row once the stream's datagrams are c1's (SPEC §8, bindings at the end
 *   of the capture; the stale row the commit fixed in port-reuse-review/bindings-stale-unbound-row);
 *   (3) a second `unbound-stream` at frame 6. SIP endpoints behind NAT (SDP names the private
 *   address, media comes from the public one) are the common case, and an offer names one side only.
 * Fix: src/pipeline/media-core.ts retireUnboundOf: TransportMap.lookupDatagramV4/V6 routes a
 *   datagram when either end is negotiated (its destination, else its source), but retireUnboundOf
 *   only retires a session whose BOTH ends one m-section names (pairs of unboundEnds). Retire every
 *   unbound session whose datagrams the scope now routes (index unbound sessions by the ends they
 *   saw in StreamTable, look each scope/pending address up there), consistent with the one-end rule.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, bye, differences, POLICY, req, res, rtcpPkt, replayAll, sdpAt, setup, sipA, sipB, srIn } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const P = '192.0.2.7';
const VARIANTS = [
  { name: 'workers 0', workers: 0 },
  { name: 'workers 2', workers: 2 },
];
const unboundFrames = (o: { reports: { type: string; frame: number }[] }) => o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame);

describe('an unbound session whose pair the scope routes by one end', () => {
  it('NAT: media after the BYE is a new unbound stream, reported again', async () => {
    const runs = await replayAll(
      ws,
      'nat-bye',
      [rtcpPkt(0, P, 4001, B, 5001, [srIn(1111)]), ...setup('c1', 1, sdpAt(A, 4000, ['a=aipref:mid apt-raw']), sdpAt(B, 5000)), rtcpPkt(2, P, 4001, B, 5001, [srIn(1111)]), ...bye('c1', 3, 2), rtcpPkt(4, P, 4001, B, 5001, [srIn(1111)])],
      POLICY,
      VARIANTS,
    );
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw', '8 1111 drop no-preference ']);
    expect(unboundFrames(o)).toEqual([1, 8]);
  });

  it('NAT: no live no-dialog row once the stream is the call\'s', async () => {
    const runs = await replayAll(ws, 'nat-live', [rtcpPkt(0, P, 4001, B, 5001, [srIn(1111)]), ...setup('c1', 1, sdpAt(A, 4000, ['a=aipref:mid apt-raw']), sdpAt(B, 5000)), rtcpPkt(2, P, 4001, B, 5001, [srIn(1111)])], POLICY, VARIANTS);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw']);
    expect(o.bindings.filter((b) => b.ssrc === 1111 && !b.ended).map((b) => `${b.dialog?.callId ?? null} ${b.via}`)).toEqual(['c1 transport']);
  });

  it('an offer answered 488: media after it is a new unbound stream, reported again', async () => {
    const runs = await replayAll(
      ws,
      'offer-488',
      [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111)]),
        sipA(1, req('c1', 'INVITE', 1, sdpAt(A, 4000, ['a=aipref:mid apt-raw']), '')),
        rtcpPkt(1.5, A, 4001, B, 5001, [srIn(1111)]),
        sipB(2, res('c1', '488 Not Acceptable Here', 'INVITE', 1, null)),
        sipA(2.01, req('c1', 'ACK', 1, null)),
        rtcpPkt(3, A, 4001, B, 5001, [srIn(1111)]),
      ],
      POLICY,
      VARIANTS,
    );
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['1 1111 drop no-preference ', '3 1111 export raw-allowed apt-raw', '6 1111 drop no-preference ']);
    expect(unboundFrames(o)).toEqual([1, 6]);
  });
});
