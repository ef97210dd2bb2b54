/**
 * Found by a review of earlier reviews' suspicions, fixed since: a TWCC feedback is governed by every stream bound to
 * an m-section of its transport, not by its header media SSRC alone
 * (src/pipeline/media-core.ts readRtcp / transportWideGoverning).
 */
/**
 * Transport-wide congestion control feedback (RTPFB fmt 15) is governed by its header's media
 * SSRC alone, although its packet statuses and receive deltas are about every RTP packet sent
 * on the transport — the packets of every stream bundled on it.
 *
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts (one transport, rtcp-mux; mid a 1111/2222
 * apt-raw raw; mid v 3333/4444 apt-agg aggregated-only; mid d 5555/6666 apt-none export none),
 * every m-section of both sides declaring
 * `a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01`.
 * A sends four RTP packets on the bundle, transport-wide sequence numbers 0–3: 1111, 5555, 3333,
 * 1111. B (2222) sends RR + TWCC {sender 2222, media source 1111, base seq 0, 4 statuses, all
 * received, deltas 1 ms}: the arrival times of A's packets, two of them the apt-none and the
 * apt-agg streams' packets.
 *
 * Was (workers 0 and 2 alike):
 *   {"ssrc":2222,"pt":205,"fmt":15,"feature":"feedback","decision":"export","reason":"raw-allowed","apt":["apt-raw"]}
 * and exports.ndjson carries it raw: twcc {baseSeq:0, statusCount:4, status:"1111",
 * deltasUs:[1000,1000,1000,1000]} — the per-packet arrival timing of stream 5555, whose APT says
 * export=none, and of 3333, aggregated-only, leaves raw under apt-raw.
 *
 * Correct: SPEC §4 — an item is governed by the sender's stream and, "where it reports on
 * another source (report blocks, XR blocks, feedback's media SSRC), by that source's stream
 * too: the most restrictive applies". draft-holmer-rmcat-transport-wide-cc-extensions-01 §2:
 * the sequence number is transport-wide, "the same counter for all packets which are sent over
 * the same connection (for instance as defined by bundle)"; §3.1: the feedback carries "the
 * arrival times and sequence numbers of the packets received on a connection". So the TWCC
 * reports on every stream whose packets it covers (here 1111, 5555, 3333) — as the enforcer
 * already does for RFC 8888 feedback (README: "the streams an RFC 8888 congestion control
 * feedback's report blocks are about"). With 5555 among them: drop, export-none, apt-none.
 *
 * Fix: src/enforce/telemetry-items.ts appendItems (RTPFB): a TWCC's subjects must be the
 * streams sending on the transport it is feedback for — either every stream of the media SSRC's
 * BUNDLE transport (the simple, conservative reading), or, exactly, the senders of the packets
 * whose transport-wide sequence numbers (the RTP header extension the extmap names, read in
 * src/media/rtp.ts like the mid) fall in [baseSeq, baseSeq + statusCount). The shard knows the
 * transport's streams (src/pipeline/media-core.ts); pass them in as subjects.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const EXTMAP = 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const enc = new TextEncoder();

function sipMsg(head: string[], body: string | null): Uint8Array {
  const b = body ?? '';
  return enc.encode([...head, ...(body !== null ? ['Content-Type: application/sdp'] : []), `Content-Length: ${enc.encode(b).length}`].join('\r\n') + '\r\n\r\n' + b);
}
const withTwcc = (sdp: string): string => sdp.replaceAll('a=rtcp-mux\r\n', `a=rtcp-mux\r\n${EXTMAP}\r\n`);

function setup(): C.Pkt[] {
  const via = (m: string) => `Via: SIP/2.0/UDP ${C.A}:5060;branch=z9hG4bK-twcc-${m}`;
  const from = `From: <sip:a@${C.A}>;tag=ftag`;
  const invite = sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via('INVITE'), from, `To: <sip:b@${C.B}>`, `Call-ID: ${C.CALL}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${C.A}:5060>`], withTwcc(C.sdp('a')));
  const ok = sipMsg(['SIP/2.0 200 OK', via('INVITE'), from, `To: <sip:b@${C.B}>;tag=ttag`, `Call-ID: ${C.CALL}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${C.B}:5060>`], withTwcc(C.sdp('b')));
  const ack = sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', via('ACK'), from, `To: <sip:b@${C.B}>;tag=ttag`, `Call-ID: ${C.CALL}`, 'CSeq: 1 ACK'], null);
  return [
    { ts: 0, src: C.A, dst: C.B, sport: 5060, dport: 5060, payload: invite },
    { ts: 0.1, src: C.B, dst: C.A, sport: 5060, dport: 5060, payload: ok },
    { ts: 0.2, src: C.A, dst: C.B, sport: 5060, dport: 5060, payload: ack },
  ];
}

/** RTP (RFC 3550) with one one-byte-header extension element (RFC 8285): id 3, the 16-bit transport-wide sequence number. */
function rtpTw(ssrc: number, seq: number, pt: number, twSeq: number): Uint8Array {
  const h = [0x90, pt, seq >> 8, seq & 255, 0, 0, 0x03, 0xe8, ssrc >>> 24, (ssrc >>> 16) & 255, (ssrc >>> 8) & 255, ssrc & 255];
  const ext = [0xbe, 0xde, 0, 1, (3 << 4) | 1, twSeq >> 8, twSeq & 255, 0];
  return Uint8Array.from([...h, ...ext, ...new Array(20).fill(0xd5)]);
}

describe('TWCC feedback covers every stream of its transport', () => {
  it('timing of an export=none stream bundled beside the media SSRC does not leave raw', async () => {
    const p = setup();
    p.push(C.fromA(0.30, rtpTw(1111, 100, 0, 0)), C.fromA(0.31, rtpTw(5555, 500, 0, 1)), C.fromA(0.32, rtpTw(3333, 300, 96, 2)), C.fromA(0.33, rtpTw(1111, 101, 0, 3)));
    p.push(C.fromB(0.5, C.RTP(2222, 200, 0)));
    p.push(C.fromB(1, C.compound(C.RR(2222, []), C.RTPFB(15, 2222, 1111, C.twccFci(0, 4, 100, 1)))));
    const r = await C.replay(ws, p);
    const twcc = r.decisions.filter((d) => d.pt === 205);
    expect(twcc).toHaveLength(1);
    expect({ decision: twcc[0]!.decision, reason: twcc[0]!.reason, hasNone: twcc[0]!.apt.includes('apt-none') }).toEqual({ decision: 'drop', reason: 'export-none', hasNone: true });
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 205)).toEqual([]);
  });
});
