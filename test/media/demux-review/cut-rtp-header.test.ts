/**
 * Found by a review of media-port demultiplexing, fixed since: RTP whose header the snap length cut is classified RTP, and reported as cut (src/media/demux.ts classifyRtpRtcp).
 */
// Input: the sample (call 0: BUNDLE + rtcp-mux, 10.2.0.1:10694 -> 10.1.0.1:21106) with the RTP
//   packets of frames 11 and 17 (172- and 312-byte datagrams) cut by the capture's snap
//   length: frame 11 after 8 bytes of the RTP header (record caplen < len, as tcpdump -s 50 cuts
//   it), frame 17 after 11. tshark decodes both as RTP (frame.protocols eth:ethertype:ip:udp:rtp), cut short ("Packet size
//   limited during capture: RTP truncated").
// Was (0 and 2 workers): "frame 11: 8-byte datagram on a negotiated media transport is neither
//   RTP nor RTCP (starts 80 ef b3 56)" — the datagram was 172 bytes, and it is RTP: classifyRtpRtcp
//   (src/media/demux.ts) ignores `cut` for RTP (len >= 12 + CC*4 of the captured bytes), so the
//   packet goes to the feed's other() and decodeRtpHeader's own snap-length message ("RTP
//   packet cut by the capture's snap length after 8 bytes, needs 12",
//   test/media/snaplen.test.ts) is never reached from a capture; the same for CSRCs cut off.
// Correct: as every other cut packet (test/e2e/snaplen.test.ts: "reports each cut compound
//   once, as cut by the snap length"), the report names the snap length and the packet's real
//   size, not a "neither RTP nor RTCP" verdict on bytes the capture did not keep (SPEC §6
//   malformed-input says where and what; README: a cut capture is read as tshark reads it).
// Fix: src/media/demux.ts classifyRtpRtcp: with cut > 0, a first byte of 128–191 whose RTP fixed
//   header/CSRCs run past the captured bytes but fit `len + cut` is 'rtp' (MediaCore.rtp then
//   reports decodeRtpHeader's packet-too-short/csrc-overrun with the snap length); or in
//   src/pipeline/replay-engine.ts other(), name the cut (view.payloadCut) in the detail.
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { readFileSync } from 'node:fs';
import { parseLines, replayLines, type ReportLine, SMALL_POLICY, Workspace } from '../../e2e/e2e-helpers.js';
import { editSample } from '../../e2e/sample-edits.js';
import { tshark } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);

describe('an RTP packet the snap length cut inside its fixed header', () => {
  it('is reported as cut by the snap length, not as an 8-byte datagram that is neither RTP nor RTCP', async () => {
    const keep: Record<number, number> = { 11: 8, 17: 11 };
    const capture = await editSample(ws, 'cut-header.pcap', { cut: (frame, u) => (keep[frame] !== undefined ? u.payload.length - keep[frame]! : 0) });
    // the oracle: both are RTP to tshark, cut short
    expect(tshark(capture, ['udp.port==21106,rtp'], ['frame.number', 'frame.len', 'frame.cap_len', 'frame.protocols'], 'frame.number==11 || frame.number==17')).toEqual(['11\t214\t50\teth:ethertype:ip:udp:rtp', '17\t354\t53\teth:ethertype:ip:udp:rtp']);
    for (const workers of [0, 2]) {
      const r = await replayLines({ capture, policy, workers });
      const details = parseLines<ReportLine>(r.reports)
        .filter((x) => x.type === 'malformed-input')
        .map((x) => x.detail ?? '');
      expect.soft(details, `workers ${workers}`).toHaveLength(2);
      for (const d of details) {
        expect.soft(d, `workers ${workers}`).toMatch(/snap length/);
        expect.soft(d, `workers ${workers}`).not.toMatch(/neither RTP nor RTCP/);
      }
      expect(r.result.summary.malformed, `workers ${workers}`).toBe(2);
    }
  });
});
