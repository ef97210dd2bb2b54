/**
 * Plays the UDP datagrams of a capture at a listener, as a relay would mirror them: raw
 * (`udp://host:port`, the payload alone) or wrapped in HEPv3 (`hep://host:port`, with the
 * original addresses, ports and capture time in the chunks). Over HEP, TCP streams (SIP over
 * TCP) go too, with IP protocol 6: each direction's in-order bytes (as reassembled by
 * native-free) once they complete a message, as the offline pipeline frames them. In
 * `ip-packet` mode each record's IP packet goes as it was captured. For tests, demos and load.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_TIMER_MS } from '../export/abortable.js';
import { captureName, readCaptureBatches, unsupportedLinkTypeWarnings } from '../../native-free/capture.js';
import { SNAPLEN_CUT } from '../../native-free/ipv4.js';
import type { CaptureWarning, RecordBatch } from '../../native-free/types.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { createLinkLayer, decodeLinkLayer, ETHERTYPE_IPV4, ETHERTYPE_IPV6, LinkResult } from '../../native-free/link.js';
import { LinkType } from '../../native-free/types.js';
import { createLayerError } from '../../native-free/layer-error.js';
import { readUint16 } from '../../native-free/big-endian.js';
import { HepTcpFraming } from './replay-tcp-framing.js';
import { encodeHep, hepTimestamp, HepProtocol, IpProtocolNumber } from './hep.js';
import { urlForDisplay } from './url-for-display.js';

/** Payload bytes that fit in one HEP frame beside the other chunks (and in one UDP datagram). */
const MAX_HEP_PAYLOAD = 60_000;

export interface ReplayTarget {
  scheme: 'udp' | 'hep';
  host: string;
  port: number;
}

/** Largest IP packet sent whole in one datagram (a UDP payload over IPv6 loopback fits 65,487). */
const MAX_IP_PACKET = 65_000;

/** Largest UDP payload of one datagram: over IPv4, 65,535 less the IP and UDP headers; over IPv6, less the UDP header. */
const MAX_UDP_PAYLOAD_4 = 65_507;
const MAX_UDP_PAYLOAD_6 = 65_527;

export class ReplayTargetError extends Error {
  constructor(target: string) {
    const ipv6 = unbracketedIPv6(target);
    // (a target may carry a user:password@ or key@: never shown; nor what follows the host's ':'
    // unless it starts as a port — `hep://u:my pass@h:9`, the quotes forgotten, is `hep://u:my` —
    // or the host is an IPv6 address with its brackets forgotten: no password's, shown whole)
    const shown = ipv6 !== undefined ? target : urlForDisplay(target).replace(/^([a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/:[\]]*)):(?!\d+(?:[/?#]|$)).*$/is, '$1:…');
    const hint = ipv6 !== undefined ? ` (an IPv6 address goes in brackets: ${ipv6})` : target.includes('@') ? ' (no user:password@ or key@ in it: a HEP auth key goes in --hep-auth-key)' : '';
    super(`replay target "${shown}" is not udp://host:port or hep://host:port${hint}`);
    this.name = 'ReplayTargetError';
  }
}

/**
 * For a target whose host is an IPv6 address without its brackets (`hep://fe80::1:9060`), the
 * target as it should be written (`hep://[fe80::1]:9060`); otherwise undefined. Such a target
 * holds no '@' (hex digits, ':' and '.' only), so no password.
 */
function unbracketedIPv6(target: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([0-9a-f:.]+?)\/?$/i.exec(target);
  if (m === null) return undefined;
  const scheme = m[1]!;
  const host = m[2]!;
  const port = /^(.+):(\d{1,5})$/.exec(host);
  if (port !== null && isIPv6(port[1]!)) return `${scheme}://[${port[1]}]:${port[2]}`;
  return isIPv6(host) ? `${scheme}://[${host}]:<port>` : undefined;
}

export function parseReplayTarget(target: string): ReplayTarget {
  // a scheme is case-insensitive (RFC 3986 §3.1): HEP:// is hep://
  const m = /^(udp|hep):\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]@]+):(\d{1,5})\/?$/i.exec(target);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ReplayTargetError(target);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { scheme: m[1]!.toLowerCase() as 'udp' | 'hep', host, port };
}

export interface ReplayOptions {
  /** 1 = the capture's pace, 2 = twice as fast, 0 = as fast as possible. Default 1. */
  speed?: number;
  /** datagrams handed to the kernel before the sender yields to let receivers read; default 32 */
  window?: number;
  /** HEP chunk 12 */
  captureAgentId?: number;
  /** HEP chunk 14 */
  authKey?: string;
  /**
   * udp:// only. `payload` (default): each UDP payload as one datagram, the way a relay mirrors
   * media. `ip-packet`: each record's IP packet as one datagram, byte for byte as captured (the
   * form of `live --udp-mode ip-packet`) — UDP, TCP, IP fragments, tunnels, ICMP, malformed IP
   * alike — so the live side reads what the offline pipeline reads, a lost segment or a fragment
   * set it drops included (a raw-IP record of no IP version, or an empty one, too); not a record
   * without an IP packet (ARP), nor one whose link header is malformed, nor one the snap length
   * cut (its link header included), nor an IP packet of another version than its link layer says
   * (an IPv6 packet in a frame typed IPv4: offline malformed, and a datagram cannot carry the link
   * layer's word).
   */
  udpMode?: 'payload' | 'ip-packet';
  /** HEP chunk 11 for a payload; default: SIP, RTCP or RTP by a look at the first bytes */
  hepProtocolOf?: (payload: Uint8Array) => number;
  signal?: AbortSignal;
  /**
   * told of a record the capture cut short at its end (`<file>: at byte <offset>: <what>`), and of
   * the first datagram its snap length cut, its link header (or a tunnel's) included (with their
   * count at the end): each is counted as skipped; of the first record the offline replay reports
   * malformed and that is not sent (in ip-packet mode, one whose link header is malformed), in the
   * offline report's words (with their count at the end); in ip-packet mode, of the first IP
   * packet whose version disagrees with its link layer, in the offline report's words (with their
   * count at the end); at the end, of the records of a link type not read, as the offline replay
   * says it;
   * over HEP, of the first SIP message over TCP a lost segment, a FIN or an RST cut, and of the
   * first stretch passed over after a lost segment (not sent: the offline replay's report of it, with
   * their count at the end); of the first datagram too big for one HEP frame or one datagram (in
   * ip-packet mode, IP packet), with their count at the end
   */
  onWarning?: (message: string) => void;
}

export interface ReplayResult {
  /** datagrams sent (over HEP, a long run of TCP stream bytes takes several) */
  sent: number;
  /** records not sent: not UDP (for hep://, not UDP or TCP; in ip-packet mode, no IP packet), of a link type not read, fragments held, malformed, cut by the snap length, too big to send (over HEP a TCP segment's bytes go with the message they complete, or not at all: in neither) */
  skipped: number;
}

/**
 * A first look, enough for the protocol type chunk: RTCP packet types 200-207 in a version-2
 * header (RFC 5761 §4), RTP for other version-2 headers, SIP for text starting with a letter.
 */
export function guessHepProtocol(payload: Uint8Array): number {
  if (payload.length >= 2 && payload[0]! >> 6 === 2) {
    return payload[1]! >= 200 && payload[1]! <= 207 ? HepProtocol.RTCP : HepProtocol.RTP;
  }
  const first = payload[0] ?? 0;
  if ((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a)) return HepProtocol.SIP;
  return 0;
}

export async function replayCapture(path: string, target: string | ReplayTarget, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const to = typeof target === 'string' ? parseReplayTarget(target) : target;
  const speed = opts.speed ?? 1;
  const window = Math.max(1, opts.window ?? 32);
  const protocolOf = opts.hepProtocolOf ?? guessHepProtocol;
  if (opts.udpMode === 'ip-packet' && to.scheme !== 'udp') throw new Error('ip-packet mode is for udp:// targets');
  const ipPackets = opts.udpMode === 'ip-packet';
  const socket = createSocket(isIPv6(to.host) ? 'udp6' : 'udp4');
  const file = captureName(path);
  const warn = (message: string): void => opts.onWarning?.(message);
  /** Over HEP, each TCP direction framed as the offline pipeline frames it (replay-tcp-framing). */
  const framing =
    to.scheme === 'hep' ? new HepTcpFraming(file, async (flow, ts, payload) => void (await sendPayload('tcp', flow.src.includes(':') ? 6 : 4, flow.src, flow.dst, flow.sport, flow.dport, ts, payload)), warn) : null;
  const decoder = new PacketDecoder(framing === null ? {} : { tcp: { onBoundary: framing.onBoundary } });
  const link = createLinkLayer();
  const linkError = createLayerError();
  const view = createPacketView();
  const result: ReplayResult = { sent: 0, skipped: 0 };
  let inFlight: Promise<void>[] = [];
  /**
   * The pace: the capture time of the first datagram sent, and the wall clock when it went. Both
   * are set by that datagram, so neither records not sent (an ARP frame an hour before, a datagram
   * too big to send) nor time spent before it (input slow to come) shifts the later ones' schedule.
   */
  let firstTs: number | undefined;
  let startWall = 0;
  /** the capture time the record being sent keeps (undefined: none, for the bytes sent at the end) */
  let paceTs: number | undefined;
  /**
   * A kind of record not sent: each counted in skipped, the first said with its byte, frame and
   * `words` (`… : not sent, nor any other <label>`), their count at the end when more than one
   * (`<file>: <n> <countLine> were not sent (counted in skipped)`).
   */
  const skippedKind = (label: string, countLine: string): SkippedKind => {
    let n = 0;
    return {
      note(frame, offset, words) {
        result.skipped++;
        if (n++ === 0) warn(`${file}: at byte ${offset}: frame ${frame}: ${words}: not sent, nor any other ${label}`);
      },
      end() {
        if (n > 1) warn(`${file}: ${n} ${countLine} were not sent (counted in skipped)`);
      },
    };
  };
  const oneFrame = to.scheme === 'hep' ? 'one HEP frame' : 'one datagram';
  /** datagrams (headers, a TCP segment, a tunnel's headers) the capture's snap length cut */
  const snapCut = skippedKind("record the snap length cut (a datagram cannot say it was cut)", "records cut by the capture's snap length");
  /** ip-packet mode: IP packets of another version than their link layer says (in the offline report's words) */
  const mislabelled = skippedKind(
    "IP packet of another version than its link layer says (a datagram cannot carry the link layer's word)",
    'IP packets of another version than their link layer says',
  );
  /**
   * Records the offline replay reports malformed and nothing of which is sent, in that report's
   * words: in ip-packet mode, a malformed link header (no IP packet to send); otherwise any
   * malformed record but a snap cut (no UDP payload, or TCP bytes, to send).
   */
  const malformed = ipPackets
    ? skippedKind('record whose link header is malformed (no IP packet to send: the offline replay reports it, the live side cannot)', 'records whose link header is malformed')
    : skippedKind('record the offline replay reports malformed (nothing in it to send: the live side cannot report it)', 'records the offline replay reports malformed');
  /** datagrams (ip-packet mode: IP packets) too big for one HEP frame or one datagram */
  const tooBig = skippedKind(`too big for ${oneFrame} (its bytes are lost to the live side)`, `${ipPackets ? 'IP packets' : 'UDP datagrams'} too big for ${oneFrame}`);
  /** ip-packet mode: records of each link type not read (payload mode: the decoder's count) */
  const unsupportedLinkTypes = new Map<number, number>();
  /** what one datagram (over HEP, one HEP frame) holds of a UDP payload */
  const maxUdpPayload = to.scheme === 'hep' ? MAX_HEP_PAYLOAD : isIPv6(to.host) ? MAX_UDP_PAYLOAD_6 : MAX_UDP_PAYLOAD_4;
  /**
   * Milliseconds until a datagram about to be sent is due (its record's capture time `paceTs`,
   * at `speed`); ≤ 0: now. The first one sent goes at once and starts the clock.
   */
  const dueMs = (): number => {
    if (paceTs === undefined || speed <= 0) return 0;
    if (firstTs === undefined) {
      firstTs = paceTs;
      startWall = performance.now();
      return 0;
    }
    return ((paceTs - firstTs) * 1000) / speed - (performance.now() - startWall);
  };
  /**
   * Sends one payload of a direction (a UDP datagram's, or a TCP stream's bytes over HEP) as the
   * target takes it; false when a UDP payload is too big to (one HEP frame or one datagram).
   */
  const sendPayload = async (proto: 'udp' | 'tcp', ipVersion: 4 | 6, src: string, dst: string, sport: number, dport: number, ts: number, payload: Uint8Array): Promise<boolean> => {
    // (a HEP frame holds at most 64 KiB: stream bytes are cut to fit)
    if (proto === 'udp' && payload.length > maxUdpPayload) return false;
    if (to.scheme === 'udp') {
      await sendDatagrams([payload]);
      return true;
    }
    const datagrams: Uint8Array[] = [];
    for (const piece of proto === 'tcp' ? cut(payload, MAX_HEP_PAYLOAD) : [payload]) {
      datagrams.push(
        encodeHep({
          ipVersion,
          ipProtocol: proto === 'tcp' ? IpProtocolNumber.TCP : IpProtocolNumber.UDP,
          src,
          dst,
          sport,
          dport,
          ...hepTimestamp(ts),
          protocolType: protocolOf(piece),
          payload: piece,
          ...(opts.captureAgentId !== undefined && { captureAgentId: opts.captureAgentId }),
          ...(opts.authKey !== undefined && { authKey: opts.authKey }),
        }),
      );
    }
    await sendDatagrams(datagrams);
    return true;
  };
  /** Sends what one record sends, at its pace. */
  const sendDatagrams = async (datagrams: readonly Uint8Array[]): Promise<void> => {
    // sendable: it keeps the pace (waiting only when it is not yet due; a wait past setTimeout's
    // longest, records days apart or a tiny --speed, in several timers, the rest recomputed after each)
    let due = dueMs();
    if (due > 1) {
      await Promise.all(inFlight);
      inFlight = [];
      while (due > MAX_TIMER_MS) {
        await sleep(MAX_TIMER_MS, undefined, { signal: opts.signal });
        due = dueMs();
      }
      if (due > 1) await sleep(due, undefined, { signal: opts.signal });
    }
    for (const datagram of datagrams) inFlight.push(send(socket, datagram, to));
    result.sent += datagrams.length;
    if (inFlight.length >= window) {
      await Promise.all(inFlight);
      inFlight = [];
      // A macrotask turn lets a receiver in this process (or its socket buffer) keep up.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  /**
   * ip-packet mode: record `i`'s IP packet as it was captured, one datagram, at its capture time —
   * whatever it carries (UDP, TCP, an IP fragment, a tunnel, ICMP, a malformed header), so the
   * live side reads what the offline pipeline reads. Not sent: a record whose link layer carries
   * no IP packet (or is malformed), one whose IP packet the snap length cut, one too big for one
   * datagram.
   */
  const sendIpPacket = async (batch: RecordBatch, i: number): Promise<void> => {
    const start = batch.dataOffset[i]!;
    const end = recordEnd(batch, i);
    const frame = batch.firstFrame + i;
    const offset = batch.fileOffset[i]!;
    const missing = batch.origLen[i]! - batch.capLen[i]!;
    const found = linkOf(batch, i);
    let at = link.networkOffset;
    if (linkHeaderCut(batch, i, found)) {
      snapCut.note(frame, offset, `${linkError.error} (the capture's snap length)`);
      return;
    } else if (found === LinkResult.MALFORMED && isRawIp(batch.linkType[i]!)) {
      // a raw-IP record of no IP version, or an empty one: the record is the packet, sent as
      // captured (the live side reports it malformed, as the offline replay does)
      at = start;
    } else if (found === LinkResult.MALFORMED) {
      // a link header genuinely short (a runt, a cut VLAN tag): no IP packet to send
      malformed.note(frame, offset, linkError.error);
      return;
    } else if (found !== LinkResult.NETWORK) {
      if (found === LinkResult.UNSUPPORTED) countUnsupported(batch.linkType[i]!);
      result.skipped++;
      return;
    } else if (at < end) {
      // an IP packet of another version than the link layer says: malformed offline (the link
      // layer's word decides), read by its own version live (a datagram cannot carry the word)
      const version = batch.bytes[at]! >> 4;
      const says = link.etherType === ETHERTYPE_IPV4 ? 4 : link.etherType === ETHERTYPE_IPV6 ? 6 : version;
      if ((version === 4 || version === 6) && version !== says) {
        // said in the offline report's words (a runt may be cut short before its version is read)
        const offline = decoder.decode(batch, i, view) === 'malformed' ? view.error : `IPv${says} header with version ${version}`;
        if (offline.includes(SNAPLEN_CUT)) snapCut.note(frame, offset, offline);
        else mislabelled.note(frame, offset, offline);
        return;
      }
    }
    if (missing > 0 && ipPacketCut(batch.bytes, at, end)) {
      snapCut.note(frame, offset, cutWords(batch, i, end - at, missing));
      return;
    }
    if (end - at > MAX_IP_PACKET) {
      tooBig.note(frame, offset, `an IP packet of ${end - at} bytes (more than ${MAX_IP_PACKET})`);
      return;
    }
    paceTs = batch.ts[i]!;
    await sendDatagrams([batch.bytes.slice(at, end)]);
  };
  /**
   * ip-packet mode: what the snap length cut of record `i` (`have` bytes of its IP packet
   * captured, `missing` more on the wire), in the decoder's words where it reads the cut itself.
   */
  const cutWords = (batch: RecordBatch, i: number, have: number, missing: number): string => {
    const kind = decoder.decode(batch, i, view);
    if (kind === 'udp' && view.payloadCut > 0) return `${view.payloadLength} of its ${view.payloadLength + view.payloadCut} payload bytes captured (the capture's snap length)`;
    if (kind === 'malformed' && view.error.includes(SNAPLEN_CUT)) return view.error;
    return `IP packet ${SNAPLEN_CUT}: ${have} of its ${have + missing} bytes captured`;
  };
  /** Record `i`'s link layer, decoded into `link` (or `linkError`). */
  const linkOf = (batch: RecordBatch, i: number): LinkResult => decodeLinkLayer(batch.bytes, batch.dataOffset[i]!, recordEnd(batch, i), batch.linkType[i]!, link, linkError);
  /**
   * Whether record `i`, whose link layer decoded as `found`, is one whose link header the snap
   * length cut: bytes missing, and its link layer cut short (a raw-IP record's only when it is
   * empty: one of no IP version is malformed whatever was cut).
   */
  const linkHeaderCut = (batch: RecordBatch, i: number, found: LinkResult): boolean =>
    batch.origLen[i]! > batch.capLen[i]! && found === LinkResult.MALFORMED && !(isRawIp(batch.linkType[i]!) && batch.capLen[i]! > 0);
  /** ip-packet mode: one more record of a link type not read */
  const countUnsupported = (linkType: number): void => void unsupportedLinkTypes.set(linkType, (unsupportedLinkTypes.get(linkType) ?? 0) + 1);
  let lastTs = 0;
  let lastFrame = 0;
  try {
    const onWarning = (w: CaptureWarning) => {
      result.skipped++;
      warn(`${w.file}: at byte ${w.offset}: ${w.message}`);
    };
    for await (const batch of readCaptureBatches(path, { onWarning })) {
      for (let i = 0; i < batch.count; i++) {
        opts.signal?.throwIfAborted();
        if (ipPackets) {
          await sendIpPacket(batch, i);
          continue;
        }
        const kind = decoder.decode(batch, i, view);
        // the time of what the end of the capture sends (held bytes): the last record's
        lastTs = view.ts;
        // What a record sends — its own bytes, or a TCP direction's it resumed — keeps the
        // capture's pace, from the first datagram sent (sendDatagrams' pace: records never sent
        // set no pace, an ARP frame an hour before the first datagram, one too big to send)
        paceTs = view.ts;
        // over HEP, a TCP segment ('tcp' or 'pending': only a TCP segment has a flow key)
        if ((kind === 'tcp' || kind === 'pending') && framing !== null && view.flowKey !== '') {
          // (a segment without new bytes sends nothing of its own: counted as before, a record not sent)
          if (kind === 'pending') result.skipped++;
          const payload = kind === 'tcp' ? view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength) : null;
          await framing.segment(decoder.takeResumedTcp(), view.flowKey, payload, view.ts, batch.firstFrame + i);
          continue;
        }
        if (kind === 'malformed') {
          const frame = batch.firstFrame + i;
          const offset = batch.fileOffset[i]!;
          // headers, or a TCP segment, the snap length cut: malformed to the decoder, but the capture's doing
          if (view.error.includes(SNAPLEN_CUT)) snapCut.note(frame, offset, view.error);
          // a header the snap length cut whose words do not say it: a link header (or a raw-IP
          // record emptied), a tunnel's (GRE, its inner Ethernet, VLAN, …), cut short where the record was
          else if (batch.origLen[i]! > batch.capLen[i]! && (cutShortAtEnd(view.error, view.errorOffset, batch.capLen[i]!) || linkHeaderCut(batch, i, linkOf(batch, i)))) {
            snapCut.note(frame, offset, `${view.error} (the capture's snap length)`);
          }
          // the offline replay's malformed-input report, which the live side, sent nothing, cannot make
          else malformed.note(frame, offset, view.error);
          continue;
        }
        if (kind !== 'udp') {
          result.skipped++;
          continue;
        }
        if (view.payloadCut > 0) {
          // A datagram the snap length cut: sent, its first bytes would arrive as a whole datagram
          // (a HEP frame cannot say it was cut either), a 1400-byte INVITE as a 54-byte message the
          // live side reports as broken SIP. Not sent.
          snapCut.note(batch.firstFrame + i, batch.fileOffset[i]!, `${view.payloadLength} of its ${view.payloadLength + view.payloadCut} payload bytes captured (the capture's snap length)`);
          continue;
        }
        const payload = view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength);
        if (!(await sendPayload('udp', view.ipVersion, view.src, view.dst, view.sport, view.dport, view.ts, payload))) {
          tooBig.note(batch.firstFrame + i, batch.fileOffset[i]!, `a UDP datagram of ${payload.length} payload bytes (more than ${maxUdpPayload})`);
        }
      }
      if (batch.count > 0) lastFrame = batch.firstFrame + batch.count - 1;
    }
    // over HEP, what the TCP streams still hold goes at once, at the last record's time
    paceTs = undefined;
    if (framing !== null) await framing.finish(decoder.drainHeldTcp(), lastTs, lastFrame);
    await Promise.all(inFlight);
    framing?.sayCounts();
    tooBig.end();
    mislabelled.end();
    malformed.end();
    snapCut.end();
    // as the offline replay says them (packet-feed), at the end
    for (const line of unsupportedLinkTypeWarnings(path, ipPackets ? unsupportedLinkTypes : decoder.stats.unsupportedLinkTypes)) warn(line);
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return result;
}

/** A kind of record not sent (replayCapture skippedKind): `note` one, `end` says their count. */
interface SkippedKind {
  /** one more record (`frame`, at byte `offset` of the file) not sent, `words` saying what it is: counted, the first said */
  note(frame: number, offset: number, words: string): void;
  /** at the end: their count, when more than the one said */
  end(): void;
}

/**
 * Whether a decoder's error is a header cut short by the end of the record's `capLen` captured
 * bytes (`<header> cut short: <have> of <need> bytes` at record offset `errorOffset`, its `have`
 * bytes running to that end) — in a record the snap length cut, the snap length's doing even
 * where the header's decoder (a tunnel's, its inner link layer's) was not told of the cut.
 */
function cutShortAtEnd(error: string, errorOffset: number, capLen: number): boolean {
  const m = / cut short: (\d+) of \d+ bytes$/.exec(error);
  return m !== null && errorOffset + Number(m[1]) === capLen;
}

/**
 * Whether the IP packet at bytes[at, end) of a record the snap length cut lacks bytes of its own
 * (its header, or what its length field says it holds), rather than only link-layer bytes after
 * it; false when it is no IPv4 or IPv6 packet (malformed whatever was cut: sent as it is).
 */
function ipPacketCut(b: Uint8Array, at: number, end: number): boolean {
  const have = end - at;
  if (have < 1) return true;
  const version = b[at]! >> 4;
  if (version === 4) {
    if (have < 20 || (b[at]! & 0x0f) * 4 > have) return true;
    const total = readUint16(b, at + 2);
    // (a length not filled in, segmentation offload's: the packet runs to the record's end, which was cut)
    return total === 0 || total > have;
  }
  if (version === 6) {
    if (have < 40) return true;
    const payload = readUint16(b, at + 4);
    return payload === 0 || 40 + payload > have;
  }
  return false;
}

/** A link type whose record is the IP packet itself, either version (no header; the version nibble says which). */
function isRawIp(linkType: number): boolean {
  return linkType === LinkType.RAW || linkType === LinkType.RAW_DLT12 || linkType === LinkType.RAW_DLT14;
}

function cut(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return pieces;
}

function send(socket: Socket, datagram: Uint8Array, to: ReplayTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.send(datagram, to.port, to.host, (err) => (err ? reject(err) : resolve()));
  });
}

/** Where record `i` of `batch` ends in the batch's bytes. */
function recordEnd(batch: RecordBatch, i: number): number {
  return batch.dataOffset[i]! + batch.capLen[i]!;
}
