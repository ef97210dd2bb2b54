/**
 * One call, written over any addresses: A calls B (audio with its RTCP on an a=rtcp address of
 * its own, video with rtcp-mux), RTP and RTCP both ways (SR/RR with RTT, SDES, XR, NACK, BYE),
 * a re-INVITE that removes video's a=aipref, then BYE. `spell` rewrites how the SDP writes an
 * address (not the wire form).
 */
import { sipMsg, rtp, type Pkt } from '../calls-on-any-address.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { lsrOf, rrFrom, srFrom } from '../two-party-rtcp.js';
import { policyOf } from '../e2e-helpers.js';

export interface Addrs {
  A: string;
  B: string;
  /** where B wants its audio RTCP (a=rtcp:<port> IN IPx <B2>) */
  B2: string;
  relay: string;
}
export const V4: Addrs = { A: '10.0.0.1', B: '10.0.0.2', B2: '10.0.0.3', relay: '10.0.0.9' };
export const V6: Addrs = { A: '2001:db8::a', B: '2001:db8::b', B2: '2001:db8::c', relay: '2001:db8::99' };

export const POLICY = policyOf({
  apts: {
    'apt-a': { type: 'user', export: 'aggregated-only', retention: '1h' },
    'apt-v': { type: 'user', export: 'raw', retention: '1h', features: ['media-metrics', 'feedback', 'rtcp-xr'] },
    'apt-s': { type: 'domain', export: 'raw', retention: '15m' },
  },
});

const fam = (a: string) => (a.includes(':') ? 'IP6' : 'IP4');
const host = (a: string) => (a.includes(':') ? `[${a}]` : a);
const T = 1767225600;

export function sdpFor(who: 'a' | 'b', x: Addrs, videoPref: boolean, spell: (s: string) => string = (s) => s): string {
  const me = who === 'a' ? x.A : x.B;
  const base = who === 'a' ? 4000 : 5000;
  const rtcpLine = who === 'b' ? [`a=rtcp:${base + 11} IN ${fam(spell(x.B2))} ${spell(x.B2)}`] : [];
  return [
    'v=0',
    `o=${who} 1 ${videoPref ? 1 : 2} IN ${fam(spell(me))} ${spell(me)}`,
    's=-',
    `c=IN ${fam(spell(me))} ${spell(me)}`,
    't=0 0',
    'a=aipref:session apt-s',
    `m=audio ${base} RTP/AVP 0`,
    'a=mid:a',
    'a=aipref:mid apt-a',
    ...rtcpLine,
    'a=sendrecv',
    `m=video ${base + 2} RTP/AVP 96`,
    'a=mid:v',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-mux',
    ...(videoPref ? ['a=aipref:mid apt-v'] : []),
    'a=sendrecv',
    '',
  ].join('\r\n');
}

function dialogMsgs(x: Addrs, cseq: number, videoPref: boolean, spell?: (s: string) => string, toTag = true): Pkt[] {
  const callId = 'same-call-id';
  const via = (m: string) => `Via: SIP/2.0/UDP ${host(x.A)}:5060;branch=z9hG4bK-${m}${cseq};rport`;
  const from = `From: <sip:a@${host(x.A)}>;tag=ftag`;
  const to = (t: boolean) => `To: <sip:b@${host(x.B)}>${t ? ';tag=ttag' : ''}`;
  const inv = sipMsg([`INVITE sip:b@${host(x.B)}:5060 SIP/2.0`, via('INVITE'), from, to(cseq > 1 && toTag), `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:a@${host(x.A)}:5060;transport=udp>`], sdpFor('a', x, videoPref, spell));
  const ok = sipMsg(['SIP/2.0 200 OK', `${via('INVITE')};received=${x.A}`, from, to(true), `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, `Contact: <sip:b@${host(x.B)}:5060>`], sdpFor('b', x, videoPref, spell));
  const ack = sipMsg([`ACK sip:b@${host(x.B)}:5060 SIP/2.0`, via('ACK'), from, to(true), `Call-ID: ${callId}`, `CSeq: ${cseq} ACK`], null);
  return [
    { src: x.A, dst: x.B, sport: 5060, dport: 5060, payload: inv },
    { src: x.B, dst: x.A, sport: 5060, dport: 5060, payload: ok },
    { src: x.A, dst: x.B, sport: 5060, dport: 5060, payload: ack },
  ];
}

const rtcp = (src: string, dst: string, sport: number, dport: number, ps: RtcpPacketInput[]): Pkt => ({ src, dst, sport, dport, payload: encodeRtcpCompound(ps) });
const sdes = (ssrc: number, cname: string): RtcpPacketInput => ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: cname }] }] }) as unknown as RtcpPacketInput;
const xr = (ssrc: number, about: number): RtcpPacketInput =>
  ({ pt: 207, ssrc, blocks: [{ bt: 7, ssrc: about, lossRate: 1, discardRate: 2, burstDensity: 0, gapDensity: 0, burstDuration: 0, gapDuration: 0, roundTripDelay: 30, endSystemDelay: 40, signalLevel: 0, noiseLevel: 0, rerl: 0, gmin: 16, rFactor: 90, extRFactor: 127, mosLq: 41, mosCq: 42, rxConfig: 0, jbNominal: 0, jbMaximum: 0, jbAbsMax: 0 }] }) as unknown as RtcpPacketInput;
const nack = (sender: number, media: number): RtcpPacketInput => ({ pt: 205, fmt: 1, senderSsrc: sender, mediaSsrc: media, fci: new Uint8Array([0, 1, 0, 0]) }) as unknown as RtcpPacketInput;

/** the packets of the whole call, one step (0.1 s) apart */
export function scenario(x: Addrs, spell?: (s: string) => string): Pkt[] {
  const out: Pkt[] = [...dialogMsgs(x, 1, true, spell)];
  // frames 4.. : media (A audio 0xA1 from 4000, B audio 0xB1 from relay, video A 0xA2 / B 0xB2)
  for (let i = 0; i < 3; i++) {
    out.push(rtp(x.A, x.B, 4000, 5000, 0xa1, undefined, i + 1));
    out.push(rtp(x.relay, x.A, 7000, 4000, 0xb1, undefined, i + 1));
    out.push(rtp(x.A, x.B, 4002, 5002, 0xa2, undefined, i + 1));
    out.push(rtp(x.B, x.A, 5002, 4002, 0xb2, undefined, i + 1));
  }
  const t = T + 0.1 * (out.length + 1);
  out.push(rtcp(x.A, x.B2, 4001, 5011, [srFrom(0xa1, t, [{ ssrc: 0xb1, fractionLost: 3, cumulativeLost: 4, jitter: 5 }]), sdes(0xa1, 'alice@example')]));
  out.push(rtcp(x.relay, x.A, 7001, 4001, [rrFrom(0xb1, [{ ssrc: 0xa1, lsr: lsrOf(t), dlsr: 3277, fractionLost: 1, jitter: 7 }]), sdes(0xb1, 'bob@example'), xr(0xb1, 0xa1)]));
  out.push(rtcp(x.A, x.B, 4002, 5002, [srFrom(0xa2, t + 0.2, [{ ssrc: 0xb2 }]), nack(0xa2, 0xb2), xr(0xa2, 0xb2)]));
  out.push(rtcp(x.B, x.A, 5002, 4002, [rrFrom(0xb2, [{ ssrc: 0xa2, lsr: lsrOf(t + 0.2), dlsr: 1000 }]), nack(0xb2, 0xa2)]));
  out.push(...dialogMsgs(x, 2, false, spell));
  out.push(rtcp(x.A, x.B, 4002, 5002, [srFrom(0xa2, t + 1, [{ ssrc: 0xb2 }]), nack(0xa2, 0xb2)]));
  out.push(rtcp(x.B, x.A, 5002, 4002, [rrFrom(0xb2, [{ ssrc: 0xa2 }]), { pt: 203, ssrcs: [0xb2], reason: 'bye now' } as unknown as RtcpPacketInput]));
  out.push(rtcp(x.A, x.B2, 4001, 5011, [srFrom(0xa1, t + 1.2, [{ ssrc: 0xb1 }])]));
  const bye = sipMsg([`BYE sip:b@${host(x.B)}:5060 SIP/2.0`, `Via: SIP/2.0/UDP ${host(x.A)}:5060;branch=z9hG4bK-bye`, `From: <sip:a@${host(x.A)}>;tag=ftag`, `To: <sip:b@${host(x.B)}>;tag=ttag`, 'Call-ID: same-call-id', 'CSeq: 3 BYE'], null);
  out.push({ src: x.A, dst: x.B, sport: 5060, dport: 5060, payload: bye });
  out.push(rtcp(x.relay, x.A, 7001, 4001, [rrFrom(0xb1, [{ ssrc: 0xa1 }])]));
  return out;
}
