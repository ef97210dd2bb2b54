/**
 * Found by a review of SIP over TCP in captures, fixed since: a direction picked up without its SYN is anchored at its first segment carrying data, a single byte too, and the framer passes over a stray first octet (a keep-alive probe's garbage, RFC 1122 §4.2.3.6) before what opens the direction (native-free/tcp-stream.ts TcpStreamReassembler.add, src/signaling/sip-flows.ts SipFlowDemux.classify).
 */
/**
 * Input: the sample call (samples/call-small.pcap) with its SIP over TCP, each message's first
 *   byte ('I' of INVITE, 'S' of SIP/2.0...) in a segment of its own and the rest in the next one
 *   (a sender writing its start line in two writes, TCP_NODELAY), the capture begun on established
 *   connections (no SYN seen). Workers 0 and 2. Also a four-segment shape, packet level (lab.ts).
 *   (With the SYN captured it was fine: checked-fine.test.ts.)
 * Was: the lone byte was taken for a keep-alive probe and dropped; the stream was anchored at the
 *   next segment, so the first message of each direction was read as a request 'NVITE' (its CSeq
 *   INVITE) or as garbage: {"sip":29,"malformed":3}, the INVITEs' restrictions lost. tshark reads
 *   the byte as data (INVITE at frame 3 of the four-segment shape).
 * Correct: the outcome of the UDP capture (SPEC §7 SIP over TCP; §8 results identical whatever
 *   the transport framing): every message read whole at the segment that completes it, the
 *   INVITEs' AI-Pref restrictions in force on the RTCP SRs that follow.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, normalisedReplay, overTcp, sample, udpBaseline, writeLabelled, type TcpPlan } from '../transport-review/transport-harness.js';
import { A, B, seg, sipMsg, TcpFlag, tsharkSip, writeCap } from '../tcp-reassembly-review/lab.js';
import { startLines } from './feed.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const firstByteAlone: TcpPlan = { pieces: (m) => [{ from: 0, to: 1 }, { from: 1, to: m.length }] };

describe('a message whose first byte travels alone in a segment', () => {
  for (const workers of [0, 2])
    it(`capture begun mid-connection: the same as over UDP (workers ${workers})`, async () => {
      const { records } = await sample();
      const t = await writeLabelled(ws, `one-byte-nosyn-${workers}.pcap`, overTcp(records, { ...firstByteAlone, syn: false }));
      const got = await normalisedReplay(t.file, t.labels, workers);
      expect(got.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
      expectSame(got, await udpBaseline(ws, workers));
    });

  it('packet level, no SYN: INVITE read at the segment of its rest, as tshark', async () => {
    const P = TcpFlag.PSH | TcpFlag.ACK;
    const m1 = sipMsg('INVITE', 'one');
    const m2 = sipMsg('OPTIONS', 'two');
    const noSyn = [seg(A, 1000, P, 'I', 0, 9000), seg(B, 9000, TcpFlag.ACK, '', 0, 1001), seg(A, 1001, P, m1.slice(1), 0, 9000), seg(A, 1000 + m1.length, P, m2, 0, 9000)];
    expect(await startLines(noSyn)).toEqual([[3, ['INVITE one']], [4, ['OPTIONS two']]]);
    expect(tsharkSip(writeCap(noSyn))).toEqual([[3, ['INVITE one']], [4, ['OPTIONS two']]]);
  });
});
