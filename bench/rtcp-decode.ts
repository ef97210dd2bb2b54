/**
 * RTCP decoding throughput: decodeRtcpCompound against werift's RtcpPacketConverter on the
 * same realistic mix of compounds (built with our encoder), single thread. Each tinybench
 * call decodes the whole mix so that per-call overhead does not swamp a sub-microsecond
 * decode. werift skips what it does not decode (BYE, XR), so the ratio flatters werift.
 *
 *   node dist/bench/rtcp-decode.js      prints a table
 */
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { itemsPerSecond } from './task-rate.js';
import { RtcpPacketConverter } from 'werift';
import { classifyRtpRtcp } from '../src/media/demux.js';
import { decodeRtcpCompound, walkRtcpCompound } from '../src/media/rtcp/compound.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../src/media/rtcp/encode.js';
import type { ReportBlock } from '../src/media/rtcp/types.js';
import { encodeRtpPacket } from '../src/media/rtp-encode.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpExtension } from '../src/media/rtp.js';

export interface RtcpBenchFigure {
  name: string;
  ops: number;
  unit: string;
  werift?: number;
  ratio?: number;
}

const VARIANTS_PER_KIND = 20;

function reportBlock(i: number): ReportBlock {
  return { ssrc: 0x5a3361b3 + i, fractionLost: i & 0xff, cumulativeLost: i * 3, highestSeq: 54340 + i, jitter: 12 + i, lsr: 153432162 + i, dlsr: 1048 };
}

/** SR+SDES, RR+SDES, RR+XR VoIP, RR+NACK, RR+PLI, SR+BYE — what a call's RTCP looks like. */
export function buildRtcpMix(): Uint8Array[] {
  const mix: Uint8Array[] = [];
  for (let i = 0; i < VARIANTS_PER_KIND; i++) {
    const ssrc = 0x42f433d4 + i;
    const sr = (reports: ReportBlock[]): RtcpPacketInput => ({
      pt: 200, ssrc, ntpSec: 2099493 + i, ntpFrac: 811748763, rtpTs: 1884819849 + i * 160, packetCount: 100 + i, octetCount: 16000 + i * 160, reports,
    });
    const rr = (reports: ReportBlock[]): RtcpPacketInput => ({ pt: 201, ssrc, reports });
    const sdes: RtcpPacketInput = {
      pt: 202, ssrc, chunks: [{ ssrc, items: [{ type: 1, text: `user${i}@host.example.org` }, { type: 8, prefix: 'aipref', value: `apt-${i}` }] }],
    };
    const voip: RtcpPacketInput = {
      pt: 207, ssrc, blocks: [{
        bt: 7, ssrc: ssrc + 1, lossRate: 3, discardRate: 1, burstDensity: 0, gapDensity: 2, burstDuration: 0, gapDuration: 5000,
        roundTripDelay: 40 + i, endSystemDelay: 60, signalLevel: -20, noiseLevel: -70, rerl: 127, gmin: 16, rFactor: 90,
        extRFactor: 127, mosLq: 41, mosCq: 42, rxConfig: 0, jbNominal: 60, jbMaximum: 120, jbAbsMax: 200,
      }],
    };
    mix.push(encodeRtcpCompound([sr([reportBlock(i)]), sdes]));
    mix.push(encodeRtcpCompound([rr([reportBlock(i)]), sdes]));
    mix.push(encodeRtcpCompound([rr([reportBlock(i)]), voip]));
    mix.push(encodeRtcpCompound([rr([reportBlock(i)]), { pt: 205, ssrc, fmt: 1, senderSsrc: ssrc, mediaSsrc: ssrc + 1, nacks: [{ pid: 1000 + i, blp: 5 }] }]));
    mix.push(encodeRtcpCompound([rr([reportBlock(i)]), { pt: 206, ssrc, fmt: 1, senderSsrc: ssrc, mediaSsrc: ssrc + 1 }]));
    mix.push(encodeRtcpCompound([sr([]), { pt: 203, ssrc, ssrcs: [ssrc], reason: undefined }]));
  }
  return mix;
}

function buildRtpMix(): Uint8Array[] {
  const mix: Uint8Array[] = [];
  const payload = new Uint8Array(160).fill(0xd5);
  const mid = new TextEncoder().encode('audio');
  for (let i = 0; i < 64; i++) {
    mix.push(encodeRtpPacket({ pt: 111, seq: i, ts: i * 960, ssrc: 0x1234 + (i & 3), marker: i === 0, extensions: [{ id: 1, value: Uint8Array.of(0x10) }, { id: 4, value: mid }], payload }));
  }
  return mix;
}

/** Guards against the optimiser dropping work whose result nobody reads. */
let sink = 0;

export async function benchRtcpDecode(timeMs = 1000): Promise<RtcpBenchFigure[]> {
  const mix = buildRtcpMix();
  const mixBuffers = mix.map((b) => Buffer.from(b));
  const rtp = buildRtpMix();
  const view = createRtpHeaderView();
  const countPacket = () => {
    sink++;
  };

  const bench = new Bench({ time: timeMs, warmupTime: 200 });
  bench
    .add('decodeRtcpCompound', () => {
      for (let i = 0; i < mix.length; i++) sink += decodeRtcpCompound(mix[i]!).packets.length;
    })
    .add('werift RtcpPacketConverter.deSerialize', () => {
      for (let i = 0; i < mixBuffers.length; i++) sink += RtcpPacketConverter.deSerialize(mixBuffers[i]!).length;
    })
    .add('walkRtcpCompound', () => {
      for (let i = 0; i < mix.length; i++) sink += walkRtcpCompound(mix[i]!, 0, mix[i]!.length, countPacket);
    })
    .add('classifyRtpRtcp + decodeRtpHeader + mid', () => {
      for (let i = 0; i < rtp.length; i++) {
        const b = rtp[i]!;
        if (classifyRtpRtcp(b, 0, b.length) === 'rtp' && decodeRtpHeader(b, 0, b.length, view) === null) {
          sink += readRtpExtension(b, view, 4)!.length;
        }
      }
    });
  await bench.run();

  const perSecond = (name: string, items: number): number => itemsPerSecond(bench, name, items);
  const ours = perSecond('decodeRtcpCompound', mix.length);
  const werift = perSecond('werift RtcpPacketConverter.deSerialize', mix.length);
  return [
    { name: 'decodeRtcpCompound (SR+SDES, RR+SDES, RR+XR, RR+NACK, RR+PLI, SR+BYE)', ops: ours, unit: 'compounds/s', werift, ratio: ours / werift },
    { name: 'walkRtcpCompound (same mix)', ops: perSecond('walkRtcpCompound', mix.length), unit: 'compounds/s' },
    { name: 'classify + decodeRtpHeader + read mid', ops: perSecond('classifyRtpRtcp + decodeRtpHeader + mid', rtp.length), unit: 'packets/s' },
  ];
}

function printFigures(figures: RtcpBenchFigure[]): void {
  const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`);
  const rows = figures.map((f) => [f.name, `${fmt(f.ops)} ${f.unit}`, f.werift ? `${fmt(f.werift)} ${f.unit}` : '', f.ratio ? `${f.ratio.toFixed(1)}×` : '']);
  const head = ['benchmark', 'ours', 'werift', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchRtcpDecode();
  printFigures(figures);
  if (sink === -1) console.log(sink);
}
