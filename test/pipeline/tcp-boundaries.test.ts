/**
 * TCP stream boundaries through the packet feed: a SYN seen again with its initial sequence
 * number is a retransmission, never a new connection; an RST from either side and a new
 * connection (SYN without ACK) end both directions, reassembly and framing, so the next
 * connection's bytes start clean. A gap skipped after its bounds cuts the message before it
 * (its first bytes were glued to the bytes after the gap: a lost INVITE's start line read with
 * the next OPTIONS's headers as an INVITE of another call, and the OPTIONS lost); so does the end
 * of the capture, where the bytes held behind the gap were given up without a word.
 */
import { describe, expect, it } from 'vitest';
import { TcpFlag } from '../../native-free/frame-builder.js';
import { text } from '../native-free/packet-helpers.js';
import { A, B, sipMessage, sipOf, tcp, UPGRADE, wsFrame } from './tcp-sip.js';

describe('TCP SYN retransmissions', () => {
  it('a SYN carrying data (fast open) retransmitted: the message once, no cut reported', async () => {
    const invite = sipMessage('INVITE', 'tfo-rtx');
    const records = [
      tcp(A, 1000, TcpFlag.SYN, invite.slice(0, 40)),
      // no SYN-ACK in time: the client sends its SYN again, same ISN, without the data (RFC 7413 §4.2.2)
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      // the client sends the data the server did not acknowledge again, then the rest
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, invite.slice(0, 40)),
      tcp(A, 1041, TcpFlag.PSH | TcpFlag.ACK, invite.slice(40)),
    ];
    expect(await sipOf(records)).toEqual([[5, 'tcp', ['INVITE tfo-rtx']]]);
  });

  it('a duplicate of the opening SYN seen after the first data (reordered capture): the message stays whole', async () => {
    const invite = sipMessage('INVITE', 'late-syn');
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, invite.slice(0, 60)),
      tcp(A, 1000, TcpFlag.SYN), // the same ISN: a retransmission, not a new connection
      tcp(A, 1061, TcpFlag.PSH | TcpFlag.ACK, invite.slice(60)),
    ];
    expect(await sipOf(records)).toEqual([[5, 'tcp', ['INVITE late-syn']]]);
  });
});

describe('RST from the peer', () => {
  it('the peer resets the connection while a message is half sent: the cut is reported on the RST', async () => {
    const first = sipMessage('OPTIONS', 'rst-peer').slice(0, 80);
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, first),
      tcp(B, 5001, TcpFlag.RST),
    ];
    expect(await sipOf(records)).toEqual([[4, 'tcp', ['no-header-end: 80 bytes of a message cut by RST, dropped']]]);
  });

  it('after the peer reset, a new connection without a captured SYN does not glue onto the dropped leftover', async () => {
    const first = sipMessage('OPTIONS', 'rst-old').slice(0, 80);
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, first),
      tcp(B, 5001, TcpFlag.RST),
      // the next connection on the four-tuple, its handshake not captured
      tcp(A, 3000000, TcpFlag.PSH | TcpFlag.ACK, sipMessage('INVITE', 'rst-new')),
      tcp(A, 3000000 + sipMessage('INVITE', 'rst-new').length, TcpFlag.PSH | TcpFlag.ACK, sipMessage('BYE', 'rst-new')),
    ];
    expect(await sipOf(records)).toEqual([
      [4, 'tcp', ['no-header-end: 80 bytes of a message cut by RST, dropped']],
      [5, 'tcp', ['INVITE rst-new']],
      [6, 'tcp', ['BYE rst-new']],
    ]);
  });

  it('the peer resets a WebSocket connection while a frame is half sent: reported as ws on the RST', async () => {
    const frame = wsFrame(text(sipMessage('INVITE', 'ws-rst')));
    const c1 = new Uint8Array([...text(UPGRADE), ...frame.subarray(0, 50)]);
    const records = [tcp(A, 1000, TcpFlag.SYN), tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK), tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, c1), tcp(B, 5001, TcpFlag.RST)];
    expect(await sipOf(records)).toEqual([[4, 'ws', ['bad-websocket-frame: 50 bytes of a message cut by RST, dropped']]]);
  });

  it('bytes the peer held behind a gap are given up at the RST, not joined to the next connection', async () => {
    const next = sipMessage('OPTIONS', 'next-b');
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      // B's first bytes were lost: this message waits behind the gap
      tcp(B, 5001 + next.length, TcpFlag.PSH | TcpFlag.ACK, sipMessage('NOTIFY', 'held')),
      tcp(A, 1001, TcpFlag.RST),
      // the next connection, its handshake not captured; B's first bytes happen to fill the old gap
      tcp(B, 5001, TcpFlag.PSH | TcpFlag.ACK, next),
    ];
    expect((await sipOf(records)).flatMap(([, , m]) => m)).toEqual(['OPTIONS next-b']);
  });
});

describe('a new connection (SYN without ACK) makes the other direction new too', () => {
  it("the peer's first bytes in the new connection are delivered though its SYN-ACK was not captured", async () => {
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, sipMessage('OPTIONS', 'old-a')),
      tcp(B, 5001, TcpFlag.PSH | TcpFlag.ACK, sipMessage('NOTIFY', 'old-b')),
      // a new connection on the four-tuple; the capture lost its SYN-ACK
      tcp(A, 800000, TcpFlag.SYN),
      tcp(A, 800001, TcpFlag.PSH | TcpFlag.ACK, sipMessage('INVITE', 'new-a')),
      tcp(B, 300001, TcpFlag.PSH | TcpFlag.ACK, sipMessage('NOTIFY', 'new-b')),
    ];
    const got = (await sipOf(records)).flatMap(([, , m]) => m);
    expect(got).toEqual(['OPTIONS old-a', 'NOTIFY old-b', 'INVITE new-a', 'NOTIFY new-b']);
  });
});

describe('a lost segment whose gap is skipped (held bytes past their bounds)', () => {
  const i1 = sipMessage('INVITE', 'one');
  const i2 = sipMessage('OPTIONS', 'two');
  const i3 = sipMessage('BYE', 'three');
  const open = [tcp(A, 1000, TcpFlag.SYN), tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK)];

  it('the message before the gap is reported cut, and the messages after it read whole', async () => {
    const records = [
      ...open,
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, i1.slice(0, 60)),
      // the rest of the INVITE is lost; what follows waits behind the gap until it is 10 s old
      { ...tcp(A, 1001 + i1.length, TcpFlag.PSH | TcpFlag.ACK, i2), ts: 1003 },
      { ...tcp(A, 1001 + i1.length + i2.length, TcpFlag.PSH | TcpFlag.ACK, i3), ts: 1020 },
    ];
    expect(await sipOf(records)).toEqual([[5, 'tcp', ['no-header-end: 60 bytes of a message cut by a lost segment, dropped', 'OPTIONS two', 'BYE three']]]);
  });

  it('bytes resuming in the middle of a message are passed over to the next start line', async () => {
    const records = [
      ...open,
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, i1.slice(0, 60)),
      // lost: i1[60, 100); held: the INVITE's tail, then the OPTIONS
      { ...tcp(A, 1101, TcpFlag.PSH | TcpFlag.ACK, i1.slice(100) + i2), ts: 1003 },
      { ...tcp(A, 1001 + i1.length + i2.length, TcpFlag.PSH | TcpFlag.ACK, i3), ts: 1020 },
    ];
    // (the INVITE's tail passed over to the OPTIONS is reported, 72 bytes)
    expect(await sipOf(records)).toEqual([[5, 'tcp', ['no-header-end: 60 bytes of a message cut by a lost segment, dropped', 'garbage-skipped: 72', 'OPTIONS two', 'BYE three']]]);
  });

  it('when the capture ends before the gap is given up: the same, at the last record', async () => {
    const records = [...open, tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, i1.slice(0, 60)), { ...tcp(A, 1001 + i1.length, TcpFlag.PSH | TcpFlag.ACK, i2 + i3), ts: 1003 }];
    // (the held OPTIONS and BYE were given up without a word, and the INVITE was reported cut by the end of the capture)
    expect(await sipOf(records, { toTheEnd: true })).toEqual([[4, 'tcp', ['no-header-end: 60 bytes of a message cut by a lost segment, dropped', 'OPTIONS two', 'BYE three']]]);
  });
});
