/**
 * Found by a review of the media demux, fixed since: SRTP packets with the P bit were "malformed"
 * when the last byte of their authentication tag was no plausible padding count.
 *
 * Input: the sample with call 0's SDP on RTP/SAVPF (every offer and answer), and after frame 29
 * two SRTP packets from the caller's audio source (10.1.0.1:21106 → 10.2.0.1:10694, SSRC
 * 1078747615, PT 111): V=2, P=1, 20 bytes of (encrypted) payload, then a 10-byte HMAC-SHA1-80 tag
 * whose last byte is 0x00, resp. 0xC8.
 *
 * Was: both dropped as `malformed-input` — "frame 30: rtp bad-padding at byte 41: padding
 * count 0 with 30 bytes after the header", "frame 31: … padding count 200 …" — summary
 * `malformed: 2`, and the packets are neither counted as RTP nor seen by their stream (pt,
 * lastSeen, mid learning).
 *
 * Correct: RFC 3711 §3.1 (Figure 1): in SRTP the RTP padding and its count are inside the
 * encrypted portion, followed by the optional MKI and the authentication tag; the datagram's
 * last byte is the tag's, not the pad count, so the RFC 3550 §5.1 padding check cannot be done
 * on the wire (WebRTC sends padding-only probe packets all the time). SPEC §8: malformed input is
 * counted and reported — these packets are well-formed.
 *
 * Fix: decodeRtpHeader (src/media/rtp.ts) should not fail on the padding count where the transport
 * is secure RTP (a flag from MediaCore.rtp / replay-engine's main-thread decode, by the entry's
 * m-sections' profile, as srtcpOn() decides for SRTCP) — or never fail on it at all: the enforcer
 * reads only the header (SSRC, PT, extension), never the payload, so a bad padding count can
 * simply leave paddingLength 0.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, type ReportLine, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { isSip, rewriteSdp, savp } from './srtcp-helpers.js';
import { editSample, sipText } from './sample-edits.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);

function srtpWithPadding(lastTagByte: number): Buffer {
  const b = Buffer.alloc(12 + 20 + 10, 0x5a);
  b[0] = 0xa0; // V=2, P=1
  b[1] = 111;
  b.writeUInt16BE(18119, 2);
  b.writeUInt32BE(3135969951, 4);
  b.writeUInt32BE(1078747615, 8);
  b[b.length - 1] = lastTagByte;
  return b;
}

describe('SRTP with the P bit on a RTP/SAVPF transport', () => {
  it('is read as RTP, not reported as bad padding', async () => {
    const capture = await editSample(ws, 'srtp-padding.pcap', {
      map: (f, u) => {
        if (!isSip(u) || f > 20) return undefined;
        const t = rewriteSdp(sipText(u), savp);
        return t === null ? undefined : { ...u, payload: Buffer.from(t, 'latin1') };
      },
      after: (f) => (f === 29 ? [0x00, 0xc8].map((last) => ({ src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: srtpWithPadding(last) })) : []),
    });
    for (const workers of [0, 2]) {
      const r = await replayLines({ capture, policy, workers });
      expect.soft(parseLines<ReportLine>(r.reports).filter((x) => x.frame === 30 || x.frame === 31).map((x) => x.detail), `workers ${workers}`).toEqual([]);
      expect.soft(r.result.summary.malformed, `workers ${workers}`).toBe(0);
      expect.soft(r.result.summary.rtp, `workers ${workers}`).toBe(356);
    }
  });
});
