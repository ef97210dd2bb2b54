/**
 * Found by a review of this session's RTCP governance changes, fixed since: only a stream whose m-section the answer disabled is passed over; one an unanswered offer disables still governs (transportWideGoverning).
 */
/**
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts, with mid v's apt-agg made raw in the
 *   policy (a 1111/2222 apt-raw, b apt-raw90, v 3333/4444 raw, d 5555/6666 apt-none export
 *   none), one RTP packet from every SSRC. B's RR + TWCC {sender 2222, media source 1111}
 *   (frame 12) is dropped: 5555 is on the transport. Then A re-INVITEs with d at port 0 (frame
 *   13); before any answer A still sends 5555 and 1111 on the bundle (frames 14, 15) and B sends
 *   the TWCC again (frame 16), timing them.
 * Was (workers 0 and 2 alike): frame 12 `drop export-none [apt-none]`; frame 16 `export
 *   raw-allowed` (statuses and deltas in exports.ndjson). The fold
 *   (MediaCore.transportWideGoverning) skips a stream whose preference is `disabled`, and the
 *   offer disabled d at once: 5555 no longer counts, so an unanswered offer relaxed what governs
 *   the transport's TWCC from drop to raw export — while 5555 still sends on it.
 * Correct: SPEC §5 "restrictions take effect from the offer; relaxations only once the answer
 *   confirms them" (README Renegotiation: "until the answer, the stricter of the old and the
 *   proposed scope applies"; the offer may yet be refused, 488 + Warning 399 aipref, and d is
 *   live under apt-none again). Under the old scope the TWCC is dropped (export-none); under the
 *   proposed one 5555's processing stops (SPEC §5), which is no licence to export its packets'
 *   arrival times. The stricter of the two: frame 16 is dropped.
 * Fix: src/pipeline/media-core.ts transportWideGoverning: a disabled stream does not make the
 *   fold laxer than before its disabling — while the disabling awaits its answer fold the
 *   committed scope's preference (the stricter of the two, as the stream's own items get), and
 *   after it let a stopped stream that still sends on the transport (lastSeen after the change)
 *   stop the item (stoppedStreamDecision), as a stopped subject does in readRtcp.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';
import { dPort0, reinvite, twccFromB, version } from './reinvite-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POLICY = { apts: { ...C.POLICY.apts, 'apt-agg': { type: 'user', export: 'raw', retention: '15m' } } };

describe('an offer disabling the export=none m-section of a bundle', () => {
  it('does not relax the transport’s TWCC before any answer', async () => {
    const p = C.callWithMedia(); // frames 1–11
    p.push(twccFromB(0.5)); // 12
    p.push(reinvite(1, version(dPort0(C.sdp('a')), 2))); // 13
    p.push(C.fromA(1.1, C.RTP(5555, 101, 0)), C.fromA(1.11, C.RTP(1111, 101, 0))); // 14 15
    p.push(twccFromB(1.3)); // 16
    const r = await C.replay(ws, p, POLICY);
    const d = r.decisions.filter((x) => x.pt === 205).map((x) => `${x.frame} ${x.decision}`);
    expect(d).toEqual(['12 drop', '16 drop']);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 205)).toEqual([]);
  });
});
