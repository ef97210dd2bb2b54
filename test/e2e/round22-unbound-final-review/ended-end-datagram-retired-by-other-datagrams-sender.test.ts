/**
 * Found by a final review of the unbound-session retirement (b785f4a), fixed since: an unbound session keeps (datagram ends, sender SSRC) pairs and routesAny asks lookup()'s own steps per pair, the a=ssrc route of that pair's sender only (src/pipeline/media-core.ts routesAny, declaredSsrcIn removed; src/binding/stream-table.ts noteDatagram).
 * Input: call C1 (rtcp-mux on both sides: X=192.0.2.7:5000 offers, Y=198.51.100.9:4000 answers)
 *   runs and ends (BYE). After it, late RTP of X's SSRC 1111 from X:5000 to Y:4000 (two in
 *   sequence) and one RR of Y's SSRC 2222 sent from Y:4001 to X:5001 (port+1 of the muxed call):
 *   one unbound session (key X:5000|Y:4000), two datagrams. Then call C2, on other addresses
 *   (10.9.0.1:6000 / 10.9.0.2:7000), declares a=ssrc:1111. Then two more late RTP of 1111 on X:5000→Y:4000.
 *   Replayed (bindings, reports) with workers 0, 1, 2 and batches of 1–3 (harness VARIANTS); and
 *   in one MediaCore.
 * Was (observed, every variant alike): the unbound session is retired at C2's scope — an ended
 *   no-dialog row for 1111 and one for 2222 — and 1111's next packet makes a new unbound session:
 *   unbound-stream reported a second time, three rows for one stream (ended C1, ended null, live null).
 *   routesAny: RTP of 1111 is on X:5000→Y:4000, whose ends are C1's ended addresses (skipped, as
 *   the packet path skips them), but for the RR datagram Y:4001→X:5001 — not routed by address,
 *   no ended end — it asks declaredSsrcIn(session), i.e. "does a=ssrc route ANY sender of the
 *   session", and 1111 is declared. Neither datagram is routed by the packet path: 1111's packets
 *   come only on the ended-end datagram (lookup refuses the a=ssrc route there), 2222 is declared
 *   by no one. C2 routes none of the session's packets, so nothing was retired.
 * Correct: not retired (README / retireUnboundOf's own rule: "one whose datagrams the map still
 *   routes nowhere ... is not the dialog's and keeps running"; SPEC §2: late media of an ended
 *   dialog is not taken by another call's a=ssrc): rows for 1111 = ended C1 + one live null row,
 *   unbound-stream for 1111 once after the BYE; 2222's row stays live.
 * Fix: src/pipeline/media-core.ts routesAny: ask the a=ssrc route per datagram with the senders
 *   seen on that datagram (StreamTable.noteDatagram: keep a small sender set per SeenDatagram
 *   instead of only the last `sender`; the session-wide `senders` only for packets past
 *   MAX_SEEN_DATAGRAMS) — i.e. retire iff lookup(ends, sender) of some seen (ends, sender) pair
 *   routes, which is the packet path's rule exactly and removes declaredSsrcIn's approximation.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { bye, differences, type Pkt, replayAll, rtp, sdpAt, setup } from '../round22-unbound-retire-review/harness.js';
import { rtcpPkt } from '../round22-unbound-retire-review/harness.js';
import { at, Driver, scopeOf, section } from './lib.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const X = '192.0.2.7';
const Y = '198.51.100.9';
const rr = (ssrc: number) => ({ pt: 201, ssrc, reports: [] }) as never;

it('a datagram at an ended address is not retired by another datagram whose sender a=ssrc does not route (capture, every variant)', async () => {
  const pkts: Pkt[] = [
    ...setup('c1', 1, sdpAt(X, 5000, ['a=rtcp-mux']), sdpAt(Y, 4000, ['a=rtcp-mux'])),
    rtp(1.5, X, 5000, Y, 4000, 1111, 1),
    rtp(1.6, X, 5000, Y, 4000, 1111, 2),
    ...bye('c1', 2, 2),
    rtp(3, X, 5000, Y, 4000, 1111, 3),
    rtp(3.02, X, 5000, Y, 4000, 1111, 4),
    rtcpPkt(3.1, Y, 4001, X, 5001, [rr(2222)]),
    ...setup('c2', 4, sdpAt('10.9.0.1', 6000, ['a=ssrc:1111 cname:z']), sdpAt('10.9.0.2', 7000)),
    rtp(5, X, 5000, Y, 4000, 1111, 5),
    rtp(5.02, X, 5000, Y, 4000, 1111, 6),
  ];
  const runs = await replayAll(ws, 'ended-end-other-sender', pkts);
  expect(differences(runs)).toEqual([]);
  const out = runs[0]!.out;
  const unbound1111 = out.reports.filter((r) => r.type === 'unbound-stream' && (r as { ssrc?: number }).ssrc === 1111).map((r) => r.ts);
  expect({ rows1111: out.rows(1111), rows2222: out.rows(2222), unbound1111 }).toEqual({
    rows1111: ['false null null', 'true c1 transport'],
    rows2222: ['false null null'],
    unbound1111: [1767225603.02],
  });
});

it('the same in one MediaCore: C2 declaring 1111 retires nothing', () => {
  const d = new Driver({ bindings: true });
  d.scope(0, scopeOf('C1', section([[X, 5000], [Y, 4000]])));
  d.rtp(0.5, at(X, 5000, Y, 4000), 1111);
  d.end(1, 'C1');
  d.rtp(1.1, at(X, 5000, Y, 4000), 1111);
  d.rr(1.2, at(Y, 4001, X, 5001), 2222);
  expect(d.rows()).toEqual(['1111 false null', '1111 true C1', '2222 false null']);
  d.scope(2, scopeOf('C2', section([['203.0.113.1', 6000], ['203.0.113.2', 7000]], [1111])));
  expect(d.rows()).toEqual(['1111 false null', '1111 true C1', '2222 false null']);
  d.rtp(3, at(X, 5000, Y, 4000), 1111);
  expect(d.rows()).toEqual(['1111 false null', '1111 true C1', '2222 false null']);
  expect(d.core.drain().reports.filter((r) => r.text.includes('"unbound-stream"') && r.text.includes('"ssrc":1111'))).toHaveLength(1);
});
