/**
 * Datagrams mirrored by a relay (SBC, RTP proxy, SFU) to the enforcer's UDP port. In 'plain'
 * mode a datagram is the mirrored payload and the addresses are those of the mirroring hop;
 * in 'ip-packet' mode each datagram is a whole captured IP packet (raw IPv4 or IPv6, as
 * LINKTYPE_RAW), handed on for the pipeline to decode with native-free.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { LinkType } from '../../native-free/types.js';
import { countKind, createSourceCounters, type SourceCounters, type SourcePacketHandler } from './source-packet.js';
import { udpReceiveDrops } from './socket-drops.js';
import { wallClockSeconds } from './wall-clock.js';

export type MirrorMode = 'plain' | 'ip-packet';

export interface UdpMirrorListenerOptions {
  /** a loopback or interface address; IPv6 addresses open an IPv6 socket */
  host: string;
  /** 0 picks a free port (see `address`) */
  port: number;
  mode?: MirrorMode;
  onPacket: SourcePacketHandler;
  /** a datagram that is not what the mode expects: why, and who sent it */
  onMalformed?: (reason: string, from: { address: string; port: number }) => void;
  /** receive buffer size in bytes; mirrors are bursty */
  receiveBufferBytes?: number;
}

export class UdpMirrorListener {
  readonly counters: SourceCounters = createSourceCounters();
  private closed: Promise<void> | undefined;
  /** the bound address, read once: getsockname per datagram would cost a syscall each */
  private local: { address: string; port: number } = { address: '', port: 0 };

  private constructor(
    private readonly socket: Socket,
    private readonly opts: UdpMirrorListenerOptions,
  ) {}

  static async start(opts: UdpMirrorListenerOptions): Promise<UdpMirrorListener> {
    const socket = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4', recvBufferSize: opts.receiveBufferBytes });
    const listener = new UdpMirrorListener(socket, opts);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port, opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // After binding, errors of single datagrams (ICMP feedback) must not kill the listener.
    socket.on('error', () => {
      listener.counters.malformed++;
    });
    const bound = socket.address();
    listener.local = { address: bound.address, port: bound.port };
    socket.on('message', (msg, rinfo) => listener.receive(msg, rinfo));
    return listener;
  }

  get address(): { address: string; port: number } {
    return { ...this.local };
  }

  /** Datagrams the kernel dropped at this socket (receive buffer overrun) since it opened; null where the kernel does not tell. */
  kernelDrops(): number | null {
    return udpReceiveDrops(this.local);
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    this.counters.received++;
    const payload = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    const local = this.local;
    if (this.opts.mode === 'ip-packet') {
      const version = payload.length > 0 ? payload[0]! >> 4 : 0;
      if (version !== 4 && version !== 6) {
        // each record under one kind: a datagram that is no IP packet is a datagram, as a plain mirror counts it
        countKind(this.counters, 'datagram');
        this.counters.malformed++;
        this.opts.onMalformed?.(`datagram of ${payload.length} bytes is not an IP packet (version nibble ${version})`, rinfo);
        return;
      }
      countKind(this.counters, 'ip-packet');
      this.opts.onPacket({ ts: wallClockSeconds(), src: rinfo.address, dst: local.address, sport: rinfo.port, dport: local.port, proto: 'udp', payload, linkType: LinkType.RAW });
      return;
    }
    countKind(this.counters, 'datagram');
    this.opts.onPacket({ ts: wallClockSeconds(), src: rinfo.address, dst: local.address, sport: rinfo.port, dport: local.port, proto: 'udp', payload });
  }

  /** Stops receiving; resolves once the socket is closed. Safe to call twice. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => this.socket.close(() => resolve()));
    return this.closed;
  }
}
