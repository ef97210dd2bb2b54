/**
 * SIP over TCP (and WebSocket) through the packet feed, for the connection-boundary tests: the
 * two ends A and B of one four-tuple, segments, masked WebSocket frames, and what the feed makes
 * of the records.
 */
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { LinkType } from '../../native-free/types.js';
import { PacketFeed } from '../../src/pipeline/packet-feed.js';
import { batchOf, text, type TestRecord } from '../native-free/packet-helpers.js';

export const A = { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060 };
export const B = { src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 5060 };

export function sipMessage(method: string, callId: string): string {
  return `${method} sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-${callId}\r\nFrom: <sip:a@x>;tag=a1\r\nTo: <sip:b@x>\r\nCall-ID: ${callId}\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`;
}

/** A segment; A's SYN goes without the ACK flag (it opens the connection), everything else acknowledges 1. */
export function tcp(dir: typeof A, seq: number, flags: number, payload: string | Uint8Array = ''): TestRecord {
  const bytes = typeof payload === 'string' ? text(payload) : payload;
  return { data: buildIpv4Tcp({ ...dir, seq, ack: flags & TcpFlag.SYN && dir === A ? undefined : 1, flags, payload: bytes, link: 'raw' }), linkType: LinkType.RAW };
}

/** A client's WebSocket frame (masked), text by default. */
export function wsFrame(payload: Uint8Array, opcode = 1): Uint8Array {
  const mask = [1, 2, 3, 4];
  const head = payload.length < 126 ? [0x80 | opcode, 0x80 | payload.length] : [0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
  return Uint8Array.from([...head, ...mask, ...payload.map((b, i) => b ^ mask[i & 3]!)]);
}

export const UPGRADE = 'GET / HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** Each SIP-bearing record: frame, transport, and per result "METHOD Call-ID" or "reason: detail". */
export async function sipOf(records: TestRecord[], options: { toTheEnd?: boolean } = {}): Promise<[number, string, string[]][]> {
  const out: [number, string, string[]][] = [];
  const feed = new PacketFeed({
    media() {},
    other() {},
    malformed() {},
    sip(messages, ctx) {
      out.push([
        ctx.frame,
        ctx.transport,
        messages.map((m) => (m.message?.kind === 'request' ? `${m.message.method} ${m.message.callId}` : `${m.errors[0]?.reason}: ${m.errors[0]?.detail}`)),
      ]);
    },
  });
  if (options.toTheEnd) {
    // as a capture is read: what the end of the capture brings (held bytes, open connections) too
    await feed.runBatches((async function* () {
      yield batchOf(records);
    })());
  } else await feed.feedBatch(batchOf(records));
  return out;
}
