/**
 * Input: hand-built capture (../round22-unbound-retire-review/harness.ts, policy POLICY), replayed
 *   with workers 0 and 2. Both parties behind NAT (no SDP names 192.0.2.7 or 198.51.100.9), one
 *   BUNDLE'd rtcp-mux transport pair 192.0.2.7:4000 <-> 198.51.100.9:5000, as a WebRTC/SIP
 *   conference leg seen before its signaling: the SFU side (198.51.100.9) forwards 16 sources
 *   (SSRCs 2001..2016, two RTP packets each), then the client (192.0.2.7) starts sending its own
 *   SSRC 1111 (two RTP packets). Then call c1: A's offer (10.0.0.1:4000) declares
 *   `a=ssrc:1111 cname:a` with `a=aipref:mid apt-raw`, B answers 10.0.0.2:5000. Then 1111's RTP
 *   again (seq 3), the BYE, and 1111's RTP after it (seq 4, 5).
 *   The same in one MediaCore: 17 senders on one datagram, a=ssrc of the 17th.
 * Was (observed, workers 0 and 2 alike): the unbound session is not retired at c1's scope —
 *   `bindings` ends with a live no-dialog row for 1111 ("false null") beside c1's, and no second
 *   `unbound-stream` for 1111 after the BYE (the stale unbound stream takes the late packets).
 *   noteDatagram keeps only the first MAX_SEEN_DATAGRAMS = 16 (ends, sender) pairs; the 17th
 *   sender is filed under StreamTable.unboundWith (so the session IS a candidate at c1's scope),
 *   but routesAny only walks the kept pairs, none of which is 1111's: its a=ssrc route is never
 *   asked. Before 38525f0 (8 ends, any sender's a=ssrc asked via declaredSsrcIn) this session was
 *   retired: a regression of 38525f0's pair list.
 * Correct: retired at the scope (README: "the first scope … under which a datagram the unbound
 *   session saw is routed … by the a=ssrc of the SSRC that sent it … retires the unbound
 *   session"): an ended no-dialog row for 1111 and c1's live a=ssrc row, unbound-stream reported
 *   again after the BYE. The packet path routes 1111's packets to c1 from the 200 OK on, so the
 *   unbound stream is history: two live rows for one stream is what round 22 fixed for ≤ 16
 *   senders. 17 SSRCs on one bundle is an ordinary SFU leg (a few participants with simulcast
 *   and RTX), and `senders` is already bounded by the stream table, so the cap need not drop senders.
 * Fix: src/binding/stream-table.ts noteDatagram: once the list is full, still keep the first pair
 *   of a sender that has none kept (pairs ≤ 16 + senders, senders ≤ the session's streams, which
 *   maxStreams bounds; forgetSender already drops them with the stream); or keep per sender its
 *   first ends beside the capped list and let MediaCore.routesAny walk those too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { bye, differences, POLICY, replayAll, rtp, sdpAt, setup } from '../round22-unbound-retire-review/harness.js';
import { at, Driver, scopeOf, section } from '../round22-unbound-final-review/lib.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const P = '192.0.2.7';
const Q = '198.51.100.9';
const VARIANTS = [
  { name: 'workers 0', workers: 0 },
  { name: 'workers 2', workers: 2 },
];
const offer = sdpAt('10.0.0.1', 4000, ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:a', 'a=rtcp-mux']);
const answer = sdpAt('10.0.0.2', 5000, ['a=rtcp-mux']);

describe('an unbound session with more than 16 (ends, sender) pairs', () => {
  it("the 17th sender's a=ssrc route retires it (capture, workers 0 and 2)", async () => {
    const pk = [];
    for (let i = 1; i <= 16; i++) pk.push(rtp(i * 0.01, Q, 5000, P, 4000, 2000 + i, 1), rtp(i * 0.01 + 0.005, Q, 5000, P, 4000, 2000 + i, 2));
    pk.push(rtp(0.5, P, 4000, Q, 5000, 1111, 1), rtp(0.52, P, 4000, Q, 5000, 1111, 2));
    pk.push(...setup('c1', 1, offer, answer), rtp(2, P, 4000, Q, 5000, 1111, 3), ...bye('c1', 3, 2), rtp(4, P, 4000, Q, 5000, 1111, 4), rtp(4.02, P, 4000, Q, 5000, 1111, 5));
    const runs = await replayAll(ws, 'seventeen', pk, POLICY, VARIANTS);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    const unbound1111 = o.reports.filter((r) => r.type === 'unbound-stream' && (r as unknown as { ssrc: number }).ssrc === 1111).length;
    expect({ rows: o.rows(1111), unboundReports: unbound1111 }).toEqual({ rows: ['false null null', 'true c1 a=ssrc', 'true null null'], unboundReports: 2 });
  });

  it('the same in one MediaCore', () => {
    const d = new Driver({ bindings: true });
    const nat = at(P, 4000, Q, 5000);
    for (let i = 1; i <= 16; i++) d.rtp(i * 0.01, at(Q, 5000, P, 4000), 2000 + i);
    d.rtp(0.5, nat, 1111);
    d.scope(1, scopeOf('Z', section([['10.1.0.1', 4000], ['10.2.0.1', 5000]], [1111])));
    d.rtp(2, nat, 1111, 1);
    expect(d.rows(1111)).toEqual(['1111 false Z', '1111 true null']);
  });
});
