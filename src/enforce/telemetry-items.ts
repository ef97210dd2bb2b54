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
  isAiprefItem,
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

/** a compound that does not start with an SR or RR */
const NO_SENDER = -1;

const BINDING_SDES_TYPES = new Set<number>([SdesItemType.MID, SdesItemType.RTP_STREAM_ID, SdesItemType.REPAIRED_RTP_STREAM_ID]);

/** True for SDES items that bind a stream rather than describe it. */
export function isBindingMetadata(item: SdesItem): boolean {
  if (BINDING_SDES_TYPES.has(item.type)) return true;
  return isAiprefItem(item);
}

export function splitTelemetry(compound: RtcpCompound): TelemetryItem[] {
  const items: TelemetryItem[] = [];
  const packets = compound.packets;
  // RFC 3550 §6.1: a compound's first packet, an SR or RR, names its sender (reduced-size RTCP, RFC 5506, may have none)
  const first = packets[0];
  const sender = first !== undefined && (first.pt === RtcpType.SR || first.pt === RtcpType.RR) && !('unknown' in first) ? first.ssrc : NO_SENDER;
  for (let packetIndex = 0; packetIndex < packets.length; packetIndex++) appendItems(items, packets[packetIndex]!, packetIndex, sender);
  return items;
}

/*
 * Items are built as whole object literals, one per kind, rather than by spreading a shared
 * base: spreads and per-packet closures were most of RTCP's cost (a replay runs this for
 * every item of every compound), and a literal gives each kind one stable object shape.
 */
function appendItems(items: TelemetryItem[], packet: RtcpPacket, packetIndex: number, compoundSender: number): void {
  const index = items.length;
  const pt = packet.pt;
  if ('unknown' in packet) {
    // An IJ packet's values (RFC 5450 §3) are the interarrival jitter of the sources of the
    // report before it, which govern it too: report-block telemetry, `media-metrics`. Any other
    // opaque packet type is application-defined as far as §4 can tell
    const feature: FeatureClass = packet.about === undefined ? 'app' : 'media-metrics';
    items.push({ index, packetIndex, pt, feature, senderSsrc: packet.ssrc, subjectSsrcs: packet.about === undefined ? NO_SUBJECTS : distinctOthers(packet.about, packet.ssrc, false), kind: 'app', packet });
    return;
  }
  switch (packet.pt) {
    case RtcpType.SR:
      items.push({ index, packetIndex, pt, feature: 'media-metrics', senderSsrc: packet.ssrc, subjectSsrcs: reportSubjects(packet.reports, packet.ssrc), kind: 'sr', packet });
      return;
    case RtcpType.RR:
      items.push({ index, packetIndex, pt, feature: 'media-metrics', senderSsrc: packet.ssrc, subjectSsrcs: reportSubjects(packet.reports, packet.ssrc), kind: 'rr', packet });
      return;
    case RtcpType.SDES: {
      const chunks = describingChunks(packet.chunks);
      if (chunks.length === 0) return;
      // The compound's sender governs (an SDES packet names none of its own: its first chunk may
      // describe another source, a mixer's CSRC say), even when its own chunk held only binding
      // metadata; each source whose text remains governs its text too.
      const sender = compoundSender === NO_SENDER ? packet.ssrc : compoundSender;
      const subjects: number[] = [];
      for (const c of chunks) subjects.push(c.ssrc);
      items.push({ index, packetIndex, pt, feature: 'sdes', senderSsrc: sender, subjectSsrcs: distinctOthers(subjects, sender, false), kind: 'sdes', packet, chunks });
      return;
    }
    case RtcpType.BYE: {
      // a BYE listing no source (RFC 3550 §6.6 allows a count of 0) is its compound's sender's
      const sender = packet.ssrcs.length === 0 && compoundSender !== NO_SENDER ? compoundSender : packet.ssrc;
      items.push({ index, packetIndex, pt, feature: 'media-metrics', senderSsrc: sender, subjectSsrcs: distinctOthers(packet.ssrcs, sender, false), kind: 'bye', packet });
      return;
    }
    case RtcpType.APP:
      items.push({ index, packetIndex, pt, feature: 'app', senderSsrc: packet.ssrc, subjectSsrcs: NO_SUBJECTS, kind: 'app', packet });
      return;
    case RtcpType.RTPFB: {
      // TMMBR/TMMBN and RFC 7728 PAUSE/RESUME name their media senders in their FCI entries (the
      // header's media SSRC is 0: none there; an entry's SSRC 0 is a source like any other),
      // RFC 8888 feedback in its report blocks
      const fciEntries = packet.tmmb ?? packet.pauseResume;
      const subjects =
        fciEntries !== undefined
          ? distinctOthers(packet.mediaSsrc === 0 ? fciEntries.map((e) => e.ssrc) : [packet.mediaSsrc, ...fciEntries.map((e) => e.ssrc)], packet.senderSsrc, false)
          : packet.ccfb !== undefined
            ? distinctOthers(packet.ccfb.streams.map((s) => s.ssrc), packet.senderSsrc, false)
            : onlyOther(packet.mediaSsrc, packet.senderSsrc);
      items.push({ index, packetIndex, pt, feature: 'feedback', senderSsrc: packet.senderSsrc, subjectSsrcs: subjects, kind: 'rtpfb', packet, fmt: packet.fmt });
      return;
    }
    case RtcpType.PSFB: {
      const subjects = [packet.mediaSsrc];
      if (packet.fir) for (const f of packet.fir) subjects.push(f.ssrc);
      if (packet.remb) for (const s of packet.remb.ssrcs) subjects.push(s);
      if (packet.tst) for (const t of packet.tst) subjects.push(t.ssrc);
      if (packet.vbcm) for (const v of packet.vbcm) subjects.push(v.ssrc);
      items.push({ index, packetIndex, pt, feature: 'feedback', senderSsrc: packet.senderSsrc, subjectSsrcs: distinctOthers(subjects, packet.senderSsrc), kind: 'psfb', packet, fmt: packet.fmt });
      return;
    }
    case RtcpType.XR: {
      const blocks = packet.blocks;
      for (let block = 0; block < blocks.length; block++) {
        const xrBlock = blocks[block]!;
        items.push({ index: items.length, packetIndex, pt, feature: 'rtcp-xr', senderSsrc: packet.ssrc, subjectSsrcs: xrBlockSubjects(xrBlock, packet.ssrc), kind: 'xr', packet, block, xrBlock });
      }
      return;
    }
  }
}

/**
 * The subjects of an item that reports on nobody else. Shared by all such items, so it must
 * never be written to (it is frozen): items' subject lists are read, never changed.
 */
const NO_SUBJECTS: number[] = Object.freeze([]) as unknown as number[];

/** Report blocks' sources other than the sender, without an intermediate array of SSRCs. */
function reportSubjects(reports: readonly { ssrc: number }[], sender: number): number[] {
  if (reports.length === 0) return NO_SUBJECTS;
  if (reports.length === 1) return onlyOther(reports[0]!.ssrc, sender, false);
  const out: number[] = [];
  for (let i = 0; i < reports.length; i++) {
    const ssrc = reports[i]!.ssrc;
    if (ssrc !== sender && !out.includes(ssrc)) out.push(ssrc);
  }
  return out;
}

/**
 * One possible subject: itself unless it is the sender, or 0 where 0 means "none" (`zeroIsNone`:
 * feedback's media SSRC, FIR entries). A report block's or an XR block's source is an SSRC like
 * any other, 0 included (RFC 3550 reserves no value): a stream sending as SSRC 0 governs what
 * is reported on it.
 */
function onlyOther(ssrc: number, sender: number, zeroIsNone = true): number[] {
  return ssrc !== sender && (ssrc !== 0 || !zeroIsNone) ? [ssrc] : NO_SUBJECTS;
}

/**
 * SDES chunks with their binding metadata removed; chunks left empty are left out. A chunk
 * with nothing to remove is the decoder's own (the same {ssrc, items}), not a copy.
 */
function describingChunks(chunks: readonly SdesChunk[]): SdesChunk[] {
  const out: SdesChunk[] = [];
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const all = chunk.items;
    let binding = 0;
    for (let i = 0; i < all.length; i++) if (isBindingMetadata(all[i]!)) binding++;
    if (binding === 0) {
      if (all.length > 0) out.push(chunk);
      continue;
    }
    if (binding === all.length) continue;
    const items: SdesItem[] = [];
    for (let i = 0; i < all.length; i++) if (!isBindingMetadata(all[i]!)) items.push(all[i]!);
    out.push({ ssrc: chunk.ssrc, items });
  }
  return out;
}

/** The sources an XR block reports on, other than the sender. */
function xrBlockSubjects(block: XrBlock, sender: number): number[] {
  if ('subBlocks' in block) return distinctOthers(block.subBlocks.map((s) => s.ssrc), sender, false);
  if ('ssrc' in block && block.ssrc !== undefined) return onlyOther(block.ssrc, sender, false);
  return NO_SUBJECTS;
}

/** Subjects other than the sender, in first-seen order; SSRC 0 is "none" in feedback and FIR (`zeroIsNone`). */
function distinctOthers(ssrcs: readonly number[], sender: number, zeroIsNone = true): number[] {
  if (ssrcs.length === 1) return onlyOther(ssrcs[0]!, sender, zeroIsNone);
  const out: number[] = [];
  for (const ssrc of ssrcs) if (ssrc !== sender && (ssrc !== 0 || !zeroIsNone) && !out.includes(ssrc)) out.push(ssrc);
  return out;
}
