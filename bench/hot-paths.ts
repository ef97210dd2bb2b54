/**
 * tinybench micro-benchmarks of the per-packet hot paths, on records taken from the benchmark
 * capture itself (a steady-state batch, and the RTCP compounds of its first records):
 * the native-free packet layers per record, RTP/RTCP classification, the RTP header decode
 * (against werift's RtpPacket.deSerialize) and the RTCP compound decode on real compounds
 * (against werift's RtcpPacketConverter), and the enforcement of those compounds' telemetry items
 * (split, decide, aggregate or export as a JSON line). Each task walks the whole sample so per-call overhead
 * does not swamp sub-microsecond work; figures are per item.
 */
import { Bench } from 'tinybench';
import { itemsPerSecond } from './task-rate.js';
import { RtcpPacketConverter, RtpPacket } from 'werift';
import { readCaptureBatches } from '../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../native-free/packet-decoder.js';
import type { RecordBatch } from '../native-free/types.js';
import { decideGoverned } from '../src/enforce/decide.js';
import { buildTelemetryExport } from '../src/enforce/records.js';
import { splitTelemetry } from '../src/enforce/telemetry-items.js';
import { WindowStore } from '../src/enforce/windows.js';
import { classifyRtpRtcp } from '../src/media/demux.js';
import { decodeRtcpCompound } from '../src/media/rtcp/compound.js';
import type { RtcpCompound } from '../src/media/rtcp/types.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpExtension } from '../src/media/rtp.js';
import { type ResolvedPreference, resolvePreferences } from '../src/policy/precedence.js';
import { buildStatement } from '../src/policy/statement.js';

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
  /**
   * per RTP packet, the id its call's SDP gave the mid extension (a=extmap), or 0 without an
   * extension block: what a media core knows from signaling before it reads the packet. The
   * generator's packets carry the mid as their one element, so its id is read here, untimed.
   */
  rtpMidIds: Uint8Array;
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
  return { batch, payloads, rtp, rtpMidIds: midExtensionIds(rtp), rtcp };
}

/** The id of each packet's first one-byte extension element (the generator's mid), 0 for a packet with none. */
export function midExtensionIds(rtp: readonly Uint8Array[]): Uint8Array {
  const header = createRtpHeaderView();
  return Uint8Array.from(rtp, (p) => (decodeRtpHeader(p, 0, p.length, header) === null && header.extProfile === 0xbede && header.extLength > 0 ? p[header.extOffset]! >> 4 : 0));
}

let sink = 0;

function preferenceOf(id: string, params: Record<string, unknown>): ResolvedPreference {
  const resolved = resolvePreferences([buildStatement(id, [{ prefId: id, source: 'policy-file', params }]).statement]);
  if (resolved === null) throw new Error('a statement always resolves');
  return resolved;
}

/**
 * The RTCP path of a media core without its stream table: each compound's items split,
 * decided (alternate compounds under a raw-export and an aggregated-only preference, as
 * capture streams differ), folded into per-sender windows or written as export lines.
 */
function enforceCompounds(compounds: readonly RtcpCompound[]): () => void {
  const raw = preferenceOf('apt-raw', { type: 'user', export: 'raw', retention: '90s' });
  const aggregated = preferenceOf('apt-agg', { type: 'domain', export: 'aggregated-only', features: 'media-metrics,rtcp-xr,feedback', retention: '1d' });
  const dialog = { callId: 'bench@10.0.0.1', fromTag: 'f', toTag: 't' };
  const keys = new Map<number, string>();
  return () => {
    const windows = new WindowStore({ windowSec: 10 });
    for (let i = 0; i < compounds.length; i++) {
      const ts = i * 0.02;
      const items = splitTelemetry(compounds[i]!);
      for (const item of items) {
        const decision = decideGoverned(item, i & 1 ? aggregated : raw);
        if (decision.decision === 'export') {
          const line = buildTelemetryExport({ frame: i, ts, item, decision, dialog, stream: { ssrc: item.senderSsrc, mid: 'a', kind: 'audio' } });
          sink += JSON.stringify(line).length;
        } else if (decision.decision === 'aggregate') {
          let key = keys.get(item.senderSsrc);
          if (key === undefined) keys.set(item.senderSsrc, (key = `bench#${item.senderSsrc}`));
          sink += windows.add(key, item, ts, { apt: decision.apt, retentionSec: decision.retentionSec }).length;
        }
      }
    }
    sink += windows.closeAll().length;
  };
}

export async function benchHotPaths(capture: string, timeMs = 1000): Promise<HotPathFigure[]> {
  const s = await takeSample(capture);
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const rtpView = createRtpHeaderView();
  const compounds = s.rtcp.map((c) => decodeRtcpCompound(c));
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
        if (decodeRtpHeader(p, 0, p.length, rtpView) === null) sink += rtpView.extProfile < 0 ? 1 : (readRtpExtension(p, rtpView, s.rtpMidIds[i]!)?.length ?? 2);
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
    })
    .add('RTCP enforcement', enforceCompounds(compounds));
  await bench.run();
  const perSecond = (name: string, items: number): number => itemsPerSecond(bench, name, items);
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
    { name: `RTCP enforcement: split, decide, fold or export line (${s.rtcp.length} decoded compounds)`, ops: perSecond('RTCP enforcement', s.rtcp.length), unit: 'compounds/s' },
  ];
}
