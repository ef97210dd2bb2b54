/**
 * A decoded RTCP compound as telemetry items (SPEC §4): each packet is one item, except XR,
 * which is one item per report block. Each item names its feature class, the SSRC that sent
 * it, and the SSRCs it reports on, because an item is governed by the streams of all of them.
 *
 * SDES MID, RID and PRIV `aipref` items are binding metadata: they are removed here and never
 * reach a decision, so no export path can carry them.
 */
import type { FeatureClass } from '../policy/vocabulary.js';
import {
  type AppDefined,
  type ExtendedReport,
  type Goodbye,
  type PayloadFeedback,
  type ReceiverReport,
  type RtcpCompound,
  type RtcpPacket,
  RtcpType,
  type SdesChunk,
  type SdesItem,
  SdesItemType,
  type SenderReport,
  type SourceDescription,
  type TransportFeedback,
  type UnknownRtcp,
  type XrBlock,
} from '../media/rtcp/types.js';

interface ItemBase {
  /** position among the compound's telemetry items (stable, used for request ids) */
  index: number;
  /** position of the packet within the compound */
  packetIndex: number;
  pt: number;
  feature: FeatureClass;
  senderSsrc: number;
  /** other sources the item reports on (report blocks, XR blocks, feedback media SSRC) */
  subjectSsrcs: number[];
}

export type TelemetryItem =
  | (ItemBase & { kind: 'sr'; packet: SenderReport })
  | (ItemBase & { kind: 'rr'; packet: ReceiverReport })
  | (ItemBase & { kind: 'sdes'; packet: SourceDescription; chunks: SdesChunk[] })
  /** a BYE's reason is text: it may leave only where `sdes` is allowed too */
  | (ItemBase & { kind: 'bye'; packet: Goodbye })
  | (ItemBase & { kind: 'app'; packet: AppDefined | UnknownRtcp })
  | (ItemBase & { kind: 'rtpfb'; packet: TransportFeedback; fmt: number })
  | (ItemBase & { kind: 'psfb'; packet: PayloadFeedback; fmt: number })
  | (ItemBase & { kind: 'xr'; packet: ExtendedReport; block: number; xrBlock: XrBlock });

const BINDING_SDES_TYPES = new Set<number>([SdesItemType.MID, SdesItemType.RTP_STREAM_ID, SdesItemType.REPAIRED_RTP_STREAM_ID]);

/** True for SDES items that bind a stream rather than describe it. */
export function isBindingMetadata(item: SdesItem): boolean {
  if (BINDING_SDES_TYPES.has(item.type)) return true;
  return item.type === SdesItemType.PRIV && 'prefix' in item && item.prefix.toLowerCase() === 'aipref';
}

export function splitTelemetry(compound: RtcpCompound): TelemetryItem[] {
  const items: TelemetryItem[] = [];
  compound.packets.forEach((packet, packetIndex) => appendItems(items, packet, packetIndex));
  return items;
}

function appendItems(items: TelemetryItem[], packet: RtcpPacket, packetIndex: number): void {
  const base = (feature: FeatureClass, senderSsrc: number, subjects: number[]): ItemBase => ({
    index: items.length,
    packetIndex,
    pt: packet.pt,
    feature,
    senderSsrc,
    subjectSsrcs: distinctOthers(subjects, senderSsrc),
  });
  if ('unknown' in packet) {
    // An opaque packet type is application-defined as far as §4 can tell.
    items.push({ ...base('app', packet.ssrc, []), kind: 'app', packet });
    return;
  }
  switch (packet.pt) {
    case RtcpType.SR:
      items.push({ ...base('media-metrics', packet.ssrc, packet.reports.map((r) => r.ssrc)), kind: 'sr', packet });
      return;
    case RtcpType.RR:
      items.push({ ...base('media-metrics', packet.ssrc, packet.reports.map((r) => r.ssrc)), kind: 'rr', packet });
      return;
    case RtcpType.SDES: {
      const chunks = packet.chunks
        .map((chunk) => ({ ssrc: chunk.ssrc, items: chunk.items.filter((item) => !isBindingMetadata(item)) }))
        .filter((chunk) => chunk.items.length > 0);
      if (chunks.length === 0) return;
      // The sender governs even when its own chunk held only binding metadata; each source
      // whose text remains governs its text too.
      items.push({ ...base('sdes', packet.ssrc, chunks.map((c) => c.ssrc)), kind: 'sdes', packet, chunks });
      return;
    }
    case RtcpType.BYE:
      items.push({ ...base('media-metrics', packet.ssrc, packet.ssrcs), kind: 'bye', packet });
      return;
    case RtcpType.APP:
      items.push({ ...base('app', packet.ssrc, []), kind: 'app', packet });
      return;
    case RtcpType.RTPFB:
      items.push({ ...base('feedback', packet.senderSsrc, [packet.mediaSsrc]), kind: 'rtpfb', packet, fmt: packet.fmt });
      return;
    case RtcpType.PSFB: {
      const subjects = [packet.mediaSsrc, ...(packet.fir?.map((f) => f.ssrc) ?? []), ...(packet.remb?.ssrcs ?? [])];
      items.push({ ...base('feedback', packet.senderSsrc, subjects), kind: 'psfb', packet, fmt: packet.fmt });
      return;
    }
    case RtcpType.XR:
      packet.blocks.forEach((xrBlock, block) => {
        items.push({ ...base('rtcp-xr', packet.ssrc, xrBlockSubjects(xrBlock)), kind: 'xr', packet, block, xrBlock });
      });
      return;
  }
}

function xrBlockSubjects(block: XrBlock): number[] {
  if ('subBlocks' in block) return block.subBlocks.map((s) => s.ssrc);
  if ('ssrc' in block) return [block.ssrc];
  return [];
}

/** Subjects other than the sender, in first-seen order; SSRC 0 is "none" in feedback and FIR. */
function distinctOthers(ssrcs: readonly number[], sender: number): number[] {
  const out: number[] = [];
  for (const ssrc of ssrcs) if (ssrc !== sender && ssrc !== 0 && !out.includes(ssrc)) out.push(ssrc);
  return out;
}
