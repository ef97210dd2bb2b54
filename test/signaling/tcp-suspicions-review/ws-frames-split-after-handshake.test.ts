/**
 * Found by a review of SIP over WebSocket in captures, fixed since: a direction not yet decided carries a frame begun whose end has not come (bounded by the undecided budget) until it has, and takes at once one whose payload opens with a SIP start line (src/signaling/sip-flows.ts SipFlowDemux.classify, frameBegun, framesStartLine).
 */
/**
 * Input: the sample call (samples/call-small.pcap) carried over SIP over WebSocket (RFC 7118, one
 *   connection per address pair, client frames masked), the capture begun after each handshake,
 *   and every frame carrying SIP cut over two or more TCP segments: in two halves, inside its
 *   header (after 1 byte), in three pieces, in 500-byte segments across frames, and with a
 *   single-byte last piece. Workers 0 and 2.
 * Correct: the outcome of the UDP capture (SPEC §7 SIP over WebSocket; §8 results identical
 *   whatever the transport framing): every SIP message read, the INVITEs' AI-Pref restrictions in
 *   force on the RTCP SRs that follow.
 * Was: only a frame ending within the bytes (or where another begins) made the direction
 *   WebSocket, and only the unfinished last line was carried: an unmasked payload's CRLFs (a
 *   masked one's random 0x0a) cut the frame header off the carry, so no frame was ever seen —
 *   {"sip":0} (halves) to 29 of 32 depending on the cut, the directions given up as not SIP
 *   after 16 KiB, the restrictions of the messages lost with them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { cutInto, expectSame, normalisedReplay, overWs, sample, udpBaseline, writeLabelled, wsFrame } from '../transport-review/transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const at = (...fractions: ((n: number) => number)[]) => (frames: Uint8Array[]): Uint8Array[] =>
  frames.flatMap((f) => {
    const points = [0, ...fractions.map((p) => p(f.length)), f.length];
    return points.slice(1).map((end, i) => f.subarray(points[i]!, end));
  });
const shapes: [string, (frames: Uint8Array[]) => Uint8Array[]][] = [
  ['in two halves', at((n) => n >> 1)],
  ['after its first byte', at(() => 1)],
  ['in three pieces', at((n) => Math.floor(n / 3), (n) => Math.floor((2 * n) / 3))],
  ['before its last byte', at((n) => n - 1)],
  ['500-byte segments', cutInto(500)],
];

describe('SIP over WebSocket joined after the handshake, every frame over several segments', () => {
  for (const [name, segments] of shapes)
    for (const workers of [0, 2])
      it(`${name}: the same as over UDP (workers ${workers})`, async () => {
        const { records } = await sample();
        const recs = await overWs(records, { handshake: null, frames: (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })], segments });
        const t = await writeLabelled(ws, `ws-split-${name.replace(/\W+/g, '-')}-${workers}.pcap`, recs);
        const got = await normalisedReplay(t.file, t.labels, workers);
        expect(got.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
        expectSame(got, await udpBaseline(ws, workers));
      });
});
