/**
 * Found by a review of SPEC §4's item decisions, fixed since: an RTCP BYE closes the windows
 * of every source it lists.
 *
 * Input: the BUNDLE call of items-call.ts (mid a 1111/2222 apt-raw; mid v 3333/4444 apt-agg,
 * aggregated-only, 15m). At t=2 B's video stream 4444 sends an SR (aggregated into 4444's window).
 * At t=3 B leaves: one compound RR(2222) + BYE listing both of its sources, [2222, 4444] (RFC 3550
 * §6.6: "one or more sources are no longer active"; an endpoint sending audio and video over one
 * BUNDLE transport lists them all). B's last RTP is at t=9, the capture's end.
 *
 * Was (exports.ndjson, workers 0 and 2 alike): 4444's window is not closed by the BYE that names
 * 4444; it runs on and closes only at the end of the capture:
 *   {"type":"aggregate",...,"ts":1767225609,...,"stream":{"ssrc":4444,"mid":"v","kind":"video"},"apt":["apt-agg"],...,"window":{"start":1767225602,"end":1767225609},...}
 * Only the BYE's first SSRC (2222, the "sender") has its windows closed at the BYE.
 *
 * Correct: README "Aggregation windows … close … on RTCP BYE" — a BYE ends every source it lists,
 * so 4444's window closes at the BYE: aggregate ts 1767225603, window {start 1767225602, end
 * 1767225603}, expiresAt 1767225602 + 900.
 *
 * Fix: src/pipeline/media-core.ts readRtcp, the `item.kind === 'bye'` line: close the windows of
 * every stream whose SSRC the BYE lists (item.packet.ssrcs, looked up in the session), not only
 * `s === sender`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from './items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an RTCP BYE listing several sources closes the windows of each', () => {
  it("closes the second listed source's window at the BYE", async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(2, C.SR(4444, [{ ssrc: 3333 }])));
    p.push(C.fromB(3, C.compound(C.RR(2222, []), C.BYE([2222, 4444], 'done'))));
    p.push(C.fromB(9, C.RTP(2222, 201, 0)));
    const r = await C.replay(ws, p);
    const video = r.exports.filter((e) => e.type === 'aggregate' && e.stream.ssrc === 4444).map((e) => ({ ts: e.ts, window: e.window, expiresAt: e.expiresAt, apt: e.apt }));
    expect(video).toEqual([{ ts: C.T0 + 3, window: { start: C.T0 + 2, end: C.T0 + 3 }, expiresAt: C.T0 + 2 + 900, apt: ['apt-agg'] }]);
  });
});
