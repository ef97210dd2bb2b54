/**
 * Plays the UDP datagrams of a capture at a listener, as a relay would mirror them: raw
 * (`udp://host:port`, the payload alone) or wrapped in HEPv3 (`hep://host:port`, with the
 * original addresses, ports and capture time in the chunks). Over HEP, TCP streams (SIP over
 * TCP) go too, with IP protocol 6: each direction's in-order bytes (as reassembled by
 * native-free) once they complete a message, as the offline pipeline frames them. In
 * `ip-packet` mode a TCP segment goes as its captured IP packet. For tests, demos and load.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourcePacketBatcher } from './source-batch.js';
import { MAX_TIMER_MS } from '../export/abortable.js';
import { captureName, readCaptureBatches } from '../../native-free/capture.js';
import { SNAPLEN_CUT } from '../../native-free/ipv4.js';
import type { CaptureWarning, RecordBatch } from '../../native-free/types.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { flowOfKey, reverseFlowKey, TcpBoundary } from '../../native-free/tcp-stream.js';
import { createLinkLayer, decodeLinkLayer, LinkResult } from '../../native-free/link.js';
import { createLayerError, type LayerError } from '../../native-free/layer-error.js';
import { createIpv6Header, type Ipv6Header, walkIpv6Extensions } from '../../native-free/ipv6.js';
import { readUint16 } from '../../native-free/big-endian.js';
import { SipFlowDemux } from '../signaling/sip-flows.js';
import type { SipParseResult } from '../signaling/sip-message.js';
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
   * media. `ip-packet`: each UDP datagram as one whole IP packet per datagram (the form of `live
   * --udp-mode ip-packet`), so original addresses and ports arrive; each TCP segment that moves the
   * reading on (its bytes, a SYN starting a stream, a FIN, an RST, an ACK past a gap) as its captured
   * IP packet (in IP fragments: as its fragments), its own sequence and acknowledgment numbers, so
   * the live side sees a lost segment as the offline pipeline does.
   */
  udpMode?: 'payload' | 'ip-packet';
  /** HEP chunk 11 for a payload; default: SIP, RTCP or RTP by a look at the first bytes */
  hepProtocolOf?: (payload: Uint8Array) => number;
  signal?: AbortSignal;
  /**
   * told of a record the capture cut short at its end (`<file>: at byte <offset>: <what>`), and of
   * the first datagram its snap length cut (with their count at the end): each is counted as skipped;
   * over HEP, of the first SIP message over TCP a lost segment, a FIN or an RST cut, and of the
   * first stretch passed over after a lost segment (not sent: the offline replay's report of it, with
   * their count at the end); in ip-packet mode, of the first TCP segment too big for one datagram
   */
  onWarning?: (message: string) => void;
}

export interface ReplayResult {
  /** datagrams sent (over HEP, a long run of TCP stream bytes takes several) */
  sent: number;
  /** records not sent: not UDP (for hep://, not UDP or TCP), fragments held, malformed, cut by the snap length (over HEP a TCP segment's bytes go with the message they complete, or not at all: in neither) */
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
  const ipPackets = opts.udpMode === 'ip-packet' ? new SourcePacketBatcher() : null;
  const socket = createSocket(isIPv6(to.host) ? 'udp6' : 'udp4');
  /**
   * Over HEP, each TCP direction framed as the offline pipeline frames it (packet-feed: SipFlowDemux,
   * its framer ended by a lost segment, a FIN, an RST, a new SYN): a direction's bytes are held
   * until they complete a message, so the bytes of one that is cut are never sent — no HEP frame
   * can say bytes are missing, and the live side would read them glued to the next message.
   */
  const framing = to.scheme === 'hep' ? new SipFlowDemux({}, reverseFlowKey) : null;
  /** the held bytes of each direction (least recently held first) */
  const held = new Map<string, Uint8Array[]>();
  /** TcpBoundary bits of the record being decoded, and with a GAP the bytes it lost (packet-feed tcpBoundaries; HEP, ip-packet) */
  let boundaries = 0;
  let lostBytes = 0;
  const carriesTcp = to.scheme === 'hep' || ipPackets !== null;
  const decoder = new PacketDecoder(
    !carriesTcp
      ? {}
      : {
          tcp: {
            onBoundary: (_key, b, lost) => {
              boundaries |= b;
              if ((b & TcpBoundary.GAP) !== 0) lostBytes = lost;
            },
          },
        },
  );
  /** ip-packet mode: where a TCP segment's IP packet starts in its record */
  const link = createLinkLayer();
  const linkError = createLayerError();
  const ipv6 = createIpv6Header();
  /** Where record `i`'s IP packet starts in the batch's bytes (ip-packet mode); -1 where its link layer carries none. */
  const networkAt = (batch: RecordBatch, i: number): number =>
    decodeLinkLayer(batch.bytes, batch.dataOffset[i]!, recordEnd(batch, i), batch.linkType[i]!, link, linkError) === LinkResult.NETWORK ? link.networkOffset : -1;
  /** Record `i`'s IP packet from `at` as one datagram, unless it is too big for one (said: tooBigRecord). */
  const sendIpPacket = async (batch: RecordBatch, i: number, at: number): Promise<void> => {
    const end = recordEnd(batch, i);
    if (end - at > MAX_IP_PACKET) tooBigRecord(batch.firstFrame + i, batch.fileOffset[i]!, end - at);
    else await sendDatagrams([batch.bytes.slice(at, end)]);
  };
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
  /** datagrams the capture's snap length cut, not sent */
  let snapCut = 0;
  /** over HEP, SIP messages over TCP cut (a lost segment, FIN, RST), not sent */
  let cutMessages = 0;
  /** over HEP, stretches a direction's fresh framer passed over after a lost segment, before its next message, not sent */
  let passedOver = 0;
  /** over HEP, the plain SIP directions whose framer is fresh after a lost segment and has found nothing yet */
  const afterGap = new Set<string>();
  /** ip-packet mode: TCP segments too big for one datagram, not sent */
  let tooBig = 0;
  /** What the capture cut short by its snap length and is not sent: the first said, the count at the end. */
  const snapCutRecord = (frame: number, offset: number, what: string): void => {
    result.skipped++;
    if (snapCut++ === 0) opts.onWarning?.(`${captureName(path)}: at byte ${offset}: frame ${frame}: ${what}: not sent, nor any other record the snap length cut (a datagram cannot say it was cut)`);
  };
  /** ip-packet mode: a TCP segment whose IP packet one datagram cannot hold, not sent: the first said, the count at the end. */
  const tooBigRecord = (frame: number, offset: number, size: number): void => {
    result.skipped++;
    if (tooBig++ === 0) opts.onWarning?.(`${captureName(path)}: at byte ${offset}: frame ${frame}: a TCP segment in an IP packet of ${size} bytes (more than ${MAX_IP_PACKET}): not sent, nor any other too big for one datagram (its bytes are lost to the live side)`);
  };
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
  /** Sends one payload of a direction (a datagram, or a TCP stream's bytes) as the target takes it; false when it is too big to. */
  const sendPayload = async (proto: 'udp' | 'tcp', ipVersion: 4 | 6, src: string, dst: string, sport: number, dport: number, ts: number, payload: Uint8Array): Promise<boolean> => {
    const datagrams: Uint8Array[] = [];
    if (ipPackets !== null) {
      const packet = ipPackets.toBatch([{ ts, src, dst, sport, dport, proto, payload }]).bytes;
      if (packet.length > MAX_IP_PACKET) return false;
      datagrams.push(packet);
    } else if (to.scheme === 'udp') datagrams.push(payload);
    else {
      // A HEP frame holds at most 64 KiB: stream bytes are cut to fit, a datagram too big is skipped.
      const pieces = proto === 'tcp' ? cut(payload, MAX_HEP_PAYLOAD) : [payload];
      if (pieces.some((p) => p.length > MAX_HEP_PAYLOAD)) return false;
      for (const piece of pieces) {
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
  /** Over HEP, a direction's stream bytes, at `ts`. */
  const sendTcp = async (flow: { src: string; dst: string; sport: number; dport: number }, ts: number, payload: Uint8Array): Promise<void> => {
    if (!(await sendPayload('tcp', flow.src.includes(':') ? 6 : 4, flow.src, flow.dst, flow.sport, flow.dport, ts, payload))) result.skipped++;
  };
  /**
   * Over HEP, a direction's new in-order bytes, framed: the bytes of the messages they complete go
   * at `ts`, with the ones held before; the bytes of a message not complete yet (all of them while
   * none is, or the direction is undecided) are held, so a cut drops exactly what the offline
   * framer drops. A direction turned into someone else's traffic goes whole, and a WebSocket one
   * whole once it completes a message (its decoder does not say what it holds of the next). The
   * chunks held while the direction was undecided go as the chunks they came in: the classifier
   * reads them by where they start and end (a lone first octet is a keep-alive probe's, passed
   * over; glued to the message after it, it is the message's). After a lost segment, the bytes
   * the fresh framer passes over before its next message (record `frame`) are not sent either.
   */
  const sendStream = async (demux: SipFlowDemux, key: string, bytes: Uint8Array, ts: number, frame: number): Promise<void> => {
    if (bytes.length === 0) return;
    const before = held.get(key);
    held.delete(key);
    const chunked = before !== undefined && demux.kindOf(key) === 'undecided';
    const evicted = demux.stats.evicted;
    const results = demux.push(key, bytes, 0, bytes.length);
    const done = results.length !== 0;
    // the direction the framer let go (the least recently active) goes from `held` too: the
    // offline replay reported its message cut, and its next bytes are a new stream (`held` is in
    // the framer's order: the least recently pushed of its directions is the first held, if held)
    if (demux.stats.evicted !== evicted && held.size > 0) {
      const oldest = held.keys().next().value!;
      if (demux.kindOf(oldest) === null) held.delete(oldest);
    }
    const kind = demux.kindOf(key);
    const total = (before === undefined ? 0 : before.reduce((n, c) => n + c.length, 0)) + bytes.length;
    const tail = kind === 'other' ? 0 : !done || kind === 'undecided' ? total : Math.min(demux.pendingBytes(key) ?? 0, total);
    if (tail === total) {
      if (before === undefined) held.set(key, [bytes.slice()]);
      else {
        before.push(bytes.slice());
        held.set(key, before);
      }
      return;
    }
    const from = afterGap.size > 0 && afterGap.delete(key) ? passedOverAfterGap(results, frame) : 0;
    const all = before === undefined ? bytes : Buffer.concat([...before, bytes]);
    // (a copy of `bytes`, which may be the decoder's; of a concatenation, ours, a view)
    if (tail > 0) held.set(key, [all.slice(total - tail)]);
    const flow = flowOfKey(key);
    if (flow === null) return;
    if (!chunked) {
      if (total - tail > from) await sendTcp(flow, ts, all.subarray(from, total - tail));
      return;
    }
    let left = total - tail;
    for (const chunk of [...before, bytes]) {
      if (left <= 0) break;
      await sendTcp(flow, ts, chunk.subarray(0, Math.min(chunk.length, left)));
      left -= chunk.length;
    }
  };
  /**
   * Over HEP, the first results of a direction's fresh framer after a lost segment (read at record
   * `frame`): the bytes it passed over before them (no start line), which the live side, whose
   * framer never saw the gap, would report elsewhere in its stream — not sent; its report is said,
   * the first one. Returns how many of the bytes since the gap are not sent.
   */
  const passedOverAfterGap = (results: readonly SipParseResult[], frame: number): number => {
    const first = results[0]!;
    const skip = first.message === null && first.errors[0]?.reason === 'garbage-skipped' ? first.errors[0] : undefined;
    if (skip === undefined) return 0;
    if (passedOver++ === 0) {
      opts.onWarning?.(
        `${captureName(path)}: frame ${frame}: ${reportWords(first)}: the offline replay's report, not the live side's: the bytes after a lost segment before the next message are not sent (nor those after later gaps, counted at the end)`,
      );
    }
    return skip.offset + Number(skip.detail);
  };
  /**
   * Over HEP, a direction's stream cut at record `frame` (`cause`: a lost segment, FIN, RST, a new
   * SYN): the bytes it held are not sent, and what the offline replay reports there (the message
   * cut, or the bytes lost between messages) is said, the first one, as that report words it.
   */
  const cutStream = (demux: SipFlowDemux, key: string, cause: string, frame: number, lost = -1): void => {
    held.delete(key);
    const gap = cause === 'a lost segment';
    const report: SipParseResult | null = gap ? demux.gap(key, cause, lost) : demux.end(key, cause);
    // (a plain SIP direction's framer after a gap is a fresh one: what it passes over before a start line is the offline replay's to report)
    if (gap && demux.kindOf(key) === 'sip') afterGap.add(key);
    else if (afterGap.size > 0) afterGap.delete(key);
    if (report === null) return;
    if (cutMessages++ === 0) {
      opts.onWarning?.(`${captureName(path)}: frame ${frame}: ${reportWords(report)}: the offline replay's report, not the live side's: a HEP frame cannot say a TCP stream was cut, so the cut bytes are not sent (nor those of later cuts, counted at the end)`);
    }
  };
  /**
   * A TCP direction's bytes past a gap (a segment lost or cut by the snap length), as the offline
   * pipeline reads them (packet-feed resumeOthers, resumeAfterGap): sent as that direction's, at
   * `ts`, after the cut the gap made (at record `frame`). (ip-packet: the live side resumes them itself.)
   */
  const sendResumed = async (runs: readonly { key: string; bytes: Uint8Array; lostBytes: number; ended?: boolean }[] | null, ts: number, frame: number): Promise<void> => {
    if (runs === null || framing === null) return;
    for (const { key, bytes, lostBytes: lost, ended } of runs) {
      cutStream(framing, key, 'a lost segment', frame, lost);
      await sendStream(framing, key, bytes, ts, frame);
      if (ended === true) cutStream(framing, key, 'FIN', frame);
    }
  };
  /**
   * Over HEP, a TCP record: what it resumed of other directions, then its own bytes, with the
   * boundaries of its stream (packet-feed tcpBoundary): a new SYN, a gap, a FIN, an RST.
   */
  const sendSegment = async (demux: SipFlowDemux, kind: 'tcp' | 'pending', frame: number, ts: number): Promise<void> => {
    const b = boundaries;
    boundaries = 0;
    await sendResumed(decoder.takeResumedTcp(), ts, frame);
    // (a segment without new bytes sends nothing of its own: counted as before, a record not sent)
    if (kind === 'pending') result.skipped++;
    const key = view.flowKey;
    if ((b & TcpBoundary.START) !== 0) {
      cutStream(demux, key, 'a new SYN', frame);
      if ((b & TcpBoundary.CONNECT) !== 0) cutStream(demux, reverseFlowKey(key), 'a new SYN from the peer', frame);
    }
    if ((b & TcpBoundary.GAP) !== 0) cutStream(demux, key, 'a lost segment', frame, lostBytes);
    if (kind === 'tcp') await sendStream(demux, key, view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength), ts, frame);
    if ((b & TcpBoundary.END) !== 0) cutStream(demux, key, 'FIN', frame);
    if ((b & TcpBoundary.RESET) !== 0) {
      cutStream(demux, key, 'RST', frame);
      cutStream(demux, reverseFlowKey(key), 'RST', frame);
    }
  };
  let lastTs = 0;
  let lastFrame = 0;
  try {
    const onWarning = (w: CaptureWarning) => {
      result.skipped++;
      opts.onWarning?.(`${w.file}: at byte ${w.offset}: ${w.message}`);
    };
    for await (const batch of readCaptureBatches(path, { onWarning })) {
      for (let i = 0; i < batch.count; i++) {
        opts.signal?.throwIfAborted();
        const kind = decoder.decode(batch, i, view);
        // the time of what the end of the capture sends (held bytes): the last record's
        lastTs = view.ts;
        // What a record sends — its own bytes, or a TCP direction's it resumed — keeps the
        // capture's pace, from the first datagram sent (sendDatagrams' pace: records never sent
        // set no pace, an ARP frame an hour before the first datagram, one too big to send)
        paceTs = view.ts;
        // a TCP segment ('tcp' or 'pending': only a TCP segment has a flow key)
        if ((kind === 'tcp' || kind === 'pending') && carriesTcp && view.flowKey !== '') {
          if (framing !== null) {
            await sendSegment(framing, kind, batch.firstFrame + i, view.ts);
            continue;
          }
          // ip-packet: the captured IP packet as it is (its sequence numbers tell a gap), if it
          // carries bytes, or its acknowledgment resumed a direction past a gap, or its SYN started
          // a stream, or its FIN or RST ended one — what moves the offline reading on; not a bare
          // ACK nor a SYN sent again. (A segment in IP fragments: the record that completes it, its
          // last fragment, the others sent as they came.)
          const moves = decoder.takeResumedTcp() !== null || (boundaries & (TcpBoundary.START | TcpBoundary.END | TcpBoundary.RESET)) !== 0;
          boundaries = 0;
          const at = networkAt(batch, i);
          if (at < 0) result.skipped++;
          else if (kind === 'pending' && !moves && recordEnd(batch, i) - at <= MAX_IP_PACKET && bareTcp(batch.bytes, at, recordEnd(batch, i))) result.skipped++;
          else await sendIpPacket(batch, i, at);
          continue;
        }
        // ip-packet: an IP fragment of a TCP segment, held by the decoder, goes as it came (the live
        // side reassembles the segment as the offline replay does; the record completing it goes above)
        if (kind === 'pending' && ipPackets !== null) {
          const at = networkAt(batch, i);
          if (at >= 0 && tcpFragment(batch.bytes, at, recordEnd(batch, i), ipv6, linkError)) {
            await sendIpPacket(batch, i, at);
            continue;
          }
        }
        // headers, or a TCP segment, the snap length cut: malformed to the decoder, but the capture's doing
        if (kind === 'malformed' && view.error.includes(SNAPLEN_CUT)) {
          snapCutRecord(batch.firstFrame + i, batch.fileOffset[i]!, view.error);
          continue;
        }
        if (kind !== 'udp') {
          result.skipped++;
          continue;
        }
        if (kind === 'udp' && view.payloadCut > 0) {
          // A datagram the snap length cut: sent, its first bytes would arrive as a whole datagram
          // (a HEP frame cannot say it was cut either), a 1400-byte INVITE as a 54-byte message the
          // live side reports as broken SIP. Not sent.
          snapCutRecord(batch.firstFrame + i, batch.fileOffset[i]!, `${view.payloadLength} of its ${view.payloadLength + view.payloadCut} payload bytes captured (the capture's snap length)`);
          continue;
        }
        const payload = view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength);
        if (!(await sendPayload('udp', view.ipVersion, view.src, view.dst, view.sport, view.dport, view.ts, payload))) result.skipped++;
      }
      if (batch.count > 0) lastFrame = batch.firstFrame + batch.count - 1;
    }
    // bytes a stream held behind a gap that never filled go as the offline pipeline reads them, at
    // once; then the bytes of messages still unfinished, which the live side reports as the
    // offline replay does, cut by the end of the capture
    paceTs = undefined;
    if (framing !== null) {
      await sendResumed(decoder.drainHeldTcp(), lastTs, lastFrame);
      for (const [key, chunks] of [...held]) {
        const flow = flowOfKey(key);
        if (flow === null) continue;
        // (an undecided direction's as the chunks they came in, as sendStream sends them)
        for (const payload of framing.kindOf(key) === 'undecided' ? chunks : [Buffer.concat(chunks)]) await sendTcp(flow, lastTs, payload);
      }
    }
    await Promise.all(inFlight);
    if (cutMessages > 1) opts.onWarning?.(`${captureName(path)}: ${cutMessages} cuts in SIP over TCP (a lost segment, FIN, RST) were not sent: the offline replay reports them, the live side cannot`);
    if (passedOver > 1) opts.onWarning?.(`${captureName(path)}: ${passedOver} stretches of SIP over TCP after a lost segment, before the next message, were not sent: the offline replay reports them, the live side cannot`);
    if (tooBig > 1) opts.onWarning?.(`${captureName(path)}: ${tooBig} TCP segments too big for one datagram were not sent (counted in skipped)`);
    if (snapCut > 1) opts.onWarning?.(`${captureName(path)}: ${snapCut} records cut by the capture's snap length were not sent (counted in skipped)`);
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return result;
}

/** A report's errors in the words of the offline replay's malformed-input report. */
function reportWords(report: SipParseResult): string {
  return report.errors.map((e) => `sip ${e.reason} at byte ${e.offset}${e.detail ? ` (${e.detail.slice(0, 80)})` : ''}`).join(', ');
}

/**
 * Whether the IP packet at `at` is a TCP segment without payload (IPv4, or IPv6 with TCP right
 * after its header); false when it is not known (a tunnel, IPv6 extension headers, a fragment).
 */
function bareTcp(b: Uint8Array, at: number, end: number): boolean {
  const version = b[at]! >> 4;
  if (version === 4 && (readUint16(b, at + 6) & 0x3fff) !== 0) return false;
  const tcp = version === 4 ? at + (b[at]! & 0x0f) * 4 : at + 40;
  const ipEnd = version === 4 ? at + readUint16(b, at + 2) : tcp + readUint16(b, at + 4);
  if ((version !== 4 || b[at + 9] !== 6) && (version !== 6 || b[at + 6] !== 6)) return false;
  return tcp + 12 < end && tcp + (b[tcp + 12]! >> 4) * 4 >= ipEnd;
}

/** Whether the IP packet at `at` is a fragment (not an atomic one) of a TCP segment: IPv4, or IPv6 with its fragment header after the hop-by-hop, routing and destination options headers. */
function tcpFragment(b: Uint8Array, at: number, end: number, ipv6: Ipv6Header, err: LayerError): boolean {
  const version = b[at]! >> 4;
  if (version === 4) return at + 20 <= end && b[at + 9] === 6 && (readUint16(b, at + 6) & 0x3fff) !== 0;
  // (the decoder's own walk of the header chain: its fragment header, whatever extension headers stand before it)
  if (version !== 6 || at + 40 > end || !walkIpv6Extensions(b, at + 40, end, b[at + 6]!, ipv6, err, 0, true)) return false;
  return ipv6.fragment && ipv6.protocol === 6 && (ipv6.fragmentOffset !== 0 || ipv6.moreFragments);
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
