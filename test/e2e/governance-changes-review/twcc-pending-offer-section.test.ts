/**
 * Found by a review of this session's RTCP governance changes, fixed since: a stream a pending offer binds to an m-section on the transport, or bound to none yet, governs a TWCC from the offer on (transportWideGoverning: stream.pendingSection).
 */
/**
 * Input: a BUNDLE call (../rtcp-items/items-call.ts) set up with mid a (1111/2222, apt-raw),
 *   b (apt-raw90), v (apt-agg), no d; A and B send RTP. A re-INVITE from A offers the same SDP
 *   plus m-section d bundled on the same transport (`a=ssrc:5555`, `a=aipref:mid apt-none`,
 *   export none); before B answers, A sends RTP 5555 and 1111 on the bundle, then B sends RR +
 *   TWCC {sender 2222, media source 1111, 4 statuses} (frame 11), timing those packets; then B
 *   answers and sends the TWCC again (frame 13).
 * Was (workers 0 and 2 alike): frame 11 `export raw-allowed [apt-raw]` (statuses and deltas in
 *   exports.ndjson), while 5555's own SR in the same pending window is dropped; frame 13, after
 *   the answer, `drop export-none [apt-none]`. The fold (MediaCore.transportWideGoverning) skips
 *   a stream whose committed `section` is null; 5555 is bound to the offer's d
 *   (`pendingSection`) only, so it is not folded until the answer.
 * Correct: SPEC §5 "restrictions take effect from the offer; relaxations only once the answer
 *   confirms them" (README Renegotiation: until the answer the stricter of the old and the
 *   proposed scope applies; StreamState.pendingSection: "its identifiers apply restrictively
 *   from the offer on"). The proposed scope puts 5555 (export none) on this transport, whose one
 *   transport-wide counter the TWCC reports on (draft-holmer-rmcat-transport-wide-cc-extensions-01
 *   §2), so frame 11 is dropped already, as frame 13 is.
 * Fix: src/pipeline/media-core.ts transportWideGoverning: also fold a stream whose
 *   `pendingSection` is on the transport (entry.sections holds the pending offer's sections too,
 *   TransportMap.set), with the same preference lookup (this.preferences.of applies the pending
 *   restrictions; absent, it drops no-preference).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';
import { reinvite, reok, setupWith, twccFromB, version, withoutD } from './reinvite-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('TWCC while an offer adds an export=none m-section to the bundle', () => {
  it('is restricted from the offer, not from the answer', async () => {
    const p = setupWith(withoutD(C.sdp('a')), withoutD(C.sdp('b')));
    p.push(C.fromA(0.3, C.RTP(1111, 1, 0)), C.fromB(0.3, C.RTP(2222, 1, 0))); // 4 5
    p.push(twccFromB(0.5)); // 6
    p.push(reinvite(1, version(C.sdp('a'), 2))); // 7
    p.push(C.fromA(1.1, C.RTP(5555, 1, 0)), C.fromA(1.11, C.RTP(1111, 2, 0))); // 8 9
    p.push(C.fromA(1.2, C.compound(C.SR(5555, [])))); // 10
    p.push(twccFromB(1.3)); // 11
    p.push(reok(2, version(C.sdp('b'), 2))); // 12
    p.push(twccFromB(2.3)); // 13
    const r = await C.replay(ws, p);
    const d = r.decisions.filter((x) => x.pt === 205).map((x) => `${x.frame} ${x.decision}`);
    expect(d).toEqual(['6 export', '11 drop', '13 drop']);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 205).map((e) => e.ts)).toHaveLength(1);
  });
});
