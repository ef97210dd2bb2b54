/**
 * Many short calls one after another, each ending its own way, as pcap records: for the state
 * growth checks. Call i: caller 10.1.(i>>8).(i&255), callee 10.2.(i>>8).(i&255), SIP on 5060,
 * audio on 20000 (caller) / 30000 (callee), SSRCs 0x10000000 + 2i (caller) and + 2i + 1 (callee).
 * Every call states `AI-Pref: apt-user;scope=dialog` (the policy below: raw, 1h).
 */
import { buildEthernetIpv4Udp, buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { parsePolicy, type PolicyFile } from '../../../src/policy/policy-file.js';
import { type PcapRecord, type Workspace, writePcapRecords } from '../../e2e/e2e-helpers.js';

export const T0 = 1800000000;
const enc = new TextEncoder();

export type Ending = 'bye-multipart' | 'bye' | 'bye-late-media' | 'cancel' | 'reject' | '481' | 'never' | 'tcp-bye';

export const POLICY_JSON = { apts: { 'apt-user': { type: 'user', export: 'raw', retention: '1h' }, 'apt-long': { type: 'user', export: 'raw', retention: '1h' } } };
export const policy = (): PolicyFile => parsePolicy(JSON.stringify(POLICY_JSON), 'growth-policy.json');

export interface CallAddr {
  a: string;
  b: string;
  aPort: number;
  bPort: number;
  aSsrc: number;
  bSsrc: number;
  callId: string;
}

export function addrOf(i: number, samePorts = false): CallAddr {
  const hi = (i >> 8) & 255;
  const lo = i & 255;
  return {
    a: `10.1.${hi}.${lo}`,
    b: `10.2.${hi}.${lo}`,
    aPort: samePorts ? 20000 : 20000 + 2 * (i % 4000),
    bPort: samePorts ? 30000 : 30000 + 2 * (i % 4000),
    aSsrc: 0x10000000 + 2 * i,
    bSsrc: 0x10000000 + 2 * i + 1,
    callId: `growth-${i}@10.1.${hi}.${lo}`,
  };
}

export function sdpOf(ip: string, port: number, ssrc: number): string {
  return ['v=0', `o=u 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:x`, 'a=sendrecv', ''].join('\r\n');
}

function sipText(head: string[], body: string | null, contentType = 'application/sdp'): Uint8Array {
  const b = body ?? '';
  const lines = [...head, ...(body ? [`Content-Type: ${contentType}`] : []), `Content-Length: ${enc.encode(b).length}`];
  return enc.encode(lines.join('\r\n') + '\r\n\r\n' + b);
}

/** The SIP messages of call `c`: requests from A unless `fromB`. */
export function sipOfCall(c: CallAddr, transport = 'UDP', aiPrefValue = 'apt-user;scope=dialog') {
  const from = `From: <sip:a@${c.a}>;tag=fa${c.aSsrc}`;
  const toBare = `To: <sip:b@${c.b}>`;
  const toTag = `${toBare};tag=tb${c.bSsrc}`;
  const via = (m: string, n: number) => `Via: SIP/2.0/${transport} ${c.a}:5060;branch=z9hG4bK-${c.callId}-${m}${n}`;
  const req = (method: string, cseq: number, to: string, body: string | null, extra: string[] = [], viaMethod = method) =>
    sipText([`${method} sip:b@${c.b} SIP/2.0`, via(viaMethod, cseq), from, to, `Call-ID: ${c.callId}`, `CSeq: ${cseq} ${method}`, `Contact: <sip:a@${c.a}:5060>`, ...extra], body);
  const res = (status: string, cseq: number, method: string, to: string, body: string | null, extra: string[] = []) =>
    sipText([`SIP/2.0 ${status}`, via(method, cseq), from, to, `Call-ID: ${c.callId}`, `CSeq: ${cseq} ${method}`, `Contact: <sip:b@${c.b}:5060>`, ...extra], body);
  const aiPref = [`AI-Pref: ${aiPrefValue}`];
  return {
    invite: req('INVITE', 1, toBare, sdpOf(c.a, c.aPort, c.aSsrc), aiPref),
    /** the INVITE with a multipart body (RFC 2392: a Content-ID unique to the message) whose aipref+json part the AI-Pref value references (seed §5.2) */
    multipartInvite: (() => {
      const cid = `aipref-${c.aSsrc}@${c.a}`;
      const boundary = `b${c.aSsrc}`;
      const body = [`--${boundary}`, 'Content-Type: application/sdp', '', sdpOf(c.a, c.aPort, c.aSsrc), `--${boundary}`, 'Content-Type: application/aipref+json', `Content-ID: <${cid}>`, 'Content-Disposition: aipref;handling=optional', '', JSON.stringify({ version: 1, statements: [{ id: 'apt-user', type: 'user', export: 'raw', retention: '1h' }] }), `--${boundary}--`, ''].join('\r\n');
      return sipText(
        [`INVITE sip:b@${c.b} SIP/2.0`, via('INVITE', 1), from, toBare, `Call-ID: ${c.callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${c.a}:5060>`, `AI-Pref: apt-user;scope=dialog;uri=<cid:${cid}>`],
        body,
        `multipart/mixed;boundary=${boundary}`,
      );
    })(),
    trying: res('100 Trying', 1, 'INVITE', toBare, null),
    ringing: res('180 Ringing', 1, 'INVITE', toTag, null),
    ok: res('200 OK', 1, 'INVITE', toTag, sdpOf(c.b, c.bPort, c.bSsrc)),
    ack: req('ACK', 1, toTag, null, [], 'ACK'),
    bye: req('BYE', 2, toTag, null),
    byeOk: res('200 OK', 2, 'BYE', toTag, null),
    cancel: req('CANCEL', 1, toBare, null, [], 'INVITE'),
    cancelOk: res('200 OK', 1, 'CANCEL', toTag, null),
    terminated: res('487 Request Terminated', 1, 'INVITE', toTag, null),
    ackFail: req('ACK', 1, toTag, null, [], 'INVITE'),
    busy: res('486 Busy Here', 1, 'INVITE', toTag, null),
    reinvite: req('INVITE', 3, toTag, sdpOf(c.a, c.aPort, c.aSsrc).replace('o=u 1 1', 'o=u 1 2'), aiPref),
    noCall: res('481 Call/Transaction Does Not Exist', 3, 'INVITE', toTag, null),
  };
}

export const rtpOf = (ssrc: number, seq: number) => encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc, payload: new Uint8Array(20) });
export const srOf = (ssrc: number, peer: number): Uint8Array => encodeRtcpCompound([srPacket(ssrc, peer), { pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'x@y' }] }] } as unknown as RtcpPacketInput]);
export const rtcpByeOf = (ssrc: number): Uint8Array => encodeRtcpCompound([srPacket(ssrc, ssrc ^ 1), { pt: 203, ssrcs: [ssrc] } as unknown as RtcpPacketInput]);
function srPacket(ssrc: number, peer: number): RtcpPacketInput {
  return { pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [{ ssrc: peer, fractionLost: 0, cumulativeLost: 0, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 }] };
}

/** Places records on a clock: `at(dt, …)` moves the clock on by dt seconds. */
export class Records {
  readonly records: PcapRecord[] = [];
  private tcpSeq = new Map<string, number>();
  constructor(public ts: number) {}

  udp(dt: number, src: string, dst: string, sport: number, dport: number, payload: Uint8Array): void {
    this.ts += dt;
    this.records.push({ ts: this.ts, data: buildEthernetIpv4Udp({ src, dst, sport, dport, payload }) });
  }

  tcp(dt: number, src: string, dst: string, sport: number, dport: number, flags: number, payload: Uint8Array = new Uint8Array(0)): void {
    this.ts += dt;
    const key = `${src}:${sport}>${dst}:${dport}`;
    let seq = this.tcpSeq.get(key) ?? 1000;
    if (flags & TcpFlag.SYN) seq = 1000;
    this.records.push({ ts: this.ts, data: buildIpv4Tcp({ src, dst, sport, dport, seq, flags, payload, ack: 1 }) });
    this.tcpSeq.set(key, seq + payload.length + (flags & (TcpFlag.SYN | TcpFlag.FIN) ? 1 : 0));
  }
}

/** One call of `ending`, about 1.2 s of capture time, placed after the records' clock. */
export function addCall(r: Records, i: number, ending: Ending, samePorts = false, aiPrefValue?: string): CallAddr {
  const c = addrOf(i, samePorts);
  const s = sipOfCall(c, ending === 'tcp-bye' ? 'TCP' : 'UDP', aiPrefValue);
  const ab = (dt: number, p: Uint8Array) => r.udp(dt, c.a, c.b, 5060, 5060, p);
  const ba = (dt: number, p: Uint8Array) => r.udp(dt, c.b, c.a, 5060, 5060, p);
  const media = () => {
    r.udp(0.02, c.a, c.b, c.aPort, c.bPort, rtpOf(c.aSsrc, 1));
    r.udp(0.02, c.b, c.a, c.bPort, c.aPort, rtpOf(c.bSsrc, 1));
    r.udp(0.02, c.a, c.b, c.aPort + 1, c.bPort + 1, srOf(c.aSsrc, c.bSsrc));
    r.udp(0.02, c.b, c.a, c.bPort + 1, c.aPort + 1, srOf(c.bSsrc, c.aSsrc));
  };
  switch (ending) {
    case 'bye':
    case 'bye-multipart':
    case 'bye-late-media':
    case '481':
    case 'never': {
      ab(0.1, ending === 'bye-multipart' ? s.multipartInvite : s.invite);
      ba(0.01, s.trying);
      ba(0.1, s.ringing);
      ba(0.2, s.ok);
      ab(0.01, s.ack);
      media();
      if (ending === 'never') return c;
      if (ending === '481') {
        ab(0.2, s.reinvite);
        ba(0.01, s.noCall);
        return c;
      }
      ab(0.3, s.bye);
      if (ending === 'bye-late-media') {
        // what is still on its way when the BYE goes: one RTP packet each, then each side's RTCP BYE
        r.udp(0.005, c.b, c.a, c.bPort, c.aPort, rtpOf(c.bSsrc, 2));
        r.udp(0.005, c.a, c.b, c.aPort + 1, c.bPort + 1, rtcpByeOf(c.aSsrc));
        r.udp(0.005, c.b, c.a, c.bPort + 1, c.aPort + 1, rtcpByeOf(c.bSsrc));
      }
      ba(0.01, s.byeOk);
      return c;
    }
    case 'cancel':
      ab(0.1, s.invite);
      ba(0.01, s.trying);
      ba(0.1, s.ringing);
      // early media from the callee
      r.udp(0.02, c.b, c.a, c.bPort, c.aPort, rtpOf(c.bSsrc, 1));
      ab(0.3, s.cancel);
      ba(0.01, s.cancelOk);
      ba(0.01, s.terminated);
      ab(0.01, s.ackFail);
      return c;
    case 'reject':
      ab(0.1, s.invite);
      ba(0.01, s.trying);
      ba(0.2, s.busy);
      ab(0.01, s.ackFail);
      return c;
    case 'tcp-bye': {
      // one connection per call, from the caller's ephemeral port
      const sp = 40000 + (i % 20000);
      const t = (dt: number, fromA: boolean, flags: number, p?: Uint8Array) => (fromA ? r.tcp(dt, c.a, c.b, sp, 5060, flags, p) : r.tcp(dt, c.b, c.a, 5060, sp, flags, p));
      t(0.05, true, TcpFlag.SYN);
      t(0.001, false, TcpFlag.SYN | TcpFlag.ACK);
      t(0.001, true, TcpFlag.ACK);
      t(0.05, true, TcpFlag.PSH | TcpFlag.ACK, s.invite);
      t(0.01, false, TcpFlag.PSH | TcpFlag.ACK, s.trying);
      t(0.1, false, TcpFlag.PSH | TcpFlag.ACK, s.ringing);
      t(0.2, false, TcpFlag.PSH | TcpFlag.ACK, s.ok);
      t(0.01, true, TcpFlag.PSH | TcpFlag.ACK, s.ack);
      media();
      t(0.3, true, TcpFlag.PSH | TcpFlag.ACK, s.bye);
      t(0.01, false, TcpFlag.PSH | TcpFlag.ACK, s.byeOk);
      t(0.01, true, TcpFlag.FIN | TcpFlag.ACK);
      t(0.001, false, TcpFlag.FIN | TcpFlag.ACK);
      t(0.001, true, TcpFlag.ACK);
      return c;
    }
  }
}

export async function writeRecords(file: string, records: readonly PcapRecord[]): Promise<void> {
  await writePcapRecords(file, encodePcapFileHeader(1), records);
}

let fileNo = 0;

/**
 * `nRounds` capture files of `perRound` calls each, one after another in capture time (`gapSec`
 * between files), the calls ending by turns as `endings` says; `before`/`between` add records.
 */
export async function rounds(ws: Workspace, endings: Ending[], perRound: number, nRounds: number, gapSec = 0, between?: (r: Records, round: number) => void, before?: (r: Records) => void): Promise<string[]> {
  const files: string[] = [];
  let i = 0;
  const clock = new Records(T0);
  for (let k = 0; k < nRounds; k++) {
    const r = new Records(clock.ts + (k > 0 ? gapSec : 0));
    if (k === 0) before?.(r);
    for (let j = 0; j < perRound; j++, i++) addCall(r, i, endings[i % endings.length]!);
    between?.(r, k);
    clock.ts = r.ts;
    const file = await ws.file(`rounds-${fileNo++}.pcap`);
    await writeRecords(file, r.records);
    files.push(file);
  }
  return files;
}
