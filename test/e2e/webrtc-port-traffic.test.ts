/**
 * Found by a review of the media demux, fixed since: STUN, DTLS, TURN ChannelData and 0-byte
 * keep-alives on a negotiated media transport were reported and counted as malformed input.
 *
 * Input: the sample with five datagrams inserted after frame 11 on call 0's BUNDLE/rtcp-mux
 * transport (10.1.0.1:21106 <-> 10.2.0.1:10694, answered at frame 10): an RFC 5389 Binding
 * request and success response (first byte 0x00/0x01, magic cookie 0x2112A442), a DTLS 1.2
 * handshake record (0x16), a TURN ChannelData message (0x40) and a 0-byte UDP datagram.
 *
 * Was (0 and 2 workers): five `malformed-input` reports, e.g. "frame 12: 20-byte datagram on a
 * negotiated media transport is neither RTP nor RTCP (starts 00 01 00 00)", "frame 14: 31-byte
 * datagram … (starts 16 fe fd 00)", "frame 16: 0-byte datagram … (starts (empty))", and summary
 * `malformed: 5`. (classifyRtpRtcp itself is right: none of them is read as RTP/RTCP, no stream
 * or decision is made.)
 *
 * Correct: RFC 7983 §7 (and RFC 5764 §5.1.2) — STUN (0–3), ZRTP (16–19), DTLS (20–63) and TURN
 * channel data (64–79) share the RTP port by design: ICE connectivity checks and consent
 * freshness (RFC 8445, RFC 7675: a STUN request every ~5 s for the whole call), DTLS-SRTP's
 * handshake; RFC 6263 §4.1 names the 0-byte datagram as an RTP keep-alive. None is malformed
 * media; SPEC §6/§8 `malformed-input` is for broken packets. A WebRTC call gets a report every
 * few seconds, and the `malformed` count no longer says anything.
 *
 * Fix: src/pipeline/replay-engine.ts, the feed's `other()` handler: report only datagrams whose
 * first byte is in RFC 7983's RTP/RTCP range 128–191 (a length that does not fit, a cut header)
 * or outside every range RFC 7983 assigns; skip 0-byte datagrams and first bytes 0–3, 16–19,
 * 20–63, 64–79 (best: let classifyRtpRtcp return 'stun' | 'dtls' | 'zrtp' | 'turn' | 'other').
 * test/fuzz/check.ts silentSkip() would then expect a report only for those.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, replayLines, type ReportLine, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { readFileSync } from 'node:fs';
import { editSample } from './sample-edits.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
// RFC 5389 binding request (0–3), its success response, a DTLS 1.2 ClientHello record (20–63),
// TURN ChannelData (64–79, RFC 8656 §12.4) carrying 4 bytes, and a 0-byte datagram (RFC 6263 §4.1)
const STUN_REQ = hex('0001 0000 2112a442 0102030405060708090a0b0c');
const STUN_RESP = hex('0101 000c 2112a442 0102030405060708090a0b0c 0020 0008 0001 a1b2 e1e2e3e4');
const DTLS = hex('16 fefd 0000 0000 0000 0000 0010 01 00000c 0000 000000 00000c fefd 0000 0000');
const CHANNEL = hex('4000 0004 deadbeef');
const EMPTY = new Uint8Array(0);

describe('WebRTC-style BUNDLE port: STUN, DTLS, TURN ChannelData and 0-byte keep-alives beside RTP/RTCP', () => {
  it('are not reported or counted as malformed input', async () => {
    // call 0 (BUNDLE + rtcp-mux, 10.1.0.1:21106 <-> 10.2.0.1:10694), answered at frame 10
    const capture = await editSample(ws, 'webrtc.pcap', {
      after: (frame) =>
        frame === 11
          ? [STUN_REQ, STUN_RESP, DTLS, CHANNEL, EMPTY].map((payload, i) =>
              i % 2 === 0 ? { src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload } : { src: '10.2.0.1', dst: '10.1.0.1', sport: 10694, dport: 21106, payload },
            )
          : [],
    });
    for (const workers of [0, 2]) {
      const r = await replayLines({ capture, policy, workers });
      const inserted = parseLines<ReportLine>(r.reports).filter((x) => x.frame >= 12 && x.frame <= 16);
      expect.soft(inserted.map((x) => `${x.type}: ${x.detail}`), `workers ${workers}`).toEqual([]);
      expect.soft(r.result.summary.malformed, `workers ${workers}`).toBe(0);
      expect.soft(parseLines<{ frame: number }>(r.decisions).filter((d) => d.frame >= 12 && d.frame <= 16)).toEqual([]);
    }
  });
});
