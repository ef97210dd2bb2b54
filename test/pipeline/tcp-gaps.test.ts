/**
 * What becomes of a SIP-over-TCP or WebSocket direction whose bytes were lost, as a review of
 * the gap handling found it: after a gap on a WebSocket connection the rest of the connection
 * was lost without a report (the flow, read afresh, found no frame header in the middle of a
 * masked frame) and the cut message was told as plain TCP; a stream evicted with bytes held
 * behind a gap (too many streams, too many bytes held) went on without a GAP, gluing the
 * message before the gap to the bytes after it; a lost segment that held the start of a message
 * let the message's tail be passed over without a word. Now the direction keeps its transport,
 * SIP reads on from its next start line reporting what it passes over, WebSocket from the next
 * frame header whose frame ends where another begins, and an eviction behind a gap is a GAP.
 * A lost segment that fell between messages (one holding a whole message, the usual case) was
 * passed over without a word; now the loss is reported (`bytes-lost`, with how many bytes).
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { LinkType } from '../../native-free/types.js';
import { text, type TestRecord } from '../native-free/packet-helpers.js';
import { A, B, sipMessage, sipOf, tcp, UPGRADE, wsFrame } from './tcp-sip.js';

const toTheEnd = (records: TestRecord[]) => sipOf(records, { toTheEnd: true });
const open = [tcp(A, 1000, TcpFlag.SYN), tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK)];

describe('SIP over WebSocket after a skipped gap', () => {
  const head = new Uint8Array([...text(UPGRADE), ...wsFrame(text(sipMessage('REGISTER', 'ws-1')))]);
  const f2 = wsFrame(text(sipMessage('INVITE', 'ws-2')));
  const later = ['ws-3', 'ws-4', 'ws-5', 'ws-6', 'ws-7', 'ws-8', 'ws-9', 'ws-10', 'ws-11', 'ws-12'].map((id) => wsFrame(text(sipMessage('OPTIONS', id))));

  function records() {
    let seq = 1001;
    const rs = [...open, tcp(A, seq, TcpFlag.PSH | TcpFlag.ACK, head)];
    seq += head.length;
    rs.push(tcp(A, seq, TcpFlag.PSH | TcpFlag.ACK, f2.subarray(0, 30)));
    // f2[30, 60) is lost; the rest of f2 and the next frame wait behind the gap
    rs.push({ ...tcp(A, seq + 60, TcpFlag.PSH | TcpFlag.ACK, new Uint8Array([...f2.subarray(60), ...later[0]!])), ts: 1003 });
    seq += f2.length + later[0]!.length;
    // 17 s later the gap is skipped; every later frame comes in a segment of its own
    for (const [i, f] of later.slice(1).entries()) {
      rs.push({ ...tcp(A, seq, TcpFlag.PSH | TcpFlag.ACK, f), ts: 1020 + i });
      seq += f.length;
    }
    return rs;
  }

  it('reads on at the frames after the gap, from the first whose header it finds', async () => {
    const got = (await toTheEnd(records())).flatMap(([, , r]) => r);
    expect(got.filter((r) => r.startsWith('OPTIONS'))).toEqual(later.map((_, i) => `OPTIONS ws-${i + 3}`));
  });

  it('the message cut by the lost segment is told on a WebSocket transport, the bytes passed over reported', async () => {
    const got = await toTheEnd(records());
    const cut = got.find(([, , r]) => r.some((x) => x.includes('lost segment')));
    expect(cut?.[1]).toBe('ws');
    expect(got.flatMap(([, , r]) => r).filter((r) => r.startsWith('bad-websocket-frame'))).toEqual([
      'bad-websocket-frame: 30 bytes of a message cut by a lost segment, dropped',
      expect.stringMatching(/^bad-websocket-frame: \d+ bytes after a lost segment passed over to the next frame$/),
    ]);
  });
});

describe('a gap given up by eviction', () => {
  it('maxStreams (4096 directions): the message before the gap is reported cut, not glued to the bytes after it', async () => {
    const i1 = sipMessage('INVITE', 'one');
    const i2 = sipMessage('OPTIONS', 'two');
    const i3 = sipMessage('BYE', 'three');
    const others: TestRecord[] = [];
    for (let p = 0; p < 4100; p++) {
      others.push({ ts: 1002, data: buildIpv4Tcp({ src: '10.0.1.1', dst: '10.0.1.2', sport: 10000 + p, dport: 5060, seq: 1, flags: TcpFlag.SYN, payload: new Uint8Array(0), link: 'raw' }), linkType: LinkType.RAW });
    }
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, i1.slice(0, 60)),
      // the rest of the INVITE is lost; the OPTIONS waits behind the gap
      { ...tcp(A, 1001 + i1.length, TcpFlag.PSH | TcpFlag.ACK, i2), ts: 1001 },
      // 4100 other connections open: the reassembler evicts this one (least recently active)
      ...others,
      { ...tcp(A, 1001 + i1.length + i2.length, TcpFlag.PSH | TcpFlag.ACK, i3), ts: 1003 },
    ];
    const got = (await toTheEnd(records)).flatMap(([, , r]) => r);
    expect(got).not.toContain('INVITE three');
    expect(got).toEqual(['no-header-end: 60 bytes of a message cut by a lost segment, dropped', 'BYE three']);
  });
});

describe('a lost segment holding the start of a message', () => {
  it('the message it cut is reported, not passed over in silence', async () => {
    const i1 = sipMessage('INVITE', 'one');
    const i2 = sipMessage('OPTIONS', 'two');
    const i3 = sipMessage('BYE', 'three');
    const records = [
      tcp(A, 1000, TcpFlag.SYN),
      tcp(B, 5000, TcpFlag.SYN | TcpFlag.ACK),
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, i1),
      // lost: the OPTIONS's first 50 bytes; held: its tail
      { ...tcp(A, 1001 + i1.length + 50, TcpFlag.PSH | TcpFlag.ACK, i2.slice(50)), ts: 1003 },
      { ...tcp(A, 1001 + i1.length + i2.length, TcpFlag.PSH | TcpFlag.ACK, i3), ts: 1020 },
    ];
    const got = (await toTheEnd(records)).flatMap(([, , r]) => r);
    // the OPTIONS's tail up to the blank line that ends it (its CRLF CRLF is passed over as blank lines)
    expect(got).toEqual([
      'INVITE one',
      'bytes-lost: 50 bytes lost between messages: any message in them is unknown',
      `garbage-skipped: ${sipMessage('OPTIONS', 'two').length - 50 - 2}`,
      'BYE three',
    ]);
  });
});

describe('a lost segment holding whole messages', () => {
  // (a SIP message usually fits one segment: losing that segment lost the message without a word)
  const i1 = sipMessage('INVITE', 'one');
  const i2 = sipMessage('OPTIONS', 'two');
  const i3 = sipMessage('BYE', 'three');
  /** The direction's `first` bytes, `lost` bytes the capture missed, `held` behind the gap, and an ACK 17 s later that has the gap skipped. */
  const lostBetween = (first: string | Uint8Array, lost: number, held: string | Uint8Array) => [
    ...open,
    tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, first),
    { ...tcp(A, 1001 + first.length + lost, TcpFlag.PSH | TcpFlag.ACK, held), ts: 1003 },
    { ...tcp(A, 1001 + first.length + lost + held.length, TcpFlag.ACK), ts: 1020 },
  ];

  it('SIP: the loss is reported where the gap is skipped, and the message after it is read', async () => {
    // lost: the whole OPTIONS; held behind the gap: the BYE, until 17 s later
    expect(await toTheEnd(lostBetween(i1, i2.length, i3))).toEqual([
      [3, 'tcp', ['INVITE one']],
      [5, 'tcp', [`bytes-lost: ${i2.length} bytes lost between messages: any message in them is unknown`, 'BYE three']],
    ]);
  });

  it('SIP: a gap still open when the capture ends is reported with the bytes held behind it', async () => {
    // no ACK comes: the capture ends with the gap open
    expect(await toTheEnd(lostBetween(i1, i2.length, i3).slice(0, -1))).toEqual([
      [3, 'tcp', ['INVITE one']],
      [4, 'tcp', [`bytes-lost: ${i2.length} bytes lost between messages: any message in them is unknown`, 'BYE three']],
    ]);
  });

  it('WebSocket: the same, told on the WebSocket transport', async () => {
    const head = new Uint8Array([...text(UPGRADE), ...wsFrame(text(i1))]);
    const [f2, f3] = [wsFrame(text(i2)), wsFrame(text(i3))];
    expect(await toTheEnd(lostBetween(head, f2.length, f3))).toEqual([
      [3, 'ws', ['INVITE one']],
      [5, 'ws', [`bytes-lost: ${f2.length} bytes lost between messages: any message in them is unknown`, 'BYE three']],
    ]);
  });
});

describe('a lost segment before the direction is known to carry SIP', () => {
  // (the start of a line it carried, waiting to be read as a start line, was joined to the bytes after the gap)
  it('the line carried before the gap is not joined to the bytes after it', async () => {
    const i2 = sipMessage('OPTIONS', 'two');
    const after = 'ITE sip:bob@10.0.0.2 SIP/2.0\r\nCall-ID: glued\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n' + i2;
    const records = [
      ...open,
      // the direction's first bytes: too few to tell what it carries
      tcp(A, 1001, TcpFlag.PSH | TcpFlag.ACK, 'INV'),
      // 100 bytes lost; held: what happens to read on from "INV" as an INVITE, then the OPTIONS
      { ...tcp(A, 1104, TcpFlag.PSH | TcpFlag.ACK, after), ts: 1003 },
      { ...tcp(A, 1104 + after.length, TcpFlag.ACK), ts: 1020 },
    ];
    const got = (await toTheEnd(records)).flatMap(([, , r]) => r);
    expect(got).not.toContain('INVITE glued');
    expect(got).toContain('OPTIONS two');
  });
});
