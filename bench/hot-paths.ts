/**
 * tinybench micro-benchmarks of the per-packet hot paths, on records taken from the benchmark
 * capture itself (a steady-state batch, and the RTCP compounds of its first records):
 * the native-free packet layers per record, RTP/RTCP classification, the RTP header decode
 * (against werift's RtpPacket.deSerialize) and the RTCP compound decode on real compounds
 * (against werift's RtcpPacketConverter). Each task walks the whole sample so per-call overhead
 * does not swamp sub-microsecond work; figures are per item.
 */
import { Bench } from 'tinybench';
import { RtcpPacketConverter, RtpPacket } from 'werift';
import { readCaptureBatches } from '../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../native-free/packet-decoder.js';
import type { RecordBatch } from '../native-free/types.js';
import { classifyRtpRtcp } from '../src/media/demux.js';
import { decodeRtcpCompound } from '../src/media/rtcp/compound.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpExtension } from '../src/media/rtp.js';

export interface HotPathFigure {
  name: string;
  ops: number;
  unit: string;
  baseline?: { name: string; ops: number };
}

interface Sample {
  batch: RecordBatch;
  /** UDP payloads of the batch (RTP, RTCP and anything else on UDP) */
  payloads: Buffer[];
  rtp: Buffer[];
  rtcp: Buffer[];
}

const RTCP_WANTED = 1000;
const SKIP_BATCHES = 8;

async function takeSample(capture: string): Promise<Sample> {
  const decoder = new PacketDecoder();
  const view = createPacketView();
  let batch: RecordBatch | undefined;
  const rtcp: Buffer[] = [];
  let seen = 0;
  for await (const b of readCaptureBatches(capture)) {
    for (let i = 0; i < b.count && rtcp.length < RTCP_WANTED; i++) {
      if (decoder.decode(b, i, view) !== 'udp') continue;
      const payload = view.bytes.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength);
      if (classifyRtpRtcp(payload, 0, payload.length) === 'rtcp') rtcp.push(Buffer.from(payload));
    }
    if (++seen === SKIP_BATCHES) batch = b;
    if (batch && rtcp.length >= RTCP_WANTED) break;
  }
  if (!batch) throw new Error(`${capture}: fewer than ${SKIP_BATCHES} batches, too small for the micro-benchmarks`);
  const payloads: Buffer[] = [];
  const rtp: Buffer[] = [];
  for (let i = 0; i < batch.count; i++) {
    if (decoder.decode(batch, i, view) !== 'udp') continue;
    const p = Buffer.from(view.bytes.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength));
    payloads.push(p);
    if (classifyRtpRtcp(p, 0, p.length) === 'rtp') rtp.push(p);
  }
  return { batch, payloads, rtp, rtcp };
}

let sink = 0;

export async function benchHotPaths(capture: string, timeMs = 1000): Promise<HotPathFigure[]> {
  const s = await takeSample(capture);
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const rtpView = createRtpHeaderView();
  const bench = new Bench({ time: timeMs, warmupTime: 200 });
  bench
    .add('PacketDecoder.decode', () => {
      for (let i = 0; i < s.batch.count; i++) sink += decoder.decode(s.batch, i, view).length;
    })
    .add('classifyRtpRtcp', () => {
      for (let i = 0; i < s.payloads.length; i++) sink += classifyRtpRtcp(s.payloads[i]!, 0, s.payloads[i]!.length).length;
    })
    .add('decodeRtpHeader', () => {
      for (let i = 0; i < s.rtp.length; i++) if (decodeRtpHeader(s.rtp[i]!, 0, s.rtp[i]!.length, rtpView) === null) sink += rtpView.ssrc;
    })
    .add('decodeRtpHeader + mid', () => {
      for (let i = 0; i < s.rtp.length; i++) {
        const p = s.rtp[i]!;
        if (decodeRtpHeader(p, 0, p.length, rtpView) === null) sink += readRtpExtension(p, rtpView, 4)?.length ?? 1;
      }
    })
    .add('werift RtpPacket.deSerialize', () => {
      for (let i = 0; i < s.rtp.length; i++) sink += RtpPacket.deSerialize(s.rtp[i]!).header.ssrc;
    })
    .add('decodeRtcpCompound', () => {
      for (let i = 0; i < s.rtcp.length; i++) sink += decodeRtcpCompound(s.rtcp[i]!).packets.length;
    })
    .add('werift RtcpPacketConverter.deSerialize', () => {
      for (let i = 0; i < s.rtcp.length; i++) sink += RtcpPacketConverter.deSerialize(s.rtcp[i]!).length;
    });
  await bench.run();
  const perSecond = (name: string, items: number): number => {
    const result = bench.getTask(name)?.result;
    if (!result || !('throughput' in result)) throw new Error(`micro-benchmark ${name} did not complete`);
    return result.throughput.mean * items;
  };
  const rtpWerift = perSecond('werift RtpPacket.deSerialize', s.rtp.length);
  const rtcpWerift = perSecond('werift RtcpPacketConverter.deSerialize', s.rtcp.length);
  if (sink === -1) console.log(sink);
  return [
    { name: `PacketDecoder.decode (Ethernet/IPv4/UDP, ${s.batch.count} capture records)`, ops: perSecond('PacketDecoder.decode', s.batch.count), unit: 'records/s' },
    { name: `classifyRtpRtcp (${s.payloads.length} UDP payloads)`, ops: perSecond('classifyRtpRtcp', s.payloads.length), unit: 'packets/s' },
    {
      name: `decodeRtpHeader (${s.rtp.length} capture RTP packets)`,
      ops: perSecond('decodeRtpHeader', s.rtp.length),
      unit: 'packets/s',
      baseline: { name: 'werift RtpPacket', ops: rtpWerift },
    },
    { name: 'decodeRtpHeader + read mid extension', ops: perSecond('decodeRtpHeader + mid', s.rtp.length), unit: 'packets/s' },
    {
      name: `decodeRtcpCompound (${s.rtcp.length} capture compounds)`,
      ops: perSecond('decodeRtcpCompound', s.rtcp.length),
      unit: 'compounds/s',
      baseline: { name: 'werift RtcpPacketConverter', ops: rtcpWerift },
    },
  ];
}
