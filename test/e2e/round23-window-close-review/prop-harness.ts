/** Random small captures for the batch-cut / worker-count property (round-23 window-close review). */
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { buildEthernetIpv4Udp, buildIpv4Tcp, fragmentIpv4, TcpFlag, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { message, onPort, request, response, sdpOf } from '../hand-built-calls.js';
import { type PcapRecord, type Workspace, writePcapRecords } from '../e2e-helpers.js';
import { T0 } from './util.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NTP_SEC = 3976214400;
/** RTT matching on (LSR set): off by default, the SR-memory cap is a finding of its own (sr-memory-batch-cut.test.ts) */
let rttOn = false;
export const setRtt = (on: boolean): void => {
  rttOn = on;
};
const LSR = ((NTP_SEC & 0xffff) << 16) >>> 0;
const sr = (ssrc: number, n: number, about: number[] = []): RtcpPacketInput => ({
  pt: 200, ssrc, ntpSec: NTP_SEC, ntpFrac: 0, rtpTs: n, packetCount: n, octetCount: 100 * n,
  reports: about.map((s) => ({ ssrc: s, fractionLost: n % 7, cumulativeLost: n, highestSeq: n, jitter: n % 11, lsr: rttOn ? LSR : 0, dlsr: 65536 })),
});
const rr = (ssrc: number, n: number, about: number[]): RtcpPacketInput =>
  ({ pt: 201, ssrc, reports: about.map((s) => ({ ssrc: s, fractionLost: n % 5, cumulativeLost: n, highestSeq: n, jitter: n % 13, lsr: rttOn ? LSR : 0, dlsr: 32768 })) }) as RtcpPacketInput;
const bye = (ssrc: number): RtcpPacketInput => ({ pt: 203, ssrcs: [ssrc] }) as unknown as RtcpPacketInput;

interface Rec { t: number; src: string; dst: string; sport: number; dport: number; payload: Uint8Array }

/** A random capture of a two-party call (re-INVITEs flipping px/py, RTCP of both parties, RTP, BYE) and unbound RTCP of two other pairs. */
export function randomCapture(seed: number): Rec[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: Rec[] = [];
  let t = 0;
  const A = '10.0.0.1';
  const B = '10.0.0.2';
  const sipA = (p: Uint8Array) => out.push({ t, src: A, dst: B, sport: 5060, dport: 5060, payload: p });
  const sipB = (p: Uint8Array) => out.push({ t, src: B, dst: A, sport: 5060, dport: 5060, payload: p });
  let apt = 'px';
  sipA(request('INVITE', 1, sdpOf('a', [`a=aipref:session ${apt}`]), [], ''));
  t += 0.05;
  sipB(response('200 OK', 1, sdpOf('b', [])));
  t += 0.05;
  sipA(request('ACK', 1, null));
  let cseq = 1;
  let ended = false;
  let n = 0;
  const count = 20 + Math.floor(r() * 40);
  for (let i = 0; i < count; i++) {
    const step = r();
    if (step < 0.06) t -= r() * 2; // a small step back (merged interfaces)
    else if (step < 0.08) t += 1000; // a jump (one record: an outlier, two: confirmed)
    else t += pick([0, 0.25, 0.5, 1, 2, 3, 4.5, 6]);
    n++;
    const what = r();
    if (what < 0.25) out.push({ t, src: A, dst: B, sport: 4001, dport: 5001, payload: encodeRtcpCompound([sr(1111, n, r() < 0.5 ? [2222] : [])]) });
    else if (what < 0.45) out.push({ t, src: B, dst: A, sport: 5001, dport: 4001, payload: encodeRtcpCompound(r() < 0.5 ? [sr(2222, n, [1111])] : [rr(2222, n, [1111])]) });
    else if (what < 0.55) out.push({ t, src: A, dst: B, sport: 4000, dport: 5000, payload: encodeRtpPacket({ pt: 0, seq: n, ts: n * 160, ssrc: 1111, payload: new Uint8Array(20) }) });
    else if (what < 0.65) out.push({ t, src: '10.0.0.3', dst: '10.0.0.4', sport: 7001, dport: 7003, payload: encodeRtcpCompound([sr(5555, n, [6666])]) });
    else if (what < 0.75) out.push({ t, src: '10.0.0.5', dst: '10.0.0.6', sport: 8001, dport: 8003, payload: encodeRtcpCompound([rr(7777, n, [8888])]) });
    else if (what < 0.8) out.push({ t, src: A, dst: B, sport: 4001, dport: 5001, payload: encodeRtcpCompound([sr(1111, n), bye(1111)]) });
    else if (what < 0.9 && !ended) {
      // re-INVITE flipping the APT (offer, answer, ACK at one instant or spread)
      apt = apt === 'px' ? 'py' : 'px';
      cseq++;
      sipA(request('INVITE', cseq, sdpOf('a', [`a=aipref:session ${apt}`])));
      if (r() < 0.5) t += pick([0, 0.5, 2]);
      sipB(response('200 OK', cseq, sdpOf('b', [])));
      sipA(request('ACK', cseq, null));
    } else if (what < 0.93 && !ended) {
      cseq++;
      sipA(request('BYE', cseq, null));
      sipB(response('200 OK', cseq, null, [], 'BYE'));
      ended = true;
    } else out.push({ t, src: B, dst: A, sport: 5000, dport: 4000, payload: encodeRtpPacket({ pt: 0, seq: n, ts: n * 160, ssrc: 2222, payload: new Uint8Array(20) }) });
  }
  return out;
}

let k = 0;
export async function writeRandom(ws: Workspace, recs: Rec[]): Promise<string> {
  const file = await ws.file(`prop-${k++}.pcap`);
  const records: PcapRecord[] = recs.map((p) => ({ ts: T0 + p.t, data: buildEthernetIpv4Udp(p) }));
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  return file;
}

/**
 * A richer random capture, as frames: the two-party call above plus re-INVITEs sent over TCP in
 * two segments (the message completes at the later one), RTCP compounds cut into IPv4 fragments
 * (reassembled at the last, other records between), SDES PRIV aipref tags, a second call (another
 * Call-ID: another shard) and small back-steps of capture time.
 */
export function randomFrames(seed: number): { ts: number; data: Uint8Array }[] {
  const r = mulberry32(seed ^ 0x5bd1e995);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: { ts: number; data: Uint8Array }[] = [];
  let t = 0;
  const A = '10.0.0.1';
  const B = '10.0.0.2';
  const udp = (src: string, dst: string, sport: number, dport: number, payload: Uint8Array, id?: number) => buildEthernetIpv4Udp({ src, dst, sport, dport, payload, ...(id !== undefined ? { id } : {}) });
  const push = (data: Uint8Array) => out.push({ ts: T0 + t, data });
  push(udp(A, B, 5060, 5060, request('INVITE', 1, sdpOf('a', ['a=aipref:session px']), [], '')));
  t += 0.05;
  push(udp(B, A, 5060, 5060, response('200 OK', 1, sdpOf('b', []))));
  push(udp(A, B, 5060, 5060, request('ACK', 1, null)));
  // the second call: other Call-ID, ports 6000/7000, SSRCs 6000/7000 (onPort)
  const C2 = 'second@10.0.0.1';
  push(udp(A, B, 5060, 5060, message(C2, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', ['a=aipref:session py']), 6000), [], '')));
  push(udp(B, A, 5060, 5060, message(C2, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000))));
  let tcpSeq = 1000;
  let apt = 'px';
  let cseq = 1;
  let ended = false;
  let n = 0;
  let ipId = 100;
  /** fragments still to be sent, each at a later record */
  const heldFragments: Uint8Array[] = [];
  const count = 25 + Math.floor(r() * 45);
  for (let i = 0; i < count; i++) {
    const step = r();
    if (step < 0.07) t -= r() * 2;
    else t += pick([0, 0.25, 0.5, 1, 2, 3, 4.5, 6]);
    n++;
    if (heldFragments.length > 0 && r() < 0.5) {
      push(wrapEthernet(0x0800, heldFragments.shift()!));
      continue;
    }
    const what = r();
    if (what < 0.18) push(udp(A, B, 4001, 5001, encodeRtcpCompound([sr(1111, n, r() < 0.5 ? [2222] : [])])));
    else if (what < 0.32) push(udp(B, A, 5001, 4001, encodeRtcpCompound(r() < 0.5 ? [sr(2222, n, [1111])] : [rr(2222, n, [1111])])));
    else if (what < 0.4) push(udp(A, B, 6001, 7001, encodeRtcpCompound([sr(6000, n, [7000])])));
    else if (what < 0.46) push(udp(B, A, 7001, 6001, encodeRtcpCompound([rr(7000, n, [6000])])));
    else if (what < 0.52) push(udp(A, B, 4000, 5000, encodeRtpPacket({ pt: 0, seq: n, ts: n * 160, ssrc: 1111, payload: new Uint8Array(20) })));
    else if (what < 0.58) push(udp('10.0.0.3', '10.0.0.4', 7001, 7003, encodeRtcpCompound([sr(5555, n, [6666])])));
    else if (what < 0.63) {
      // an SDES PRIV tag naming px or py for A's stream
      push(udp(A, B, 4001, 5001, encodeRtcpCompound([sr(1111, n), { pt: 202, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'a@x' }, { type: 8, prefix: 'aipref', value: pick(['px', 'py']) }] }] } as unknown as RtcpPacketInput])));
    } else if (what < 0.7 && heldFragments.length === 0) {
      // B's RR with a long CNAME, cut into fragments: the first now, the rest at later records
      const payload = encodeRtcpCompound([rr(2222, n, [1111]), { pt: 202, chunks: [{ ssrc: 2222, items: [{ type: 1, text: 'b'.repeat(120) }] }] } as unknown as RtcpPacketInput]);
      const ip = buildEthernetIpv4Udp({ src: B, dst: A, sport: 5001, dport: 4001, payload, id: ipId++, link: 'raw' });
      const frags = fragmentIpv4(ip, 64);
      push(wrapEthernet(0x0800, frags[0]!));
      heldFragments.push(...frags.slice(1));
    } else if (what < 0.8 && !ended) {
      apt = apt === 'px' ? 'py' : 'px';
      cseq++;
      const invite = request('INVITE', cseq, sdpOf('a', [`a=aipref:session ${apt}`]));
      if (r() < 0.5) {
        // over TCP (A:5070 → B:5060), in two segments: the message completes at the second
        const cut = 20 + Math.floor(r() * (invite.length - 40));
        push(buildIpv4Tcp({ src: A, dst: B, sport: 5070, dport: 5060, seq: tcpSeq, ack: 1, flags: TcpFlag.PSH, payload: invite.subarray(0, cut) }));
        tcpSeq += cut;
        t += pick([0, 0.5, 3, 6]);
        push(buildIpv4Tcp({ src: A, dst: B, sport: 5070, dport: 5060, seq: tcpSeq, ack: 1, flags: TcpFlag.PSH, payload: invite.subarray(cut) }));
        tcpSeq += invite.length - cut;
      } else push(udp(A, B, 5060, 5060, invite));
      if (r() < 0.5) t += pick([0, 0.5, 2]);
      push(udp(B, A, 5060, 5060, response('200 OK', cseq, sdpOf('b', []))));
      push(udp(A, B, 5060, 5060, request('ACK', cseq, null)));
    } else if (what < 0.83 && !ended) {
      cseq++;
      push(udp(A, B, 5060, 5060, request('BYE', cseq, null)));
      push(udp(B, A, 5060, 5060, response('200 OK', cseq, null, [], 'BYE')));
      ended = true;
    } else push(udp(B, A, 5000, 4000, encodeRtpPacket({ pt: 0, seq: n, ts: n * 160, ssrc: 2222, payload: new Uint8Array(20) })));
  }
  return out;
}

export async function writeFrames(ws: Workspace, frames: { ts: number; data: Uint8Array }[]): Promise<string> {
  const file = await ws.file(`propf-${k++}.pcap`);
  await writePcapRecords(file, encodePcapFileHeader(1), frames);
  return file;
}
