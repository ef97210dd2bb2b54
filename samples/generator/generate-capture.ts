/**
 * Writes a realistic capture of overlapping SIP calls with RTP/RTCP media, streamed to disk as
 * it is produced (memory stays flat whatever the size), and returns the truth manifest.
 */
import { writeFile } from 'node:fs/promises';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { LinkType } from '../../native-free/types.js';
import { PcapWriter } from '../../native-free/write.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { dialogApts, intendedStreamApts, planCalls, SECTION_ROUTES, sectionApts, type CallPlan, type StreamPlan } from './call-plan.js';
import { buildRtcpCompound } from './rtcp-content.js';
import { RtpFrameTemplate } from './rtp-frame-template.js';
import { scriptCall, type ScriptedSipMessage } from './sip-script.js';
import { SeededRandom } from './seeded-random.js';
import { rtpPortOf } from './sdp-text.js';
import { SourceHeap, type PacketSource } from './source-heap.js';
import type { StreamRuntime } from './stream-runtime.js';
import { TRUTH_FORMAT, type CallTruth, type GenerationTruth, type RenegotiationTruth, type RtcpCompoundTruth } from './truth.js';

export interface GenerateOptions {
  calls?: number;
  durationSec?: number;
  seed?: number;
  /** RTP payload bytes of video packets */
  videoBytes?: number;
  /** multiplies the packet rates of every stream (see PlanOptions) */
  packetRateScale?: number;
  snapLen?: number;
  /** capture start, seconds since the epoch */
  startTime?: number;
  /** also write the truth manifest as JSON here */
  truthPath?: string;
  /** sees every RTCP compound as it is written, e.g. for round-trip tests against the decoder */
  onRtcpCompound?: (frame: number, packets: readonly RtcpPacketInput[]) => void;
}

export const GENERATE_DEFAULTS = {
  calls: 100,
  durationSec: 30,
  seed: 1,
  videoBytes: 600,
  packetRateScale: 1,
  snapLen: 262144,
  startTime: 1_767_225_600, // 2026-01-01T00:00:00Z
} as const;

const SIP_PORT = 5060;
/** how many packets at the start of a stream carry the sdes:mid header extension */
const MID_EXTENSION_PACKETS = 10;
const utf8 = new TextEncoder();

/** Frame numbering, per-kind counts and the pcap writer, shared by every source. */
class CaptureSink {
  frame = 0;
  readonly counts = { total: 0, sip: 0, rtp: 0, rtcp: 0 };

  constructor(
    private readonly writer: PcapWriter,
    private readonly startUs: number,
  ) {}

  ts(us: number): number {
    return (this.startUs + us) / 1e6;
  }

  write(us: number, frame: Uint8Array, kind: 'sip' | 'rtp' | 'rtcp'): number {
    this.writer.write(this.ts(us), frame);
    this.counts[kind]++;
    this.counts.total++;
    return ++this.frame;
  }
}

function makeRuntimes(call: CallPlan, rng: SeededRandom): StreamRuntime[] {
  const runtimes = call.streams.map((plan): StreamRuntime => {
    const fromCaller = plan.direction === 'caller-to-callee';
    const sender = fromCaller ? call.caller : call.callee;
    const receiver = fromCaller ? call.callee : call.caller;
    const section = call.sections.find((s) => s.mid === plan.mid)!;
    const src = rtpPortOf(call, fromCaller ? 'caller' : 'callee', section);
    const dst = rtpPortOf(call, fromCaller ? 'callee' : 'caller', section);
    const rtcpOffset = call.flavour === 'bundle' ? 0 : 1;
    return {
      plan,
      sender,
      receiver,
      rtpPort: { src, dst },
      rtcpPort: { src: src + rtcpOffset, dst: dst + rtcpOffset },
      rng: rng.fork(plan.ssrc),
      peer: null,
      firstSeq: rng.int(0, 0xffff),
      firstTs: rng.nextUint32(),
      sent: 0,
      octets: 0,
      lossRate: rng.pick([0, 0, 0.002, 0.01, 0.03]),
      lastSr: null,
      lastRrt: null,
      firstFrame: 0,
      lastFrame: 0,
      rtcpCompounds: 0,
    };
  });
  for (const s of runtimes) {
    s.peer = runtimes.find((o) => o.plan.mid === s.plan.mid && o.plan.direction !== s.plan.direction) ?? null;
  }
  return runtimes;
}

class RtpSource implements PacketSource {
  nextUs: number;
  private readonly template: RtpFrameTemplate;
  private readonly payload: Uint8Array;

  constructor(
    readonly order: number,
    private readonly s: StreamRuntime,
    private readonly call: CallPlan,
    private readonly sink: CaptureSink,
  ) {
    this.nextUs = s.plan.startUs < s.plan.endUs ? s.plan.startUs : Infinity;
    this.payload = new Uint8Array(s.plan.payloadBytes);
    // A generator of its own, so that --video-bytes changes payloads and nothing else.
    const payloadRng = s.rng.fork(s.plan.ssrc);
    for (let i = 0; i < this.payload.length; i++) this.payload[i] = payloadRng.nextUint32() & 0xff;
    // A valid first byte keeps tshark's codec dissectors quiet: an Opus TOC for one 20 ms CELT
    // frame (RFC 6716 §3.1, code 0); a VP8 descriptor of a partition's continuation (RFC 7741
    // §4.2), since random bytes cannot pass for the start of a key frame.
    if (s.plan.pt === 111) this.payload[0] = 0xfc;
    if (s.plan.pt === 96) this.payload[0] = 0x00;
    this.template = new RtpFrameTemplate({ ...this.addresses(), pt: s.plan.pt, ssrc: s.plan.ssrc, payload: this.payload });
  }

  private addresses(): { src: string; dst: string; sport: number; dport: number } {
    const s = this.s;
    return { src: s.sender.address, dst: s.receiver.address, sport: s.rtpPort.src, dport: s.rtpPort.dst };
  }

  emit(): void {
    const s = this.s;
    const p = s.plan;
    const k = s.sent;
    const seq = (s.firstSeq + k) & 0xffff;
    const frameIndex = Math.floor(k / p.packetsPerFrame);
    const ts = (s.firstTs + frameIndex * p.tsStep) >>> 0;
    const marker = p.kind === 'video' ? k % p.packetsPerFrame === p.packetsPerFrame - 1 : k === 0;
    let frame: Uint8Array;
    if (p.sendsRtpMid && k < MID_EXTENSION_PACKETS) {
      const rtp = encodeRtpPacket({
        pt: p.pt,
        seq,
        ts,
        ssrc: p.ssrc,
        marker,
        extensions: [{ id: this.call.midExtensionId, value: utf8.encode(p.mid) }],
        payload: this.payload,
      });
      frame = buildEthernetIpv4Udp({ ...this.addresses(), payload: rtp });
    } else {
      frame = this.template.patch(seq, ts, marker);
    }
    const n = this.sink.write(this.nextUs, frame, 'rtp');
    if (s.firstFrame === 0) s.firstFrame = n;
    s.lastFrame = n;
    s.sent++;
    s.octets += p.payloadBytes;
    const next = p.startUs + Math.round(s.sent * p.packetIntervalUs);
    this.nextUs = next < p.endUs ? next : Infinity;
  }
}

class RtcpSource implements PacketSource {
  nextUs: number;

  constructor(
    readonly order: number,
    private readonly s: StreamRuntime,
    private readonly call: CallPlan,
    private readonly sink: CaptureSink,
    private readonly truth: RtcpCompoundTruth[],
    private readonly onCompound: GenerateOptions['onRtcpCompound'],
  ) {
    this.nextUs = Math.min(s.plan.startUs + s.rng.int(200_000, 1_000_000), s.plan.endUs);
  }

  emit(): void {
    const s = this.s;
    const us = this.nextUs;
    const bye = us >= s.plan.endUs;
    const packets = buildRtcpCompound(s, {
      epochUs: this.sink.ts(us) * 1e6,
      us,
      sendsXr: this.call.sendsXr,
      bye,
      displayName: s.plan.direction === 'caller-to-callee' ? `Alice ${this.call.index}` : `Bob ${this.call.index}`,
    });
    const frame = buildEthernetIpv4Udp({
      src: s.sender.address,
      dst: s.receiver.address,
      sport: s.rtcpPort.src,
      dport: s.rtcpPort.dst,
      payload: encodeRtcpCompound(packets),
    });
    const n = this.sink.write(us, frame, 'rtcp');
    s.rtcpCompounds++;
    this.truth.push({ frame: n, ts: this.sink.ts(us), ssrc: s.plan.ssrc, callIndex: this.call.index, pts: packets.map((p) => p.pt) });
    this.onCompound?.(n, packets);
    if (bye) {
      this.nextUs = Infinity;
    } else {
      // RFC 3550 §6.3.1 randomises the interval to 0.5–1.5 of its nominal value; keep it near 1 s.
      this.nextUs = Math.min(us + s.rng.int(750_000, 1_250_000), s.plan.endUs);
    }
  }
}

interface SentSip {
  message: ScriptedSipMessage;
  frame: number;
}

class SipSource implements PacketSource {
  nextUs: number;
  private i = 0;
  readonly sent: SentSip[] = [];

  constructor(
    readonly order: number,
    private readonly call: CallPlan,
    private readonly script: ScriptedSipMessage[],
    private readonly sink: CaptureSink,
  ) {
    this.nextUs = script.length > 0 ? script[0]!.us : Infinity;
  }

  emit(): void {
    const m = this.script[this.i++]!;
    const fromCaller = m.from === 'caller';
    const frame = buildEthernetIpv4Udp({
      src: fromCaller ? this.call.caller.address : this.call.callee.address,
      dst: fromCaller ? this.call.callee.address : this.call.caller.address,
      sport: SIP_PORT,
      dport: SIP_PORT,
      payload: utf8.encode(m.text),
    });
    this.sent.push({ message: m, frame: this.sink.write(m.us, frame, 'sip') });
    this.nextUs = this.i < this.script.length ? this.script[this.i]!.us : Infinity;
  }
}

function renegotiationTruth(call: CallPlan, runtimes: StreamRuntime[], sent: SentSip[], sink: CaptureSink): RenegotiationTruth[] {
  const r = call.renegotiation;
  if (!r) return [];
  const frameOf = (step: string): SentSip => sent.find((x) => x.message.renegotiation === step)!;
  const offer = frameOf('offer');
  const answer = frameOf('answer');
  const section = call.sections.find((s) => s.mid === r.mid)!;
  const affected = runtimes.filter((s) => s.plan.mid === r.mid && SECTION_ROUTES.includes(s.plan.route));
  let fallback: string[] = [];
  if (r.kind === 'remove-aipref') {
    fallback = sectionApts(call, section, false);
    if (fallback.length === 0) fallback = dialogApts(call);
  } else if (r.kind === 'refused') {
    // the 488 discards the offer's change: the streams keep what governed them
    fallback = sectionApts(call, section, true);
  }
  return [
    {
      kind: r.kind,
      cseq: offer.message.cseq,
      offerFrame: offer.frame,
      answerFrame: answer.frame,
      ackFrame: frameOf('ack').frame,
      offerTs: sink.ts(r.offerUs),
      answerTs: sink.ts(r.answerUs),
      retransmitFrames: sent.filter((x) => x.message.renegotiation === 'retransmit').map((x) => x.frame),
      removed: { mid: r.mid, apt: r.removedApt },
      affectedSsrcs: affected.map((s) => s.plan.ssrc),
      fallback,
    },
  ];
}

function callTruth(call: CallPlan, runtimes: StreamRuntime[], sip: SipSource, sink: CaptureSink): CallTruth {
  const mids: CallTruth['sdp']['mids'] = {};
  for (const s of call.sections) mids[s.mid] = s.midApt ? [s.midApt] : [];
  return {
    index: call.index,
    callId: call.callId,
    fromTag: call.caller.tag,
    toTag: call.callee.tag,
    flavour: call.flavour,
    body: call.body,
    caller: { address: call.caller.address, sipPort: SIP_PORT },
    callee: { address: call.callee.address, sipPort: SIP_PORT },
    aiPref: call.aiPref,
    dialogApt: dialogApts(call),
    sdp: { session: call.sessionApts, mids },
    sections: call.sections.map((s) => ({
      mid: s.mid,
      kind: s.kind,
      callerPort: rtpPortOf(call, 'caller', s),
      calleePort: rtpPortOf(call, 'callee', s),
      rtcpMux: call.flavour === 'bundle',
      midExtensionId: call.flavour === 'bundle' || call.streams.some((x) => x.mid === s.mid && x.sendsRtpMid) ? call.midExtensionId : null,
    })),
    sip: sip.sent.map(({ message: m, frame }) => ({
      frame,
      ts: sink.ts(m.us),
      message: m.message,
      cseq: m.cseq,
      from: m.from,
      retransmission: m.retransmission,
    })),
    streams: runtimes.map((s) => streamTruth(call, s.plan, s)),
    renegotiations: renegotiationTruth(call, runtimes, sip.sent, sink),
    inviteTs: sink.ts(call.inviteUs),
    byeTs: sink.ts(call.byeUs),
  };
}

function streamTruth(call: CallPlan, p: StreamPlan, s: StreamRuntime): CallTruth['streams'][number] {
  return {
    ssrc: p.ssrc,
    mid: p.mid,
    kind: p.kind,
    direction: p.direction,
    via: p.route,
    apt: intendedStreamApts(call, p),
    signaledSsrc: p.signaledSsrc,
    sendsRtpMid: p.sendsRtpMid,
    sendsSdesMid: p.sendsSdesMid,
    sdesPriv: p.sdesPriv,
    pt: p.pt,
    clockRate: p.clockRate,
    src: { address: s.sender.address, rtpPort: s.rtpPort.src, rtcpPort: s.rtcpPort.src },
    dst: { address: s.receiver.address, rtpPort: s.rtpPort.dst, rtcpPort: s.rtcpPort.dst },
    firstFrame: s.firstFrame,
    lastFrame: s.lastFrame,
    rtpPackets: s.sent,
    rtcpCompounds: s.rtcpCompounds,
  };
}

export async function generateCapture(options: GenerateOptions, outPath: string): Promise<GenerationTruth> {
  // An option passed as undefined means "the default", not "undefined".
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as GenerateOptions;
  const o = { ...GENERATE_DEFAULTS, ...given };
  const plans = planCalls(o.seed, { calls: o.calls, durationSec: o.durationSec, videoBytes: o.videoBytes, packetRateScale: o.packetRateScale });
  const writer = await PcapWriter.open(outPath, { linkType: LinkType.ETHERNET, snapLen: o.snapLen });
  const sink = new CaptureSink(writer, Math.round(o.startTime * 1e6));
  const heap = new SourceHeap();
  const rtcpTruth: RtcpCompoundTruth[] = [];
  const perCall: { call: CallPlan; runtimes: StreamRuntime[]; sip: SipSource }[] = [];
  const runtimeRng = new SeededRandom(o.seed ^ 0x5bd1e995);
  let order = 0;
  try {
    for (const call of plans) {
      const runtimes = makeRuntimes(call, runtimeRng.fork(call.index));
      const sip = new SipSource(order++, call, scriptCall(call), sink);
      heap.push(sip);
      for (const s of runtimes) {
        heap.push(new RtpSource(order++, s, call, sink));
        heap.push(new RtcpSource(order++, s, call, sink, rtcpTruth, o.onRtcpCompound));
      }
      perCall.push({ call, runtimes, sip });
    }
    heap.drain();
  } finally {
    await writer.close();
  }
  const truth: GenerationTruth = {
    format: TRUTH_FORMAT,
    generator: {
      seed: o.seed,
      calls: o.calls,
      durationSec: o.durationSec,
      videoBytes: o.videoBytes,
      packetRateScale: o.packetRateScale,
      snapLen: o.snapLen,
      linkType: LinkType.ETHERNET,
      startTime: o.startTime,
    },
    packets: { ...sink.counts },
    calls: perCall.map(({ call, runtimes, sip }) => callTruth(call, runtimes, sip, sink)),
    rtcp: rtcpTruth,
  };
  if (o.truthPath) await writeFile(o.truthPath, JSON.stringify(truth, null, 1) + '\n');
  return truth;
}
