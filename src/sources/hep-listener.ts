/**
 * HEPv3 from capture agents, over UDP (one frame per datagram) and TCP (frames back to back,
 * cut anywhere by reads). Every frame becomes one SourcePacket with the original addresses,
 * ports and capture time the agent put in its chunks. RTCP that rtpengine sends as JSON
 * (protocol type 5) is handed on as the RTCP compound it describes (rtcp-json.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import { unzipSync } from 'node:zlib';
import { decodeHep, HepProtocol, IpProtocolNumber, type DecodedHepPacket } from './hep.js';
import { HepStreamFramer } from './hep-stream.js';
import { udpReceiveDrops } from './socket-drops.js';
import { wallClockSeconds } from './wall-clock.js';
import { isRtcpJson, rtcpFromJson } from './rtcp-json.js';
import { countKind, createSourceCounters, endpointText, type SourceCounters, type SourcePacket, type SourcePacketHandler } from './source-packet.js';

export interface HepListenerOptions {
  host: string;
  /** UDP port; 0 picks a free one. */
  udpPort?: number;
  /** TCP port; 0 picks a free one. Leave out a transport to not listen on it. */
  tcpPort?: number;
  onPacket: SourcePacketHandler;
  /** a frame that could not be read: why, and from which peer ("udp:host:port", "tcp:host:port") */
  onMalformed?: (reason: string, peer: string) => void;
  /**
   * how far ahead of this host's clock a frame's capture time may be, in seconds (default 24 h);
   * later ones are malformed. A test replaying a capture recorded by a clock set ahead lifts it.
   */
  maxTimeAheadSec?: number;
  /** when set, frames whose auth key (chunk 14) differs are counted and dropped */
  authKey?: string;
  /** a frame dropped for its auth key: from which peer ("udp:host:port", "tcp:host:port"), and whether it had a key at all */
  onAuthRejected?: (peer: string, keyGiven: boolean) => void;
  /** TCP connections served at once; more are refused */
  maxConnections?: number;
  /** UDP receive buffer size in bytes: relays send in bursts, and the kernel default holds only a few hundred frames */
  receiveBufferBytes?: number;
}

const PROTOCOL_KIND: ReadonlyMap<number, string> = new Map([
  [HepProtocol.SIP, 'hep:sip'],
  [HepProtocol.RTP, 'hep:rtp'],
  [HepProtocol.RTCP, 'hep:rtcp'],
  [HepProtocol.JSON_LOG, 'hep:log'],
]);

/** The kind of a frame received that cannot be read (not HEPv3, a bad length or time, a payload that does not inflate or convert). */
const UNREADABLE_KIND = 'hep:malformed';

/**
 * The most payload one rebuilt packet carries whatever its family and transport: 65535 (the
 * 16-bit length fields) less an IPv6 header (40) and a TCP one (20). An uncompressed HEP
 * payload, inside a frame of 16-bit length, always fits; an inflated one (chunk 16) may not.
 */
const MAX_REBUILT_PAYLOAD = 65535 - 40 - 20;

/** How far ahead of this host's clock a HEP capture time may be by default (a clock a day off at most). */
const MAX_HEP_TIME_AHEAD_SEC = 24 * 3600;

/** The frame's auth key is the configured one, compared in constant time (a timing difference would leak it byte by byte). */
function sameKey(given: Uint8Array | undefined, key: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given.buffer, given.byteOffset, given.byteLength);
  const b = Buffer.from(key, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export class HepListener {
  readonly counters: SourceCounters = createSourceCounters();
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Set<TcpSocket>();
  private closing: Promise<void> | undefined;

  private constructor(private readonly opts: HepListenerOptions) {}

  static async start(opts: HepListenerOptions): Promise<HepListener> {
    const listener = new HepListener(opts);
    try {
      if (opts.udpPort !== undefined) await listener.listenUdp(opts.udpPort);
      if (opts.tcpPort !== undefined) await listener.listenTcp(opts.tcpPort);
    } catch (err) {
      await listener.close();
      throw err;
    }
    return listener;
  }

  /** Where the UDP socket was bound: kept past its close (a /metrics scrape while the service drains asks for its kernel drops). */
  get udpAddress(): { address: string; port: number } | undefined {
    return this.udpBound;
  }

  private udpBound: { address: string; port: number } | undefined;

  /** Datagrams the kernel dropped at the UDP socket (receive buffer overrun) since it opened; null where unknown or no UDP. */
  kernelDrops(): number | null {
    const a = this.udpAddress;
    return a === undefined ? null : udpReceiveDrops(a);
  }

  get tcpAddress(): { address: string; port: number } | undefined {
    const a = this.tcp?.address();
    return a && typeof a === 'object' ? { address: a.address, port: a.port } : undefined;
  }

  private async listenUdp(port: number): Promise<void> {
    const socket = createSocket({ type: isIPv6(this.opts.host) ? 'udp6' : 'udp4', recvBufferSize: this.opts.receiveBufferBytes });
    this.udp = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.opts.host, () => {
        socket.off('error', reject);
        const a = socket.address();
        this.udpBound = { address: a.address, port: a.port };
        resolve();
      });
    });
    socket.on('error', () => {
      this.counters.malformed++;
    });
    socket.on('message', (msg, rinfo) => {
      const frame = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      this.frame(frame, `udp:${endpointText(rinfo.address, rinfo.port)}`, true, rinfo.address);
    });
  }

  private async listenTcp(port: number): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    server.maxConnections = this.opts.maxConnections ?? 256;
    this.tcp = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  private serve(socket: TcpSocket): void {
    this.connections.add(socket);
    const peer = `tcp:${endpointText(socket.remoteAddress ?? '', socket.remotePort ?? 0)}`;
    const framer = new HepStreamFramer();
    socket.on('data', (chunk: Buffer) => {
      const { frames, errors } = framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (const e of errors) this.malformed(`stream byte ${e.offset}: ${e.reason}`, peer);
      for (const f of frames) this.frame(f, peer, false, socket.remoteAddress ?? '');
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (framer.buffered > 0) this.malformed(`connection closed with ${framer.buffered} bytes of an unfinished frame`, peer);
      this.connections.delete(socket);
    });
  }

  /** `host`: the sender's address, which with the capture agent id names the agent (SourcePacket.origin) */
  private frame(bytes: Uint8Array, peer: string, wholeDatagram: boolean, host: string): void {
    this.counters.received++;
    const result = decodeHep(bytes);
    if (!result.ok) {
      this.unreadable(result.error.message, peer);
      return;
    }
    const p = result.packet;
    if (wholeDatagram && p.length !== bytes.length) {
      this.unreadable(`HEPv3 length ${p.length} but the datagram has ${bytes.length} bytes`, peer);
      return;
    }
    if (this.opts.authKey !== undefined && !sameKey(p.authKeyBytes, this.opts.authKey)) {
      countKind(this.counters, 'auth-rejected');
      this.opts.onAuthRejected?.(peer, p.authKey !== undefined);
      return;
    }
    // A capture time far ahead of this host's clock is no capture time: its exports would be
    // kept that far ahead (an NDJSON file goes whole, with every line beside them), its windows
    // would never close on time. A day covers any time zone an agent's clock is wrongly set to;
    // old times stay accepted (a capture sent again).
    const ahead = p.tsSeconds - wallClockSeconds();
    const maxAhead = this.opts.maxTimeAheadSec ?? MAX_HEP_TIME_AHEAD_SEC;
    if (ahead > maxAhead) {
      this.unreadable(`HEP capture time ${p.tsSeconds} is ${Math.round(ahead / 3600)} h ahead of this host's clock (more than ${Math.round(maxAhead / 3600)} h): not a capture time`, peer);
      return;
    }
    if (p.compressed) {
      // Chunk 16 is zlib or gzip data by agents that send it; the pipeline reads plain bytes.
      try {
        const inflated = unzipSync(p.payload, { maxOutputLength: 1 << 20 });
        p.payload = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      } catch {
        this.unreadable('compressed payload (chunk 16) that is neither zlib nor gzip data', peer);
        return;
      }
      // the payload is handed on as one rebuilt IP packet, whose 16-bit lengths must hold it
      if (p.payload.length > MAX_REBUILT_PAYLOAD) {
        this.unreadable(`compressed payload (chunk 16) inflates to ${p.payload.length} bytes, more than one IP packet carries (${MAX_REBUILT_PAYLOAD})`, peer);
        return;
      }
    }
    if (p.protocolType === HepProtocol.RTCP && isRtcpJson(p.payload)) {
      // rtpengine sends the RTCP it relays as JSON (rtcp-json.ts): the packet layers get the compound back
      const converted = rtcpFromJson(p.payload);
      if (!converted.ok) {
        this.unreadable(`HEPv3 RTCP JSON (protocol type 5): ${converted.reason}`, peer);
        return;
      }
      p.payload = converted.rtcp;
      countKind(this.counters, 'rtcp-json');
      if (converted.droppedItems > 0) countKind(this.counters, 'rtcp-json-dropped-items', converted.droppedItems);
    }
    if (p.unknownChunks > 0) countKind(this.counters, 'unknown-chunks', p.unknownChunks);
    countKind(this.counters, PROTOCOL_KIND.get(p.protocolType) ?? 'hep:other');
    this.opts.onPacket(toSourcePacket(p, host));
  }

  private malformed(reason: string, peer: string): void {
    this.counters.malformed++;
    this.opts.onMalformed?.(reason, peer);
  }

  /**
   * A frame received (counted in `received`) that cannot be read: under a kind of its own, so that
   * a source's records each count under one kind, as the UDP mirror's junk counts under `datagram`.
   */
  private unreadable(reason: string, peer: string): void {
    countKind(this.counters, UNREADABLE_KIND);
    this.malformed(reason, peer);
  }

  /** Stops listening and ends open TCP connections; resolves once all is closed. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const udp = this.udp;
      const tcp = this.tcp;
      // each connection's 'close' tells what it ended with (an unfinished frame: malformed) before this resolves
      const ended = [...this.connections].map((c) => (c.closed ? undefined : new Promise<void>((resolve) => c.once('close', () => resolve()))));
      for (const c of this.connections) c.destroy();
      await Promise.all([
        ...ended,
        udp && new Promise<void>((resolve) => udp.close(() => resolve())),
        tcp && new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    })();
    return this.closing;
  }
}

/**
 * `host`: the agent's address. With its capture agent id it names the agent (`origin`), whose clock
 * the capture time is on: not the port, which a TCP agent's reconnection changes.
 */
function toSourcePacket(p: DecodedHepPacket, host: string): SourcePacket {
  return {
    ts: (p.tsSeconds * 1e6 + p.tsMicroseconds) / 1e6,
    src: p.src,
    dst: p.dst,
    sport: p.sport,
    dport: p.dport,
    proto: p.ipProtocol === IpProtocolNumber.TCP ? 'tcp' : 'udp',
    payload: p.payload,
    hepProtocol: p.protocolType,
    ...(p.correlationId !== undefined && { correlationId: p.correlationId }),
    ...(p.captureAgentId !== undefined && { captureAgentId: p.captureAgentId }),
    origin: `${host}#${p.captureAgentId ?? ''}`,
  };
}
