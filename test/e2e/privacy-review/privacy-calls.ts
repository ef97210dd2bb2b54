/**
 * Hand-built calls whose every free-text field carries a marker: what the privacy checks grep
 * every output for. A (10.0.0.1, SSRC 1111, audio RTP 4000 / RTCP 4001) calls B (10.0.0.2, 2222).
 */
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { request, response, sdpOf, type At } from '../hand-built-calls.js';

export const MARK = 'LEAKMARK';

/** SDES text items of every kind, each with its own marker. */
export const sdesItems = [
  { type: 1, text: `${MARK}-cname` },
  { type: 2, text: `${MARK}-name` },
  { type: 3, text: `${MARK}-email@example.com` },
  { type: 4, text: `${MARK}-phone` },
  { type: 5, text: `${MARK}-loc` },
  { type: 6, text: `${MARK}-tool` },
  { type: 7, text: `${MARK}-note` },
  { type: 8 as const, prefix: 'x-private', value: `${MARK}-priv` },
];

export function markedCompound(ssrc: number, extra: RtcpPacketInput[] = []): Uint8Array {
  return encodeRtcpCompound([
    { pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] },
    { pt: 202, ssrc, chunks: [{ ssrc, items: sdesItems }] },
    { pt: 204, ssrc, subtype: 1, name: 'LEAK', data: new TextEncoder().encode(`${MARK}-appdat!`) },
    ...extra,
    { pt: 203, ssrc, ssrcs: [ssrc], reason: `${MARK}-byereason` },
  ] as RtcpPacketInput[]);
}

/** A marked call: INVITE/200/ACK whose From display name, Authorization and a=crypto carry markers, then A's marked RTCP. */
export function markedCall(at: At, aiPref: string[], offerLines: string[] = [], extraRtcp: RtcpPacketInput[] = []): void {
  const headers = [...aiPref, `Authorization: Digest username="${MARK}-user", response="${MARK}-digest"`, `User-Agent: ${MARK}-agent`];
  at(0, request('INVITE', 1, sdpOf('a', offerLines), headers, ''), true);
  at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
  at(0.2, request('ACK', 1, null), true);
  at(1, markedCompound(1111, extraRtcp), true, 4001, 5001);
}
