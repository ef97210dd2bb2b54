/**
 * A WebRTC client A (10.0.0.1:4000) calling an SFU B (10.0.0.2:5000), one BUNDLE transport with
 * rtcp-mux, RTP/AVPF (a relay's decrypted copy: plain RTCP). Shared by the review-sfu tests.
 */
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { policyOf } from '../e2e-helpers.js';
import { A, B, type Pkt, sdp, sr } from '../calls-on-any-address.js';

export const enc = new TextEncoder();
export const MID_EXT = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const RID_EXT = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
export const RRID_EXT = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';

export const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-v': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-g': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-r': { type: 'domain', export: 'none', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
});

/** A → B RTP on the bundle transport with the given extension elements (one-byte form when they fit). */
export function rtpX(ssrc: number, ext: { id: number; v: string }[] = [], seq = 1, pt = 96, from: 'A' | 'B' = 'A'): Pkt {
  const [src, dst, sport, dport] = from === 'A' ? [A, B, 4000, 5000] : [B, A, 5000, 4000];
  return { src, dst, sport, dport, payload: encodeRtpPacket({ pt, seq, ts: 1, ssrc, payload: new Uint8Array(20), extensions: ext.map((e) => ({ id: e.id, value: enc.encode(e.v) })) }) };
}
export function rtcpX(packets: RtcpPacketInput[], from: 'A' | 'B' = 'A'): Pkt {
  const [src, dst, sport, dport] = from === 'A' ? [A, B, 4000, 5000] : [B, A, 5000, 4000];
  return { src, dst, sport, dport, payload: encodeRtcpCompound(packets) };
}
export const srP = (ssrc: number, about: number[] = []): RtcpPacketInput => sr(ssrc, about.map((s) => ({ ssrc: s })));
export const rrP = (ssrc: number, about: number[]): RtcpPacketInput => ({ pt: 201, ssrc, reports: about.map((s) => ({ ssrc: s, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 })) }) as RtcpPacketInput;
export const sdesP = (chunks: { ssrc: number; items: ({ type: number; text: string } | { type: 8; prefix: string; value: string })[] }[]): RtcpPacketInput => ({ pt: 202, chunks }) as unknown as RtcpPacketInput;

/** The offer of a WebRTC client: audio a, simulcast video v (rids, no a=ssrc), video v2 (RTX + FEC, a=ssrc), receive-only r. */
export function clientOffer(extra: { session?: string[]; a?: string[]; v?: string[]; v2?: string[]; r?: string[] } = {}): string {
  const ext = [`a=extmap:4 ${MID_EXT}`, `a=extmap:10 ${RID_EXT}`, `a=extmap:11 ${RRID_EXT}`];
  return sdp(
    A,
    [
      ['m=audio 4000 RTP/AVPF 111', 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:1111 cname:alice', 'a=ssrc:1111 msid:s1 t-audio', 'a=msid:s1 t-audio', 'a=sendrecv', ...(extra.a ?? [])],
      ['m=video 4000 RTP/AVPF 96 97', 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96', ...ext, 'a=rid:h send', 'a=rid:l send', 'a=simulcast:send h;l', 'a=msid:s1 t-video', 'a=sendrecv', ...(extra.v ?? [])],
      [
        'm=video 4000 RTP/AVPF 98 99 100',
        'a=mid:v2',
        'a=rtcp-mux',
        'a=rtpmap:98 VP8/90000',
        'a=rtpmap:99 rtx/90000',
        'a=fmtp:99 apt=98',
        'a=rtpmap:100 flexfec-03/90000',
        `a=extmap:4 ${MID_EXT}`,
        'a=ssrc-group:FID 3333 3334',
        'a=ssrc-group:FEC-FR 3333 3335',
        'a=ssrc:3333 cname:alice',
        'a=ssrc:3334 cname:alice',
        'a=ssrc:3335 cname:alice',
        'a=sendrecv',
        ...(extra.v2 ?? []),
      ],
      ['m=video 4000 RTP/AVPF 96', 'a=mid:r', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, 'a=recvonly', ...(extra.r ?? [])],
    ],
    ['a=group:BUNDLE a v v2 r', 'a=extmap-allow-mixed', 'a=msid-semantic: WMS s1', ...(extra.session ?? [])],
  );
}

/** The SFU's answer: the same sections, r sendonly forwarding remote participants 7001–7003 by a=ssrc. */
export function sfuAnswer(extra: { session?: string[]; a?: string[]; v?: string[]; v2?: string[]; r?: string[] } = {}): string {
  return sdp(
    B,
    [
      ['m=audio 5000 RTP/AVPF 111', 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:9001 cname:sfu', 'a=sendrecv', ...(extra.a ?? [])],
      ['m=video 5000 RTP/AVPF 96 97', 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96', `a=extmap:4 ${MID_EXT}`, `a=extmap:10 ${RID_EXT}`, `a=extmap:11 ${RRID_EXT}`, 'a=rid:h recv', 'a=rid:l recv', 'a=simulcast:recv h;l', 'a=recvonly', ...(extra.v ?? [])],
      ['m=video 5000 RTP/AVPF 98 99 100', 'a=mid:v2', 'a=rtcp-mux', 'a=rtpmap:98 VP8/90000', 'a=rtpmap:99 rtx/90000', 'a=fmtp:99 apt=98', 'a=rtpmap:100 flexfec-03/90000', `a=extmap:4 ${MID_EXT}`, 'a=recvonly', ...(extra.v2 ?? [])],
      [
        'm=video 5000 RTP/AVPF 96',
        'a=mid:r',
        'a=rtcp-mux',
        'a=rtpmap:96 VP8/90000',
        `a=extmap:4 ${MID_EXT}`,
        'a=ssrc:7001 cname:carol',
        'a=ssrc:7001 msid:c t1',
        'a=ssrc:7002 cname:dave',
        'a=ssrc:7003 cname:erin',
        'a=sendonly',
        ...(extra.r ?? []),
      ],
    ],
    ['a=group:BUNDLE a v v2 r', 'a=extmap-allow-mixed', ...(extra.session ?? [])],
  );
}
