/**
 * SIP over TCP across connection boundaries, through the packet feed: a FIN that comes before
 * bytes held out of order, and four-tuples reused by a new connection (a new SYN), whose bytes
 * must go to fresh framers. What a connection leaves unfinished is reported, on the record that
 * ended it.
 */
import { describe, expect, it } from 'vitest';
import { TcpFlag } from '../../native-free/frame-builder.js';
import { text } from '../native-free/packet-helpers.js';
import { A, B, sipMessage, sipOf, tcp, UPGRADE, wsFrame } from './tcp-sip.js';

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
