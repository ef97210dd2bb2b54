/**
 * SIP over WebSocket as a real WebSocket stack puts it on the wire: the `ws` library's client
 * and server talk through a recording TCP relay on loopback, and the bytes each side sent —
 * the Upgrade handshake, then each message's frames, compressed with permessage-deflate
 * (RFC 7692) when the two agreed it — are handed back to be written into a capture.
 * And a capture's SIP over UDP rewritten so: each call's messages travel one WebSocket
 * connection instead (the caller the client), every other record unchanged.
 */
import net from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { readPcapRecords, writePcapRecords, type PcapRecord } from '../e2e/e2e-helpers.js';

export type Side = 'client' | 'server';

export interface WsSessionOptions {
  /** the server's permessage-deflate settings; false: it accepts no compression */
  server: PerMessageDeflateOptions | false;
  /** the client's offer; false: it offers none */
  client?: PerMessageDeflateOptions | boolean;
}

export interface WsSession {
  request: Uint8Array;
  response: Uint8Array;
  /** each message's bytes on the wire, in the order sent */
  messages: { from: Side; bytes: Uint8Array }[];
}

/** Sends each text from its side, one at a time (each received before the next goes), and returns the bytes. */
export async function recordWsSession(script: readonly { from: Side; text: string }[], options: WsSessionOptions): Promise<WsSession> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: options.server, handleProtocols: () => 'sip' });
  await once(wss, 'listening');
  const wire: Record<Side, Uint8Array[]> = { client: [], server: [] };
  const relay = net.createServer((inbound) => {
    const outbound = net.connect((wss.address() as net.AddressInfo).port, '127.0.0.1');
    inbound.on('data', (d: Buffer) => {
      wire.client.push(Uint8Array.from(d));
      outbound.write(d);
    });
    outbound.on('data', (d: Buffer) => {
      wire.server.push(Uint8Array.from(d));
      inbound.write(d);
    });
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  const serverSide = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(relay.address() as net.AddressInfo).port}/`, 'sip', { perMessageDeflate: options.client ?? true });
  await once(client, 'open');
  const [server] = await serverSide;
  const taken: Record<Side, number> = { client: 0, server: 0 };
  const take = (side: Side): Uint8Array => {
    const chunks = wire[side].slice(taken[side]);
    taken[side] = wire[side].length;
    return Buffer.concat(chunks);
  };
  const session: WsSession = { request: take('client'), response: take('server'), messages: [] };
  try {
    for (const { from, text } of script) {
      const [sender, receiver] = from === 'client' ? [client, server] : [server, client];
      const received = once(receiver, 'message');
      sender.send(text);
      await received;
      session.messages.push({ from, bytes: take(from) });
    }
  } finally {
    client.terminate();
    server.terminate();
    wss.close();
    relay.close();
  }
  return session;
}

interface UdpSip {
  index: number;
  src: string;
  dst: string;
  text: string;
}

const ipText = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/** A record's SIP over UDP (Ethernet, IPv4, port 5060), or null. */
function udpSip(r: PcapRecord, index: number): UdpSip | null {
  const b = r.data;
  if (b.length < 42 || b[12] !== 0x08 || b[13] !== 0x00 || b[23] !== 17) return null;
  const ihl = (b[14]! & 0x0f) * 4;
  const udp = 14 + ihl;
  const sport = (b[udp]! << 8) | b[udp + 1]!;
  const dport = (b[udp + 2]! << 8) | b[udp + 3]!;
  if (sport !== 5060 && dport !== 5060) return null;
  return { index, src: ipText(b, 26), dst: ipText(b, 30), text: Buffer.from(b.subarray(udp + 8)).toString('latin1') };
}

export interface RewriteResult {
  /** SIP messages moved onto WebSocket connections */
  messages: number;
  connections: number;
}

/**
 * Copies a capture (Ethernet, IPv4, SIP over UDP on 5060), carrying each address pair's SIP
 * over one WebSocket connection recorded with `options` (the pair's first sender the client,
 * from port 40000+n to the other's port 80): the TCP handshake and the Upgrade go just before the
 * pair's first message, each message's frames replace its datagram, at its time.
 * `keepFrom` (per connection): the index of the first message the capture keeps, as if it
 * began after the earlier ones (no handshake either); 0 keeps everything.
 */
export async function rewriteSipOverWebSocket(src: string, dst: string, options: WsSessionOptions, keepFrom = 0): Promise<RewriteResult> {
  const { header, records } = await readPcapRecords(src);
  const byPair = new Map<string, UdpSip[]>();
  records.forEach((r, i) => {
    const sip = udpSip(r, i);
    if (sip === null) return;
    const pair = [sip.src, sip.dst].sort().join('|');
    if (!byPair.has(pair)) byPair.set(pair, []);
    byPair.get(pair)!.push(sip);
  });
  const replaced = new Map<number, PcapRecord[]>();
  let n = 0;
  for (const sips of byPair.values()) {
    const clientAddr = sips[0]!.src;
    const serverAddr = sips[0]!.dst;
    const session = await recordWsSession(
      sips.map((s) => ({ from: s.src === clientAddr ? 'client' : 'server', text: s.text })),
      options,
    );
    const ends = {
      client: { src: clientAddr, dst: serverAddr, sport: 40000 + n, dport: 80, seq: 1000 },
      server: { src: serverAddr, dst: clientAddr, sport: 80, dport: 40000 + n, seq: 5000 },
    };
    n++;
    const segment = (side: Side, ts: number, flags: number, payload: Uint8Array): PcapRecord => {
      const end = ends[side];
      const other = ends[side === 'client' ? 'server' : 'client'];
      const rec = { ts, data: buildIpv4Tcp({ src: end.src, dst: end.dst, sport: end.sport, dport: end.dport, seq: end.seq, ack: other.seq, flags, payload }) };
      end.seq += payload.length + (flags & TcpFlag.SYN ? 1 : 0);
      return rec;
    };
    const firstTs = records[sips[keepFrom]!.index]!.ts;
    const opening: PcapRecord[] = [];
    if (keepFrom === 0) {
      opening.push(
        segment('client', firstTs, TcpFlag.SYN, new Uint8Array(0)),
        segment('server', firstTs, TcpFlag.SYN | TcpFlag.ACK, new Uint8Array(0)),
        segment('client', firstTs, TcpFlag.ACK, new Uint8Array(0)),
        segment('client', firstTs, TcpFlag.PSH | TcpFlag.ACK, session.request),
        segment('server', firstTs, TcpFlag.PSH | TcpFlag.ACK, session.response),
      );
    } else {
      // the capture began later: each side's sequence numbers are where those messages left them
      ends.client.seq += 1 + session.request.length;
      ends.server.seq += 1 + session.response.length;
    }
    sips.forEach((s, k) => {
      const { from, bytes } = session.messages[k]!;
      const rec = segment(from, records[s.index]!.ts, TcpFlag.PSH | TcpFlag.ACK, bytes);
      replaced.set(s.index, k < keepFrom ? [] : k === keepFrom ? [...opening, rec] : [rec]);
    });
  }
  const out: PcapRecord[] = [];
  records.forEach((r, i) => out.push(...(replaced.get(i) ?? [r])));
  await writePcapRecords(dst, header, out);
  return { messages: [...byPair.values()].reduce((a, s) => a + s.length, 0), connections: byPair.size };
}
