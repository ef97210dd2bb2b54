/**
 * Found by a review of RTCP XR end to end, fixed since: SSRC 0 is a source like any other in report blocks, XR blocks, SDES chunks and BYE lists; only feedback's media SSRC and FIR entries read 0 as none (src/enforce/telemetry-items.ts, zeroIsNone).
 *
 * SSRC 0 is an SSRC like any other (RFC 3550 §8.1: chosen at random, no value reserved), and
 * signaling can declare it (`a=ssrc:0`). splitTelemetry treats a subject SSRC of 0 as "none"
 * everywhere — right for feedback's media SSRC (RFC 4585 §6.1, RFC 5104 FIR), not for the "SSRC
 * of source" of an XR block (RFC 3611 §4) nor for a report block (RFC 3550 §6.4.1) — so telemetry
 * about a stream whose SSRC is 0 is never governed by that stream.
 *
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts with B's mid d (apt-none, export none)
 * declaring `a=ssrc:0` instead of 6666; B sends one RTP packet from SSRC 0 (bindings --json lists
 * it: ssrc 0, mid d, apt [apt-none], via a=ssrc). A's stream 1111 (apt-raw) then sends
 * RR [report block about 0] + XR [VoIP metrics about 0].
 *
 * Was (decisions, workers 0 and 2 alike):
 *   {"ssrc":1111,"pt":201,"feature":"media-metrics","decision":"export","reason":"raw-allowed","apt":["apt-raw"]}
 *   {"ssrc":1111,"pt":207,"feature":"rtcp-xr","decision":"export","reason":"raw-allowed","apt":["apt-raw"],"block":0}
 * — the VoIP metrics (MOS, R factor, loss) and the report block about mid d's stream leave raw,
 * though its APT says export=none.
 *
 * Correct: SPEC §4 — an XR block (and a report block) is governed by the stream of the source it
 * reports on too, the most restrictive applying: both drop, reason export-none, apt [apt-none].
 *
 * Fix: src/enforce/telemetry-items.ts — xrBlockSubjects (and reportSubjects for SR/RR) keep a
 * subject SSRC of 0 (only drop it when it is the sender); the "0 = none" rule of onlyOther /
 * distinctOthers belongs to feedback's media SSRC and FIR entries only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** The call with B's mid d stream declared as SSRC 0. */
function callWithSsrcZero(): C.Pkt[] {
  return C.callWithMedia().map((q) => {
    const t = Buffer.from(q.payload).toString('latin1');
    if (!t.includes('a=ssrc:6666')) return q;
    const cut = t.indexOf('\r\n\r\n');
    const body = t.slice(cut + 4).replace('a=ssrc:6666', 'a=ssrc:0');
    const head = t.slice(0, cut).replace(/Content-Length: \d+/, `Content-Length: ${body.length}`);
    return { ...q, payload: Uint8Array.from(Buffer.from(head + '\r\n\r\n' + body, 'latin1')) };
  });
}

describe('telemetry about a stream whose SSRC is 0', () => {
  it('is governed by that stream (export none): dropped, not exported raw', async () => {
    const p = callWithSsrcZero();
    p.push(C.fromB(0.4, C.RTP(0, 300, 0)));
    p.push(C.fromA(1, C.compound(C.RR(1111, [{ ssrc: 0 }]), C.XR(1111, [C.xrVoip(0)]))));
    const r = await C.replay(ws, p);
    // the stream is bound as declared
    expect(r.bindings).toContainEqual(expect.objectContaining({ ssrc: 0, mid: 'd', apt: ['apt-none'] }));
    const got = r.decisions.filter((d) => d.ts === C.T0 + 1).map((d) => `${d.pt} ${d.decision} ${d.reason} ${d.apt.join(',')}`);
    expect(got).toEqual(['201 drop export-none apt-none', '207 drop export-none apt-none']);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.ts === C.T0 + 1)).toEqual([]);
  });
});
