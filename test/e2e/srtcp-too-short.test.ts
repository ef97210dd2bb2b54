/**
 * Found by a review of the SRTCP rules, fixed since. RTP/SAVPF, DTLS-SRTP (no a=crypto), the RTCP
 * SRTCP, and at frame 54 a datagram too short to hold a sender SSRC: a 4-byte `80 C9 00 00` (an
 * RR header of length 0), or an SRTCP compound the snap length cut to 6 bytes. Was: any length
 * could be SRTCP without a key, and the sender SSRC read as 0 made a stream of SSRC 0 in the
 * dialog: an encrypted-rtcp report "ssrc":0 and a binding row for a stream nobody sends. An SRTCP
 * packet holds at least its 8-byte clear header, E|index and an 80-bit tag (RFC 3711 §3.4; RFC
 * 5764 §4.1.2): shorter is malformed plain RTCP (packet-too-short, as on RTP/AVP), and a cut one
 * whose SSRC was not captured is reported cut, with no stream.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { replayLines, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { reportsOf, rewrite, savp, srtcp } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an RTCP datagram too short for a sender SSRC on a DTLS-SRTP m-section', () => {
  it('makes no stream of SSRC 0 and no encrypted-rtcp report for it (a 4-byte RR header; SRTCP cut to 6 bytes)', async () => {
    const policy = await loadPolicyFile(SMALL_POLICY);
    for (const variant of ['short', 'cut'] as const) {
      const capture = await rewrite(ws, `${variant}.pcap`, {
        sdp: (body) => savp(body),
        rtcp: (f, u, side) => ({ ...u, payload: f === 54 && variant === 'short' ? Uint8Array.of(0x80, 0xc9, 0, 0) : srtcp(u.payload, side.m, ++side.index) }),
        cut: (f, u) => (f === 54 && variant === 'cut' ? u.payload.length - 6 : 0),
      });
      for (const workers of [0, 2]) {
        const run = await replayLines({ capture, policy, workers });
        // Was: one encrypted-rtcp report with "ssrc":0 at frame 54, and a binding row for SSRC 0
        expect(reportsOf(run, 'encrypted-rtcp').filter((r) => r.ssrc === 0)).toEqual([]);
        expect(run.result.bindings.filter((b) => b.ssrc === 0)).toEqual([]);
        expect(run.result.summary.telemetry).toEqual({ export: 0, aggregate: 0, drop: 0 });
      }
    }
  });
});
