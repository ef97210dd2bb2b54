/**
 * Found by a review of the unbound-session fix (fa3cb23), fixed since: retirement follows the packet path's a=ssrc route too, for the SSRCs whose route the event opened, candidates from an index of unbound streams by SSRC (src/pipeline/media-core.ts retireUnboundOf / routesAny / unroutedSsrcs, src/binding/stream-table.ts stream / unboundWith).
 * Input: hand-built (../round22-unbound-retire-review/harness.ts), policy apt-raw / apt-agg /
 *   apt-none (POLICY), workers 0 and 2. Both parties are behind NAT: SSRC 1111's media goes
 *   192.0.2.7:4001 → 198.51.100.9:5001 (RTCP) or :4000 → :5000 (RTP), addresses no SDP names.
 *   A's offer (c=10.0.0.1, m=audio 4000) declares it, `a=ssrc:1111 cname:a`, with
 *   `a=aipref:mid apt-raw`; B answers 10.0.0.2:5000. The same packets come before the INVITE,
 *   during the call (they are c1's by the a=ssrc route: "export raw-allowed apt-raw", binding
 *   via a=ssrc) and after its BYE. (1) SR, with a BYE; (2) SR, no BYE; (3) RTP (two in sequence
 *   before, one during, two after the BYE).
 * Was (observed, workers 0 and 2 alike): the unbound session of the NAT'd pair is never retired:
 *   (1) one `unbound-stream` report (frame 1), none for the late SR at frame 8 (decided "drop
 *   no-preference" with no dialog); (2) `bindings` ends with a live no-dialog row for 1111
 *   ("false null null") beside c1's ("false c1 a=ssrc"); (3) one report (frame 2), none at the
 *   post-BYE RTP (frame 11).
 * Correct: the scope changed these datagrams' route (SPEC §2: a=ssrc is the first route; from
 *   the 200 OK they are c1's), exactly as a NAT'd sender's one-end route does, which fa3cb23
 *   retires: (1)/(3) a second `unbound-stream` after the BYE (README: "after a call named its
 *   addresses, media with no dialog there again is a new unbound stream, reported again");
 *   (2) the pre-signaling stream is history (an ended no-dialog row), c1's row the only live
 *   one for 1111 (SPEC §8, bindings at the end of the capture; the stale row eede090 fixed in
 *   port-reuse-review/bindings-stale-unbound-row). SBCs and WebRTC gateways that declare a=ssrc
 *   behind double NAT are exactly where the address route fails and the a=ssrc route carries.
 * Fix: src/pipeline/media-core.ts retireUnboundOf / routesAny: only lookup's first step
 *   (lookupDatagramV4/V6) is asked, and candidates come only from ownedEntries (transport
 *   keys). Also take the SSRCs the scope (and its pending offer) declares: for each, the
 *   unbound streams of that SSRC (index unbound streams by SSRC in StreamTable, filed when
 *   made) whose session's datagrams no address routes and none of whose ends is an ended
 *   dialog's (MediaCore.lookup's second step, endedEndV4/V6 then lookupSsrc) — retire them
 *   (the whole session when every stream of it is so routed, else those streams alone, with
 *   their windows closed as scope-change).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { bye, differences, POLICY, rtcpPkt, replayAll, rtp, sdpAt, setup, srIn } from '../round22-unbound-retire-review/harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const P = '192.0.2.7';
const Q = '198.51.100.9';
const VARIANTS = [
  { name: 'workers 0', workers: 0 },
  { name: 'workers 2', workers: 2 },
];
const offer = sdpAt('10.0.0.1', 4000, ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:a']);
const answer = sdpAt('10.0.0.2', 5000);
const sr = (ts: number) => rtcpPkt(ts, P, 4001, Q, 5001, [srIn(1111)]);
const unboundFrames = (o: { reports: { type: string; frame: number }[] }) => o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame);

describe('an unbound session whose SSRC the scope declares (a=ssrc route) is retired', () => {
  it('SR after the BYE is a new unbound stream, reported again', async () => {
    const runs = await replayAll(ws, 'ssrc-bye', [sr(0), ...setup('c1', 1, offer, answer), sr(2), ...bye('c1', 3, 2), sr(4)], POLICY, VARIANTS);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw', '8 1111 drop no-preference ']);
    expect(unboundFrames(o)).toEqual([1, 8]);
  });

  it('no live no-dialog row once the stream is the call\'s', async () => {
    const runs = await replayAll(ws, 'ssrc-live', [sr(0), ...setup('c1', 1, offer, answer), sr(2)], POLICY, VARIANTS);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw']);
    expect(o.bindings.filter((b) => b.ssrc === 1111 && !b.ended).map((b) => `${b.dialog?.callId ?? null} ${b.via}`)).toEqual(['c1 a=ssrc']);
  });

  it('RTP: after the BYE a new unbound stream, reported again', async () => {
    const pk = [rtp(0, P, 4000, Q, 5000, 1111, 1), rtp(0.02, P, 4000, Q, 5000, 1111, 2), ...setup('c1', 1, offer, answer), rtp(2, P, 4000, Q, 5000, 1111, 3), rtcpPkt(2.1, P, 4001, Q, 5001, [srIn(1111)]), ...bye('c1', 3, 2), rtp(4, P, 4000, Q, 5000, 1111, 4), rtp(4.02, P, 4000, Q, 5000, 1111, 5)];
    const runs = await replayAll(ws, 'ssrc-rtp', pk, POLICY, VARIANTS);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.d).toEqual(['7 1111 export raw-allowed apt-raw']);
    expect(unboundFrames(o)).toEqual([2, 11]);
  });
});
