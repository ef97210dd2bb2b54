/**
 * A TCP connection that ends (FIN / RST) and a new one on the same four-tuple (a new SYN: SIP
 * servers that open TCP from their bound port 5060 to a peer's 5060 reuse it for every
 * connection). The new connection is a new byte stream (RFC 9293); tshark starts a new
 * tcp.stream and decodes its messages. The enforcer's SIP framer for the direction
 * (SipFlowDemux) is never told the first connection ended: `SipFlowDemux.end()` exists
 * ("The direction closed (FIN, RST): its state goes") but nothing calls it.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { concat, inspect, text, tsharkFields, writePcap, type Rec } from './helpers.js';

const A = { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060 };

function sipMessage(method: string, callId: string): string {
  return (
    `${method} sip:bob@10.0.0.2 SIP/2.0\r\n` +
    'Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-' + callId + '\r\n' +
    'From: <sip:alice@10.0.0.1>;tag=a1\r\n' +
    'To: <sip:bob@10.0.0.2>\r\n' +
    `Call-ID: ${callId}\r\n` +
    `CSeq: 1 ${method}\r\n` +
    'Content-Length: 0\r\n\r\n'
  );
}

function tcp(seq: number, flags: number, payload: Uint8Array): Uint8Array {
  return buildIpv4Tcp({ ...A, seq, ack: flags & TcpFlag.SYN ? undefined : 1, flags, payload });
}

/** A WebSocket frame from the client (masked), FIN set, text opcode. */
function wsFrame(payload: Uint8Array, opcode = 1): Uint8Array {
  const mask = Uint8Array.of(1, 2, 3, 4);
  const len = payload.length;
  const head = len < 126 ? Uint8Array.of(0x80 | opcode, 0x80 | len) : Uint8Array.of(0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff);
  const body = payload.map((b, i) => b ^ mask[i & 3]!);
  return concat(head, mask, body);
}

const UPGRADE = text('GET / HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n');

describe('TCP: a new connection on the four-tuple of a finished one', () => {
  it('plain SIP: the first connection reset mid-message, the second one carries a whole INVITE', () => {
    const first = text(sipMessage('OPTIONS', 'conn-1').slice(0, 80));
    const second = text(sipMessage('INVITE', 'conn-2'));
    const recs: Rec[] = [
      { ts: 1700000000.0, data: tcp(1000, TcpFlag.SYN, new Uint8Array(0)) },
      { ts: 1700000000.1, data: tcp(1001, TcpFlag.PSH, first) },
      { ts: 1700000000.2, data: tcp(1001 + first.length, TcpFlag.RST, new Uint8Array(0)) },
      { ts: 1700000010.0, data: tcp(900000, TcpFlag.SYN, new Uint8Array(0)) },
      { ts: 1700000010.1, data: tcp(900001, TcpFlag.PSH, second) },
    ];
    const file = writePcap('tcp-reuse-sip.pcap', 1, recs);
    expect(tsharkFields(file, ['frame.number', 'sip.Call-ID'], ['-Y', 'sip'])).toEqual([['5', 'conn-2']]);
    const sip = inspect(file).filter((l) => l.proto === 'sip');
    // was: [[5, [{ method: 'OPTIONS', callId: 'conn-2', cseq: INVITE }]]] — the old connection's start line glued to the new headers.
    // The message the RST cut is reported on the RST (frame 3), as the framer reports a message it drops.
    expect(
      sip.map((l) => [l.frame, l.sip.map((m: any) => (m.startLine === null ? `cut: ${m.errors[0].reason} ${m.errors[0].detail}` : `${m.method} ${m.callId} ${m.cseq?.method}`))]),
    ).toEqual([
      [3, ['cut: no-header-end 80 bytes of a message cut by RST, dropped']],
      [5, ['INVITE conn-2 INVITE']],
    ]);
  });

  it('WebSocket: the first connection closed with a close frame and FIN, the second one upgrades again and sends an INVITE', () => {
    const reg = text(sipMessage('REGISTER', 'ws-1'));
    const inv = text(sipMessage('INVITE', 'ws-2'));
    const c1 = concat(UPGRADE, wsFrame(reg));
    const close = wsFrame(Uint8Array.of(0x03, 0xe8), 8);
    const c2 = concat(UPGRADE, wsFrame(inv));
    const recs: Rec[] = [
      { ts: 1700000000.0, data: tcp(1000, TcpFlag.SYN, new Uint8Array(0)) },
      { ts: 1700000000.1, data: tcp(1001, TcpFlag.PSH, c1) },
      { ts: 1700000000.2, data: tcp(1001 + c1.length, TcpFlag.PSH | TcpFlag.FIN, close) },
      { ts: 1700000010.0, data: tcp(900000, TcpFlag.SYN, new Uint8Array(0)) },
      { ts: 1700000010.1, data: tcp(900001, TcpFlag.PSH, c2) },
    ];
    const file = writePcap('tcp-reuse-ws.pcap', 1, recs);
    expect(tsharkFields(file, ['frame.number'], ['-Y', 'sip'])).toEqual([['2'], ['5']]);
    const sip = inspect(file).filter((l) => l.proto === 'sip');
    expect(sip.map((l) => [l.frame, l.transport, l.sip.map((m: any) => m.callId)])).toEqual([
      [2, 'ws', ['ws-1']],
      [5, 'ws', ['ws-2']],
    ]);
  });
});
