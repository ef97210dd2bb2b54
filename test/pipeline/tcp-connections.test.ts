/**
 * SIP over TCP across connection boundaries, through the packet feed: a FIN that comes before
 * bytes held out of order, and four-tuples reused by a new connection (a new SYN), whose bytes
 * must go to fresh framers. What a connection leaves unfinished is reported, on the record that
 * ended it.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { LinkType } from '../../native-free/types.js';
import { PacketFeed } from '../../src/pipeline/packet-feed.js';
import { batchOf, text, type TestRecord } from '../native-free/packet-helpers.js';

const A = { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060 };
const B = { src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 5060 };

function sipMessage(method: string, callId: string): string {
  return `${method} sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-${callId}\r\nFrom: <sip:a@x>;tag=a1\r\nTo: <sip:b@x>\r\nCall-ID: ${callId}\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`;
}

function tcp(dir: typeof A, seq: number, flags: number, payload: string | Uint8Array = ''): TestRecord {
  const bytes = typeof payload === 'string' ? text(payload) : payload;
  return { data: buildIpv4Tcp({ ...dir, seq, ack: flags & TcpFlag.SYN && dir === A ? undefined : 1, flags, payload: bytes, link: 'raw' }), linkType: LinkType.RAW };
}

/** Each SIP-bearing record: frame, transport, and per result "METHOD Call-ID" or "reason: detail". */
async function sipOf(records: TestRecord[]): Promise<[number, string, string[]][]> {
  const out: [number, string, string[]][] = [];
  const feed = new PacketFeed({
    media() {},
    other() {},
    malformed() {},
    sip(view, messages, ctx) {
      out.push([
        view.frame,
        ctx.transport,
        messages.map((m) => (m.message?.kind === 'request' ? `${m.message.method} ${m.message.callId}` : `${m.errors[0]?.reason}: ${m.errors[0]?.detail}`)),
      ]);
    },
  });
  await feed.feedBatch(batchOf(records));
  return out;
}

function wsFrame(payload: Uint8Array, opcode = 1): Uint8Array {
  const mask = [1, 2, 3, 4];
  const head = payload.length < 126 ? [0x80 | opcode, 0x80 | payload.length] : [0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
  return Uint8Array.from([...head, ...mask, ...payload.map((b, i) => b ^ mask[i & 3]!)]);
}

const UPGRADE = 'GET / HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n';

describe('SIP over TCP across connection boundaries', () => {
  it('out-of-order bytes before a FIN: the whole message, on the record that completes it', async () => {
    const bye = sipMessage('BYE', 'fin-ooo');
    const records = [tcp(A, 5000, TcpFlag.SYN), tcp(A, 5061, TcpFlag.PSH | TcpFlag.FIN, bye.slice(60)), tcp(A, 5001, TcpFlag.PSH, bye.slice(0, 60))];
    expect(await sipOf(records)).toEqual([[3, 'tcp', ['BYE fin-ooo']]]);
  });

  it('a connection reset mid-message: the cut is reported on the RST, the next connection on the four-tuple stands alone', async () => {
    const first = sipMessage('OPTIONS', 'conn-1').slice(0, 80);
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(A, 1001, TcpFlag.PSH, first),
      tcp(A, 1081, TcpFlag.RST),
      tcp(A, 900000, TcpFlag.SYN),
      tcp(A, 900001, TcpFlag.PSH, sipMessage('INVITE', 'conn-2')),
    ];
    expect(await sipOf(records)).toEqual([
      [3, 'tcp', ['no-header-end: 80 bytes of a message cut by RST, dropped']],
      [5, 'tcp', ['INVITE conn-2']],
    ]);
  });

  it('a new SYN where the old connection left a message unfinished (its FIN and RST not captured): reported on the SYN, both directions', async () => {
    const records = [
      tcp(A, 1000, TcpFlag.PSH, sipMessage('OPTIONS', 'old-a').slice(0, 50)),
      tcp(B, 7000, TcpFlag.PSH, sipMessage('OPTIONS', 'old-b').slice(0, 60)),
      tcp(A, 900000, TcpFlag.SYN),
      tcp(A, 900001, TcpFlag.PSH, sipMessage('INVITE', 'new-a')),
      tcp(B, 400000, TcpFlag.SYN | TcpFlag.ACK),
      tcp(B, 400001, TcpFlag.PSH, sipMessage('OPTIONS', 'new-b')),
    ];
    expect(await sipOf(records)).toEqual([
      [3, 'tcp', ['no-header-end: 50 bytes of a message cut by a new SYN, dropped', 'no-header-end: 60 bytes of a message cut by a new SYN from the peer, dropped']],
      [4, 'tcp', ['INVITE new-a']],
      [6, 'tcp', ['OPTIONS new-b']],
    ]);
  });

  it('data on a SYN-ACK (fast open) is not cut by it, nor the opening SYN’s data in the other direction', async () => {
    const invite = sipMessage('INVITE', 'tfo');
    const records = [tcp(A, 1000, TcpFlag.SYN, invite.slice(0, 40)), tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK), tcp(A, 1041, TcpFlag.PSH, invite.slice(40))];
    expect(await sipOf(records)).toEqual([[3, 'tcp', ['INVITE tfo']]]);
  });

  it('WebSocket: a connection closed (close frame, FIN), then a new one on the four-tuple upgrades again', async () => {
    const c1 = new Uint8Array([...text(UPGRADE), ...wsFrame(text(sipMessage('REGISTER', 'ws-1')))]);
    const c2 = new Uint8Array([...text(UPGRADE), ...wsFrame(text(sipMessage('INVITE', 'ws-2')))]);
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(A, 1001, TcpFlag.PSH, c1),
      tcp(A, 1001 + c1.length, TcpFlag.PSH | TcpFlag.FIN, wsFrame(Uint8Array.of(0x03, 0xe8), 8)),
      tcp(A, 900000, TcpFlag.SYN),
      tcp(A, 900001, TcpFlag.PSH, c2),
    ];
    expect(await sipOf(records)).toEqual([
      [2, 'ws', ['REGISTER ws-1']],
      [5, 'ws', ['INVITE ws-2']],
    ]);
  });

  it('WebSocket: a frame cut by a FIN is reported as ws on the FIN', async () => {
    const frame = wsFrame(text(sipMessage('INVITE', 'ws-cut')));
    const c1 = new Uint8Array([...text(UPGRADE), ...frame.subarray(0, 50)]);
    const records = [tcp(A, 1000, TcpFlag.SYN), tcp(A, 1001, TcpFlag.PSH, c1), tcp(A, 1001 + c1.length, TcpFlag.FIN)];
    expect(await sipOf(records)).toEqual([[3, 'ws', ['bad-websocket-frame: 50 bytes of a message cut by FIN, dropped']]]);
  });
});
