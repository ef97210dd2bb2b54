/**
 * Live packet records as capture record batches, so the pipeline's packet feed takes live
 * traffic exactly as it takes a file: each record becomes one raw-IP frame (LINKTYPE_RAW)
 * rebuilt from the original addresses, ports and payload. A record that already is a whole
 * IP packet ('ip-packet' mirrors) goes in as it came. SIP over TCP (from HEP) gets a running
 * sequence number per connection direction, so native-free's stream reassembly reads the
 * messages back in order.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { buildIpv4Packet, buildIpv6Packet, buildTcpSegment, buildUdpDatagram, IpProtocol, parseIpv4, parseIpv6, TcpFlag } from '../../native-free/frame-builder.js';
import { createRecordBatch } from '../../native-free/record-batch.js';
import { LinkType, type RecordBatch } from '../../native-free/types.js';
import type { SourcePacket } from './source-packet.js';

/** TCP connection directions followed at once; the oldest is forgotten past this. */
const MAX_TCP_FLOWS = 10_000;
/**
 * Capture agents remembered (their source numbers: each agent's clock, SourceClocks), at most: a
 * service hears from a few; past it the least recently heard is forgotten, and if it is heard
 * again it is a new source, its clock starting afresh (a number is never given twice: a forgotten
 * agent's clock is not another's).
 */
const MAX_ORIGINS = 1024;

const UNSPECIFIED_V4 = new Uint8Array(4);

export class SourcePacketBatcher {
  private nextFrame = 1;
  private readonly tcpNextSeq = new Map<string, number>();
  /** each origin's source number (RecordBatch.source), from 1, least recently heard first */
  private readonly origins = new Map<string, number>();
  private nextSource = 1;

  /** Records handed over so far (the next batch's first frame is this + 1). */
  get frames(): number {
    return this.nextFrame - 1;
  }

  toBatch(packets: readonly SourcePacket[]): RecordBatch {
    const frames = packets.map((p) => this.frameOf(p));
    let total = 0;
    for (const f of frames) total += f.length;
    const bytes = new Uint8Array(total);
    const batch = createRecordBatch(bytes, Math.max(1, packets.length), this.nextFrame);
    let at = 0;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      bytes.set(f, at);
      batch.dataOffset[i] = at;
      batch.capLen[i] = f.length;
      batch.origLen[i] = f.length;
      batch.linkType[i] = packets[i]!.linkType ?? LinkType.RAW;
      batch.ts[i] = packets[i]!.ts;
      batch.fileOffset[i] = 0;
      const origin = packets[i]!.origin;
      if (origin !== undefined) (batch.source ??= new Uint32Array(Math.max(1, packets.length)))[i] = this.sourceOf(origin);
      at += f.length;
    }
    batch.count = packets.length;
    this.nextFrame += packets.length;
    return batch;
  }

  /** An origin's source number (a new one past MAX_ORIGINS forgets the least recently heard). */
  private sourceOf(origin: string): number {
    let n = this.origins.get(origin);
    if (n === undefined) {
      // (0 is the records that name no agent; after 2^32 − 1 numbers, round again past it)
      n = this.nextSource;
      this.nextSource = this.nextSource >= 0xffffffff ? 1 : this.nextSource + 1;
      if (this.origins.size >= MAX_ORIGINS) this.origins.delete(this.origins.keys().next().value!);
    } else this.origins.delete(origin);
    this.origins.set(origin, n);
    return n;
  }

  private frameOf(p: SourcePacket): Uint8Array {
    if (p.linkType !== undefined) return p.payload;
    const src = addressBytes(p.src);
    let dst = addressBytes(p.dst);
    // A packet's two addresses share one family; an agent that left one out gets the other's.
    if (dst.length !== src.length) dst = new Uint8Array(src.length);
    const transport = p.proto === 'tcp' ? this.tcpSegment(p, src, dst) : buildUdpDatagram(src, dst, p.sport, p.dport, p.payload);
    const protocol = p.proto === 'tcp' ? IpProtocol.TCP : IpProtocol.UDP;
    return src.length === 4 ? buildIpv4Packet({ src, dst, protocol, payload: transport }) : buildIpv6Packet({ src, dst, protocol, payload: transport });
  }

  private tcpSegment(p: SourcePacket, src: Uint8Array, dst: Uint8Array): Uint8Array {
    const flow = `${p.src}:${p.sport}>${p.dst}:${p.dport}`;
    const seq = this.tcpNextSeq.get(flow) ?? 1;
    this.tcpNextSeq.delete(flow);
    if (this.tcpNextSeq.size >= MAX_TCP_FLOWS) this.tcpNextSeq.delete(this.tcpNextSeq.keys().next().value!);
    this.tcpNextSeq.set(flow, (seq + p.payload.length) >>> 0);
    return buildTcpSegment(src, dst, { sport: p.sport, dport: p.dport, seq, ack: 1, flags: TcpFlag.PSH, payload: p.payload });
  }
}

/** 4 or 16 bytes for an address text; IPv4-mapped IPv6 ("::ffff:192.0.2.1") is taken as IPv4. */
export function addressBytes(text: string): Uint8Array {
  if (isIPv4(text)) return parseIpv4(text);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped && isIPv4(mapped[1]!)) return parseIpv4(mapped[1]!);
  if (isIPv6(text)) {
    const zoneless = text.split('%')[0]!;
    const embedded = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(zoneless);
    if (!embedded) return parseIpv6(zoneless);
    const v4 = parseIpv4(embedded[2]!);
    return parseIpv6(`${embedded[1]}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`);
  }
  // No address (a log line from an agent): the unspecified address keeps the frame decodable.
  return UNSPECIFIED_V4;
}

/** A live source as the record batches the replay engine takes (`source` of its options). */
export async function* liveRecordBatches(packets: AsyncIterable<readonly SourcePacket[]>, batcher = new SourcePacketBatcher()): AsyncGenerator<RecordBatch> {
  for await (const group of packets) {
    // an empty group is the queue's idle tick: passed on as an empty batch, so the engine's clock can move
    yield group.length > 0 ? batcher.toBatch(group) : createRecordBatch(new Uint8Array(0), 0, 0);
  }
}
