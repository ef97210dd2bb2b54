/**
 * The packet layers put together: link → IP (tunnels, fragments) → UDP datagrams or TCP byte
 * streams. One decoder owns the reassembly state of one capture; decode() overwrites one
 * reusable view and allocates nothing for an ordinary UDP packet.
 */
import { fail, createLayerError } from './layer-error.js';
import { createLinkLayer, decodeLinkLayer, ETHERTYPE_IPV4, LinkResult } from './link.js';
import { createIpv4Header, decodeIpv4Header, formatIpv4, SNAPLEN_CUT } from './ipv4.js';
import { createIpv6Header, decodeIpv6Header, formatIpv6, IPV6_HEADER, walkIpv6Extensions } from './ipv6.js';
import { DEFAULT_FRAGMENT_LIMITS, FragmentOutcome, FragmentReassembler, type FragmentLimits, type GivenUpFragments } from './fragments.js';
import { createUdpHeader, decodeUdpHeader } from './udp.js';
import { createTcpHeader, decodeTcpHeader } from './tcp.js';
import { DEFAULT_TCP_STREAM_LIMITS, TcpDelivery, TcpStreamReassembler, type TcpResumedRun, type TcpStreamLimits } from './tcp-stream.js';
import { LinkType, type PacketKind, type PacketLayerStats, type PacketView, type RecordBatch } from './types.js';
import { readUint16, readUint32 } from './big-endian.js';
import { createTunnelPayload, IPPROTO_GRE, isTunnelPort, openGre, openUdpTunnel, Tunnel } from './tunnels.js';

const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
/** Tunnels nested deeper than this are taken as crafted input rather than followed. */
const MAX_NESTED_IP_HEADERS = 4;
const EMPTY = new Uint8Array(0);

class DecodedPacketView implements PacketView {
  frame = 0;
  ts = 0;
  ipVersion: 4 | 6 = 4;
  src4 = 0;
  dst4 = 0;
  sport = 0;
  dport = 0;
  bytes: Uint8Array = EMPTY;
  payloadOffset = 0;
  payloadLength = 0;
  payloadCut = 0;
  flowKey = '';
  error = '';
  errorOffset = 0;
  /** where the IPv6 source address is; the destination follows 16 bytes later */
  addressBytes: Uint8Array = EMPTY;
  addressOffset = 0;
  private srcText: string | undefined;
  private dstText: string | undefined;

  get src(): string {
    if (this.srcText === undefined) {
      this.srcText = this.ipVersion === 4 ? formatIpv4(this.src4) : formatIpv6(this.addressBytes, this.addressOffset);
    }
    return this.srcText;
  }

  get dst(): string {
    if (this.dstText === undefined) {
      this.dstText = this.ipVersion === 4 ? formatIpv4(this.dst4) : formatIpv6(this.addressBytes, this.addressOffset + 16);
    }
    return this.dstText;
  }

  reset(frame: number, ts: number): void {
    this.frame = frame;
    this.ts = ts;
    this.ipVersion = 4;
    this.src4 = 0;
    this.dst4 = 0;
    this.sport = 0;
    this.dport = 0;
    this.bytes = EMPTY;
    this.payloadOffset = 0;
    this.payloadLength = 0;
    this.payloadCut = 0;
    this.flowKey = '';
    this.error = '';
    this.errorOffset = 0;
    this.srcText = undefined;
    this.dstText = undefined;
  }

  /** Called when a tunnel's inner header replaces the addresses. */
  forgetAddressText(): void {
    this.srcText = undefined;
    this.dstText = undefined;
  }
}

/** A view for PacketDecoder.decode; reuse one per loop. */
export function createPacketView(): PacketView {
  return new DecodedPacketView();
}

export interface PacketDecoderOptions {
  fragments?: Partial<FragmentLimits>;
  tcp?: Partial<TcpStreamLimits>;
  /** false: every record takes the general path (tests compare the shortcut with it) */
  plainUdpShortcut?: boolean;
}

export class PacketDecoder {
  private readonly err = createLayerError();
  private readonly link = createLinkLayer();
  private readonly ip4 = createIpv4Header();
  private readonly ip6 = createIpv6Header();
  private readonly udp = createUdpHeader();
  private readonly tunnel = createTunnelPayload();
  private readonly tcp = createTcpHeader();
  private readonly fragments: FragmentReassembler;
  private readonly tcpStreams: TcpStreamReassembler;
  private readonly counters: PacketLayerStats = {
    records: 0,
    udp: 0,
    tcpSegments: 0,
    other: 0,
    malformed: 0,
    fragmentsHeld: 0,
    fragmentsReassembled: 0,
    fragmentsDropped: 0,
    fragmentOverlaps: 0,
    fragmentTimeouts: 0,
    tcpBytesDropped: 0,
    tcpGaps: 0,
    tcpRetransmissions: 0,
    tcpStreamsEvicted: 0,
    unsupportedLinkTypes: new Map(),
  };

  private readonly shortcut: boolean;

  constructor(opts: PacketDecoderOptions = {}) {
    this.shortcut = opts.plainUdpShortcut ?? true;
    this.fragments = new FragmentReassembler({ ...DEFAULT_FRAGMENT_LIMITS, ...opts.fragments });
    this.tcpStreams = new TcpStreamReassembler({ ...DEFAULT_TCP_STREAM_LIMITS, ...opts.tcp });
  }

  /** The counters so far, reassembly included. */
  get stats(): PacketLayerStats {
    const c = this.counters;
    const f = this.fragments.stats;
    const t = this.tcpStreams.stats;
    c.fragmentsHeld = f.held;
    c.fragmentsReassembled = f.reassembled;
    c.fragmentsDropped = f.dropped;
    c.fragmentOverlaps = f.overlaps;
    c.fragmentTimeouts = f.timeouts;
    c.tcpBytesDropped = t.bytesDropped;
    c.tcpGaps = t.gaps;
    c.tcpRetransmissions = t.retransmissions;
    c.tcpStreamsEvicted = t.evictions;
    return c;
  }

  /** End of capture, before flush: the TCP bytes held behind gaps that never filled (TcpStreamReassembler.drainHeld). */
  drainHeldTcp(): { key: string; bytes: Uint8Array; lostBytes: number }[] {
    return this.tcpStreams.drainHeld();
  }

  /**
   * Other TCP directions resumed past a gap by the record just decoded (its ACK passed their gap,
   * or the gap timed out), in order; null when none. Each run is taken once.
   */
  takeResumedTcp(): TcpResumedRun[] | null {
    const resumed = this.tcpStreams.resumed;
    return resumed.length === 0 ? null : resumed.splice(0);
  }

  /** The IP fragment sets given up since the last call (they never completed: a fragment lost). */
  takeGivenUpFragments(): GivenUpFragments[] {
    return this.fragments.takeGivenUp();
  }

  /** How many more sets than takeGivenUpFragments listed were given up since the last call. */
  takeGivenUpFragmentsPast(): number {
    return this.fragments.takeGivenUpPast();
  }

  /** End of capture: incomplete fragment sets and held TCP bytes are given up and counted. */
  flush(): void {
    this.fragments.flush();
    this.tcpStreams.flush();
  }

  /** Decodes record i of the batch into `view` (one made by createPacketView). */
  decode(batch: RecordBatch, i: number, view: PacketView): PacketKind {
    if (!(view instanceof DecodedPacketView)) throw new TypeError('PacketDecoder.decode needs a view from createPacketView()');
    this.counters.records++;
    const bytes = batch.bytes;
    const start = batch.dataOffset[i]!;
    const end = start + batch.capLen[i]!;
    view.reset(batch.firstFrame + i, batch.ts[i]!);
    const linkType = batch.linkType[i]!;
    if (linkType === LinkType.ETHERNET && this.shortcut && this.plainUdp(view, bytes, start, end)) return 'udp';
    const found = decodeLinkLayer(bytes, start, end, linkType, this.link, this.err);
    if (found !== LinkResult.NETWORK) {
      if (found === LinkResult.MALFORMED) return this.malformed(view, start);
      if (found === LinkResult.UNSUPPORTED) this.unsupportedLink(linkType);
      return this.other();
    }
    // Bytes the capture's snap length cut off the end of the record (an original length below
    // the captured one is nonsense and taken as nothing cut).
    const origLen = batch.origLen[i]!;
    const cut = origLen > end - start ? origLen - (end - start) : 0;
    return this.decodeIp(view, bytes, this.link.networkOffset, end, cut, this.link.etherType === ETHERTYPE_IPV4 ? 4 : 6, start);
  }

  /**
   * Follows IP headers, tunnels and fragments down to the transport layer. `base` is the offset
   * error positions are reported relative to: the record's start, or 0 inside a reassembled payload.
   * `end` is always the captured end of the current layer, and `cut` how many of its bytes on the
   * wire lie past it (the snap length cut the record there): each layer hands on its own share.
   */
  private decodeIp(
    view: DecodedPacketView,
    recordBytes: Uint8Array,
    ipAt: number,
    ipEnd: number,
    recordCut: number,
    ipVersion: 4 | 6,
    recordStart: number,
  ): PacketKind {
    let bytes = recordBytes;
    let at = ipAt;
    let end = ipEnd;
    let cut = recordCut;
    let version = ipVersion;
    let base = recordStart;
    for (let depth = 1; ; depth++) {
      if (depth > MAX_NESTED_IP_HEADERS) {
        fail(this.err, at, `more than ${MAX_NESTED_IP_HEADERS} nested IP headers`);
        return this.malformed(view, base);
      }
      let protocol: number;
      let payloadAt: number;
      let payloadEnd: number;
      if (version === 4) {
        const h = this.ip4;
        if (!decodeIpv4Header(bytes, at, end, h, this.err, cut)) return this.malformed(view, base);
        view.ipVersion = 4;
        view.src4 = h.src;
        view.dst4 = h.dst;
        view.forgetAddressText();
        protocol = h.protocol;
        payloadAt = at + h.headerLength;
        cut = h.cut;
        payloadEnd = at + h.totalLength - cut;
        if (h.moreFragments || h.fragmentOffset > 0) {
          if (cut > 0) {
            fail(this.err, at + 6, `IPv4 fragment ${SNAPLEN_CUT} (${h.totalLength - cut} of ${h.totalLength} bytes captured): it cannot be reassembled`);
            return this.malformed(view, base);
          }
          const key = `4 ${h.src} ${h.dst} ${protocol} ${h.identification}`;
          const outcome = this.fragments.add(key, view.ts, h.fragmentOffset, h.moreFragments, bytes, payloadAt, payloadEnd - payloadAt, view.frame);
          if (outcome === FragmentOutcome.HELD) return 'pending';
          if (outcome === FragmentOutcome.DROPPED) {
            fail(this.err, at + 6, this.fragments.dropReason);
            return this.malformed(view, base);
          }
          bytes = this.fragments.completed;
          payloadAt = 0;
          payloadEnd = bytes.length;
          base = 0;
        }
      } else {
        const h = this.ip6;
        if (!decodeIpv6Header(bytes, at, end, h, this.err, cut)) return this.malformed(view, base);
        view.ipVersion = 6;
        view.src4 = 0;
        view.dst4 = 0;
        view.addressBytes = bytes;
        view.addressOffset = h.addressOffset;
        view.forgetAddressText();
        protocol = h.protocol;
        payloadAt = h.payloadOffset;
        payloadEnd = h.payloadEnd;
        cut = h.cut;
        if (h.fragment) {
          if (cut > 0) {
            const wire = payloadEnd + cut - (at + IPV6_HEADER);
            fail(this.err, payloadAt - 6, `IPv6 fragment ${SNAPLEN_CUT} (${wire - cut} of ${wire} payload bytes captured): it cannot be reassembled`);
            return this.malformed(view, base);
          }
          // An atomic fragment (offset 0, no more) is the whole packet: read in isolation, never
          // joined to a set of the same addresses and id (RFC 6946 §4, RFC 8200 §4.5)
          let fragmentable = payloadAt;
          if (h.fragmentOffset > 0 || h.moreFragments) {
            const key = `6 ${formatIpv6(bytes, h.addressOffset)} ${formatIpv6(bytes, h.addressOffset + 16)} ${h.identification}`;
            const outcome = this.fragments.add(key, view.ts, h.fragmentOffset, h.moreFragments, bytes, payloadAt, payloadEnd - payloadAt, view.frame, protocol);
            if (outcome === FragmentOutcome.HELD) return 'pending';
            if (outcome === FragmentOutcome.DROPPED) {
              fail(this.err, payloadAt - 6, this.fragments.dropReason);
              return this.malformed(view, base);
            }
            // what follows the fragment header is what the first fragment says (RFC 8200 §4.5:
            // the others' Next Header values may differ, and are not used)
            protocol = this.fragments.completedProtocol;
            bytes = this.fragments.completed;
            base = 0;
            fragmentable = 0;
            payloadEnd = bytes.length;
          }
          // The fragmentable part may itself start with extension headers.
          if (!walkIpv6Extensions(bytes, fragmentable, payloadEnd, protocol, h, this.err)) return this.malformed(view, base);
          if (h.fragment) {
            fail(this.err, h.payloadOffset - 8, 'IPv6 fragment header inside a reassembled fragment');
            return this.malformed(view, base);
          }
          protocol = h.protocol;
          payloadAt = h.payloadOffset;
        }
      }

      let tunnel: Tunnel;
      switch (protocol) {
        case IPPROTO_IPIP:
        case IPPROTO_IPV6:
          version = protocol === IPPROTO_IPIP ? 4 : 6;
          at = payloadAt;
          end = payloadEnd;
          continue;
        case IPPROTO_UDP: {
          const h = this.udp;
          if (!decodeUdpHeader(bytes, payloadAt, payloadEnd, h, this.err, cut)) return this.malformed(view, base);
          tunnel = isTunnelPort(h.dport) ? openUdpTunnel(h.dport, bytes, h.payloadOffset, h.payloadOffset + h.payloadLength, this.tunnel, this.err) : Tunnel.OTHER;
          if (tunnel === Tunnel.OTHER) return this.udpDatagram(view, bytes, h.sport, h.dport, h.payloadOffset, h.payloadLength, h.cut);
          end = h.payloadOffset + h.payloadLength;
          cut = h.cut;
          break;
        }
        case IPPROTO_GRE:
          tunnel = openGre(bytes, payloadAt, payloadEnd, this.tunnel, this.err);
          if (tunnel === Tunnel.OTHER) return this.other();
          end = payloadEnd;
          break;
        case IPPROTO_TCP:
          return this.decodeTcp(view, bytes, payloadAt, payloadEnd, cut, base);
        default:
          return this.other();
      }
      // a mirror's tunnel: the packet inside, an IP packet or an Ethernet frame, read on
      if (tunnel === Tunnel.MALFORMED) return this.malformed(view, base);
      if (tunnel === Tunnel.ETHERNET) {
        const found = decodeLinkLayer(bytes, this.tunnel.at, end, LinkType.ETHERNET, this.link, this.err);
        if (found === LinkResult.MALFORMED) return this.malformed(view, base);
        if (found !== LinkResult.NETWORK) return this.other();
        version = this.link.etherType === ETHERTYPE_IPV4 ? 4 : 6;
        at = this.link.networkOffset;
      } else {
        version = tunnel === Tunnel.IPV4 ? 4 : 6;
        at = this.tunnel.at;
      }
    }
  }

  /**
   * The common case in one step: Ethernet II, an IPv4 header of 20 bytes, not a fragment, UDP,
   * every length consistent. Anything else (a VLAN tag, options, a fragment, a length to
   * question) returns false and takes the general path, which reports what is wrong.
   */
  private plainUdp(view: DecodedPacketView, bytes: Uint8Array, start: number, end: number): boolean {
    const ip = start + 14;
    if (end - ip < 28 || bytes[start + 12] !== 0x08 || bytes[start + 13] !== 0x00 || bytes[ip] !== 0x45 || bytes[ip + 9] !== 17) return false;
    // flags and fragment offset: only DF may be set
    if ((bytes[ip + 6]! & 0xbf) !== 0 || bytes[ip + 7] !== 0) return false;
    const totalLength = readUint16(bytes, ip + 2);
    if (totalLength < 28 || totalLength > end - ip) return false;
    const udpLength = readUint16(bytes, ip + 24);
    if (udpLength < 8 || udpLength > totalLength - 20) return false;
    const dport = readUint16(bytes, ip + 22);
    if (isTunnelPort(dport)) return false;
    view.ipVersion = 4;
    view.src4 = readUint32(bytes, ip + 12);
    view.dst4 = readUint32(bytes, ip + 16);
    view.forgetAddressText();
    this.udpDatagram(view, bytes, readUint16(bytes, ip + 20), dport, ip + 28, udpLength - 8, 0);
    return true;
  }

  /** What every UDP datagram sets in the view, whichever path decoded it. */
  private udpDatagram(
    view: DecodedPacketView,
    bytes: Uint8Array,
    sport: number,
    dport: number,
    payloadOffset: number,
    payloadLength: number,
    payloadCut: number,
  ): 'udp' {
    view.sport = sport;
    view.dport = dport;
    view.bytes = bytes;
    view.payloadOffset = payloadOffset;
    view.payloadLength = payloadLength;
    view.payloadCut = payloadCut;
    this.counters.udp++;
    return 'udp';
  }

  private decodeTcp(view: DecodedPacketView, bytes: Uint8Array, at: number, end: number, cut: number, base: number): PacketKind {
    if (cut > 0) {
      // Only the start of the segment's bytes is here: handed on, they would splice the stream
      // onto whatever follows its gap. Left out, the stream sees a lost segment.
      fail(this.err, at, `TCP segment ${SNAPLEN_CUT}: ${end - at} of ${end - at + cut} bytes captured, so its data cannot join the stream`);
      return this.malformed(view, base);
    }
    const h = this.tcp;
    if (!decodeTcpHeader(bytes, at, end, h, this.err)) return this.malformed(view, base);
    this.counters.tcpSegments++;
    view.sport = h.sport;
    view.dport = h.dport;
    const key =
      view.ipVersion === 4 ? `${view.src}:${h.sport}>${view.dst}:${h.dport}` : `[${view.src}]:${h.sport}>[${view.dst}]:${h.dport}`;
    view.flowKey = key;
    const streams = this.tcpStreams;
    // the acknowledgment number: the other direction's bytes the peer already has (a gap among them is lost for good)
    const ack = readUint32(bytes, at + 8);
    if (streams.add(key, view.ts, h.seq, h.flags, bytes, h.payloadOffset, h.payloadLength, ack) === TcpDelivery.NONE) return 'pending';
    view.bytes = streams.out;
    view.payloadOffset = streams.outOffset;
    view.payloadLength = streams.outLength;
    return 'tcp';
  }

  /** A record of a link type not read: counted by type, for the one warning per type at the end. */
  private unsupportedLink(linkType: number): void {
    const counts = this.counters.unsupportedLinkTypes;
    counts.set(linkType, (counts.get(linkType) ?? 0) + 1);
  }

  private other(): PacketKind {
    this.counters.other++;
    return 'other';
  }

  private malformed(view: DecodedPacketView, base: number): PacketKind {
    this.counters.malformed++;
    view.error = this.err.error;
    view.errorOffset = this.err.errorOffset - base;
    return 'malformed';
  }
}
