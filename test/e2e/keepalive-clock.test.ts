/**
 * Found by a review of the media demux, fixed since: an RTP keep-alive with an unnegotiated
 * payload type (RFC 6263 §4.6) became the source's "last payload type", so the report blocks
 * about that source lost their clock rate.
 *
 * Input: the sample (samples/policy.json: call 0 is aggregated-only), with one 12-byte RTP packet
 * inserted after frame 29 from the caller's audio source (10.1.0.1:21106 → 10.2.0.1:10694, SSRC
 * 1078747615, opus PT 111 at 48 kHz): V=2, PT 127 (in no m-line of the call), no payload — an
 * RFC 6263 §4.6 keep-alive ("RTP packet with an unknown payload type").
 *
 * Was: MediaCore.rtpDecoded set stream.pt = 127; the callee's next RR (frame 41 → 42 here,
 * reporting on 1078747615) is folded with clock rate 0 (streamClockRate: clockRateOfPt(127) is
 * unknown), so the aggregate of SSRC 806401321 says `jitterMs.count: 1` (mean 0.8333) instead of
 * `count: 2` (mean 1.8854): a report block whose clock is known is left out of jitterMs.
 *
 * Correct: RFC 3550 §5.1 — "A receiver MUST ignore packets with payload types that it does not
 * understand"; RFC 6263 §4.6 picks such a type precisely so that the peer discards the packet.
 * The jitter the peer reports is in the clock of the media it did process (opus, 48 kHz). README
 * ("How decisions are made" / "What a replay does"): the rate is "the payload type last seen in
 * that source's RTP, read by its m-section's a=rtpmap or RFC 3551's static types" — a type neither
 * maps is no media format of the source, just as DTMF/CN "stand for the m-section's codec".
 *
 * Fix: src/pipeline/media-core.ts rtpDecoded(): set `stream.pt` only for a payload type the
 * stream's m-section lists (section.clockRates, or a static RFC 3551 type with a known rate);
 * or in streamClockRate() fall back to section.mediaClockRate / sharedClockRate when
 * clockRateOfPt(stream.pt, section.clockRates) is undefined (as besideTheCodec does for DTMF/CN).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { type ExportLine, parseLines, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { editSample } from './sample-edits.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);

function keepAlive(pt: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(18118, 2);
  b.writeUInt32BE(3135964951, 4);
  b.writeUInt32BE(1078747615, 8);
  return b;
}

const jitterCounts = (lines: string[]) =>
  parseLines<ExportLine>(lines)
    .filter((e) => e.stream.ssrc === 806401321)
    .map((e) => (e.stats as { jitterMs: { count: number } | null }).jitterMs?.count);

describe('RTP keep-alive with an unknown payload type (RFC 6263 §4.6)', () => {
  it("does not take the codec's clock away from the reports on its source", async () => {
    const capture = await editSample(ws, 'keepalive.pcap', {
      after: (f) => (f === 29 ? [{ src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: keepAlive(127) }] : []),
    });
    const base = jitterCounts((await replayLines({ capture: SMALL_PCAP, policy })).exports);
    expect(base[0]).toBe(2);
    for (const workers of [0, 2]) expect(jitterCounts((await replayLines({ capture, policy, workers })).exports), `workers ${workers}`).toEqual(base);
  });
});
