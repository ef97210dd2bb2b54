/**
 * TCP SIP reassembly when a segment is seen out of order before a FIN: the bytes held in the
 * stream before the FIN are part of the stream (the FIN's sequence number comes after them).
 * tshark (tcp.reassemble_out_of_order) gives the whole message; the enforcer loses it.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { inspect, text, tsharkFields, writePcap } from './helpers.js';

const MSG =
  'BYE sip:bob@10.0.0.2 SIP/2.0\r\n' +
  'Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-1\r\n' +
  'From: <sip:alice@10.0.0.1>;tag=a1\r\n' +
  'To: <sip:bob@10.0.0.2>;tag=b1\r\n' +
  'Call-ID: fin-ooo@10.0.0.1\r\n' +
  'CSeq: 2 BYE\r\n' +
  'Content-Length: 0\r\n\r\n';

const ISN = 5000;
function seg(offset: number, payload: string, flags: number): Uint8Array {
  return buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 5060, seq: ISN + 1 + offset, ack: 1, flags, payload: text(payload) });
}

describe('TCP: out-of-order data before a FIN', () => {
  it('the second half with FIN seen first, then the first half retransmitted: one BYE', () => {
    const half = 60;
    const file = writePcap('tcp-fin-ooo.pcap', 1, [
      { ts: 1700000000.0, data: buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 5060, seq: ISN, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) },
      // the first half was lost before the capture point; the second half carries the FIN
      { ts: 1700000000.1, data: seg(half, MSG.slice(half), TcpFlag.PSH | TcpFlag.FIN) },
      // the sender retransmits the first half
      { ts: 1700000000.3, data: seg(0, MSG.slice(0, half), TcpFlag.PSH) },
    ]);
    const ts = tsharkFields(file, ['frame.number', 'sip.Method', 'sip.Call-ID'], ['-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'sip']);
    expect(ts).toEqual([['3', 'BYE', 'fin-ooo@10.0.0.1']]);
    const sip = inspect(file).filter((l) => l.proto === 'sip');
    expect(sip.map((l) => [l.frame, l.sip.map((m: any) => m.method)])).toEqual([[3, ['BYE']]]);
  });

  it('control: the same segments without the FIN flag give the BYE', () => {
    const half = 60;
    const file = writePcap('tcp-nofin-ooo.pcap', 1, [
      { ts: 1700000000.0, data: buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 5060, seq: ISN, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) },
      { ts: 1700000000.1, data: seg(half, MSG.slice(half), TcpFlag.PSH) },
      { ts: 1700000000.3, data: seg(0, MSG.slice(0, half), TcpFlag.PSH) },
    ]);
    const sip = inspect(file).filter((l) => l.proto === 'sip');
    expect(sip.map((l) => [l.frame, l.sip.map((m: any) => m.method)])).toEqual([[3, ['BYE']]]);
  });
});
