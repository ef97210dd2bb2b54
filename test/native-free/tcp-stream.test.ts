import { describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../native-free/frame-builder.js';
import { TcpBoundary, TcpStreamReassembler } from '../../native-free/tcp-stream.js';
import { LinkType } from '../../native-free/types.js';
import { decodeAll, text, type TestRecord } from './packet-helpers.js';

const ISN = 1_000_000;
/** A segment from the client; `offset` counts payload bytes after the SYN. */
function seg(offset: number, payload: string, flags: number = TcpFlag.PSH, ts?: number, opts: { sport?: number; isn?: number } = {}): TestRecord {
  const isn = opts.isn ?? ISN;
  const data = buildIpv4Tcp({
    src: '10.0.0.1',
    dst: '10.0.0.2',
    sport: opts.sport ?? 40000,
    dport: 5060,
    seq: (isn + 1 + offset) >>> 0,
    ack: 1,
    flags,
    payload: text(payload),
    link: 'raw',
  });
  return ts === undefined ? { data, linkType: LinkType.RAW } : { data, linkType: LinkType.RAW, ts };
}
const syn = (opts: { sport?: number; isn?: number } = {}): TestRecord => ({
  data: buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: opts.sport ?? 40000, dport: 5060, seq: opts.isn ?? ISN, flags: TcpFlag.SYN, payload: new Uint8Array(0), link: 'raw' }),
  linkType: LinkType.RAW,
});
/** A segment from the server, the other direction of the same connection. */
function peer(seq: number, payload: string, flags: number = TcpFlag.PSH | TcpFlag.ACK): TestRecord {
  return {
    data: buildIpv4Tcp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 40000, seq, ack: 1, flags, payload: text(payload), link: 'raw' }),
    linkType: LinkType.RAW,
  };
}
const summary = (records: TestRecord[], opts?: Parameters<typeof decodeAll>[1]) => {
  const { decoded, decoder } = decodeAll(records, opts);
  return { out: decoded.map((d) => (d.kind === 'tcp' ? d.payload : d.kind)), stats: decoder.stats, decoder };
};

describe('TCP stream reassembly', () => {
  it('in order after a SYN, with the flow key of the direction', () => {
    const { decoded } = decodeAll([syn(), seg(0, 'INVITE '), seg(7, 'sip:a@b')]);
    expect(decoded.map((d) => d.kind)).toEqual(['pending', 'tcp', 'tcp']);
    expect(decoded[1]).toMatchObject({ payload: 'INVITE ', flowKey: '10.0.0.1:40000>10.0.0.2:5060', sport: 40000, dport: 5060 });
  });

  it('starts at the first segment seen when the capture began mid-connection', () => {
    expect(summary([seg(500, 'abc'), seg(503, 'def')]).out).toEqual(['abc', 'def']);
  });

  it('ignores a retransmission and counts it', () => {
    const { out, stats } = summary([syn(), seg(0, 'abc'), seg(0, 'abc'), seg(3, 'def')]);
    expect(out).toEqual(['pending', 'abc', 'pending', 'def']);
    expect(stats.tcpRetransmissions).toBe(1);
    expect(stats.tcpSegments).toBe(4);
  });

  it('delivers only the new tail of a repacketized segment', () => {
    expect(summary([syn(), seg(0, 'abc'), seg(1, 'bcdef')]).out).toEqual(['pending', 'abc', 'def']);
  });

  it('holds out-of-order segments and delivers them when the gap fills', () => {
    const { out, stats } = summary([syn(), seg(6, 'ghi'), seg(3, 'def'), seg(0, 'abc'), seg(9, 'jkl')]);
    expect(out).toEqual(['pending', 'pending', 'pending', 'abcdefghi', 'jkl']);
    expect(stats.tcpGaps).toBe(0);
  });

  it('trims held segments that overlap what was delivered', () => {
    expect(summary([syn(), seg(2, 'cdef'), seg(0, 'abcd')]).out).toEqual(['pending', 'pending', 'abcdef']);
  });

  it('skips a gap that never fills once too many segments are held', () => {
    const { out, stats } = summary([syn(), seg(0, 'ab'), seg(5, 'fg'), seg(7, 'hi'), seg(9, 'jk'), seg(11, 'lm')], { tcp: { maxHeldSegmentsPerStream: 3 } });
    // bytes 2..4 ("cde") never came: after the fourth held segment the stream resumes at "fg"
    expect(out).toEqual(['pending', 'ab', 'pending', 'pending', 'pending', 'fghijklm']);
    expect(stats).toMatchObject({ tcpGaps: 1, tcpBytesDropped: 3 });
  });

  it('skips a gap still open after the gap timeout (capture time)', () => {
    const { out, stats } = summary([syn(), seg(0, 'ab', TcpFlag.PSH, 100), seg(4, 'ef', TcpFlag.PSH, 101), seg(6, 'gh', TcpFlag.PSH, 112)], { tcp: { gapTimeoutSeconds: 10 } });
    expect(out).toEqual(['pending', 'ab', 'pending', 'efgh']);
    expect(stats).toMatchObject({ tcpGaps: 1, tcpBytesDropped: 2 });
  });

  it('follows sequence numbers across the 2^32 wrap', () => {
    const isn = 0xfffffffc;
    expect(summary([syn({ isn }), seg(0, 'abc', TcpFlag.PSH, undefined, { isn }), seg(3, 'def', TcpFlag.PSH, undefined, { isn })]).out).toEqual(['pending', 'abc', 'def']);
  });

  it('FIN ends the stream; a late retransmission is still recognised', () => {
    const { out, stats } = summary([syn(), seg(0, 'bye', TcpFlag.PSH | TcpFlag.FIN), seg(0, 'bye')]);
    expect(out).toEqual(['pending', 'bye', 'pending']);
    expect(stats.tcpRetransmissions).toBe(1);
  });

  it('FIN after a gap: the held bytes still belong to the stream, which ends once the gap fills', () => {
    const boundaries: [string, number][] = [];
    const { out, stats } = summary([syn(), seg(4, 'held', TcpFlag.PSH | TcpFlag.FIN), seg(0, 'bye '), seg(0, 'bye ')], {
      tcp: { onBoundary: (key, b) => boundaries.push([key, b]) },
    });
    expect(out).toEqual(['pending', 'pending', 'bye held', 'pending']);
    expect(stats).toMatchObject({ tcpBytesDropped: 0, tcpRetransmissions: 1 });
    const key = '10.0.0.1:40000>10.0.0.2:5060';
    expect(boundaries).toEqual([
      [key, TcpBoundary.START | TcpBoundary.CONNECT],
      [key, TcpBoundary.END],
    ]);
  });

  it('a bare FIN after a gap waits for the missing bytes too', () => {
    const { out } = summary([syn(), seg(0, 'ab'), seg(4, 'ef'), seg(6, '', TcpFlag.FIN), seg(2, 'cd')]);
    expect(out).toEqual(['pending', 'ab', 'pending', 'pending', 'cdef']);
  });

  it('held bytes before a FIN whose gap never fills: given up when a later segment finds the gap too old, and counted', () => {
    const boundaries: number[] = [];
    const lost: number[] = [];
    const { out, stats } = summary(
      [syn(), seg(0, 'ab', TcpFlag.PSH, 100), seg(4, 'ef', TcpFlag.PSH | TcpFlag.FIN, 101), seg(6, '', TcpFlag.FIN, 112)],
      { tcp: { gapTimeoutSeconds: 10, onBoundary: (_key, b, l) => (boundaries.push(b), (b & TcpBoundary.GAP) !== 0 && lost.push(l)) } },
    );
    // the retransmitted FIN, 11 s later, skips the gap: the stream resumes at "ef" (told as a
    // GAP, so that what came before is not read as continuing into it) and ends
    expect(out).toEqual(['pending', 'ab', 'pending', 'ef']);
    expect(stats).toMatchObject({ tcpGaps: 1, tcpBytesDropped: 2 });
    expect(boundaries).toEqual([TcpBoundary.START | TcpBoundary.CONNECT, TcpBoundary.GAP | TcpBoundary.END]);
    // the GAP tells how many bytes it skipped: "cd"
    expect(lost).toEqual([2]);
  });

  it('held bytes before a FIN whose gap never fills are given up at the end of the capture and counted', () => {
    const { decoder, stats } = summary([syn(), seg(4, 'held'), seg(8, '', TcpFlag.FIN)]);
    expect(stats.tcpBytesDropped).toBe(0);
    decoder.flush();
    expect(decoder.stats.tcpBytesDropped).toBe(4);
  });

  it('at the end of the capture, the bytes held behind each gap are handed on, the gaps counted as dropped', () => {
    const { decoder } = summary([syn(), seg(0, 'ab'), seg(4, 'ef'), seg(9, 'jk'), seg(6, 'gh')]);
    // each run with the length of the gap before it
    expect(decoder.drainHeldTcp().map((r) => [r.key, new TextDecoder().decode(r.bytes), r.lostBytes])).toEqual([
      ['10.0.0.1:40000>10.0.0.2:5060', 'efgh', 2],
      ['10.0.0.1:40000>10.0.0.2:5060', 'jk', 1],
    ]);
    // 'cd' and 'i' never came
    expect(decoder.stats).toMatchObject({ tcpGaps: 2, tcpBytesDropped: 3 });
    decoder.flush();
    expect(decoder.stats.tcpBytesDropped).toBe(3);
  });

  // (it went on at its next segment as if nothing had been lost, and the feed glued the bytes
  // after the gap to the message before it)
  it('a stream evicted with bytes held behind a gap (too many bytes held) goes on at its next segment as a GAP', () => {
    const told: [string, number, number][] = [];
    const r = new TcpStreamReassembler({ maxStreams: 100, maxHeldBytes: 10, maxHeldBytesPerStream: 1000, maxHeldSegmentsPerStream: 100, gapTimeoutSeconds: 100, onBoundary: (k, b, l) => told.push([k, b, l]) });
    const add = (key: string, seq: number, t: string) => r.add(key, 0, seq, TcpFlag.ACK, new TextEncoder().encode(t), 0, t.length);
    add('x', 100, 'ab');
    add('x', 104, 'ef'); // "cd" lost: "ef" held
    add('y', 500, 'zz');
    add('y', 510, '0123456789'); // 12 bytes held over all streams, more than 10: x, the oldest, is evicted
    expect(add('x', 106, 'gh')).toBe(1);
    expect(new TextDecoder().decode(r.out.subarray(r.outOffset, r.outOffset + r.outLength))).toBe('gh');
    // how many bytes the gap held went with the stream: -1
    expect(told).toEqual([['x', TcpBoundary.GAP, -1]]);
    expect(r.stats).toMatchObject({ evictions: 1, bytesDropped: 2 });
    // only once: the segment after it follows
    add('x', 108, 'ij');
    expect(told).toHaveLength(1);
  });

  it('bytes held past the FIN are not part of the stream: dropped and counted when it ends', () => {
    const { out, stats } = summary([syn(), seg(3, 'xy'), seg(0, 'ab', TcpFlag.PSH | TcpFlag.FIN)]);
    expect(out).toEqual(['pending', 'pending', 'ab']);
    expect(stats.tcpBytesDropped).toBe(2);
  });

  it('tells where streams start and end: SYN (opening or answering), FIN reached, RST', () => {
    const boundaries: [string, number][] = [];
    const synAck: TestRecord = {
      data: buildIpv4Tcp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 40000, seq: 77, ack: ISN + 1, flags: TcpFlag.SYN, payload: new Uint8Array(0), link: 'raw' }),
      linkType: LinkType.RAW,
    };
    summary([syn(), syn(), synAck, seg(0, 'abc'), seg(3, '', TcpFlag.FIN), seg(3, '', TcpFlag.FIN), seg(4, '', TcpFlag.RST)], {
      tcp: { onBoundary: (key, b) => boundaries.push([key, b]) },
    });
    const key = '10.0.0.1:40000>10.0.0.2:5060';
    expect(boundaries).toEqual([
      // the SYN seen again (a retransmission) and the FIN seen again start and end nothing
      [key, TcpBoundary.START | TcpBoundary.CONNECT],
      ['10.0.0.2:5060>10.0.0.1:40000', TcpBoundary.START],
      [key, TcpBoundary.END],
      [key, TcpBoundary.RESET],
    ]);
  });

  it('a new SYN on the same ports starts a new stream', () => {
    const { out } = summary([syn(), seg(0, 'one', TcpFlag.FIN), syn({ isn: 5 }), seg(0, 'two', TcpFlag.PSH, undefined, { isn: 5 })]);
    expect(out).toEqual(['pending', 'one', 'pending', 'two']);
  });

  it('a SYN seen again with its ISN after data went through is a retransmission: nothing starts, nothing is dropped', () => {
    const boundaries: number[] = [];
    const { out, stats } = summary([syn(), seg(0, 'abc'), peer(7000, 'xy'), syn(), seg(3, 'def'), peer(7002, 'z')], {
      tcp: { onBoundary: (_key, b) => boundaries.push(b) },
    });
    expect(out).toEqual(['pending', 'abc', 'xy', 'pending', 'def', 'z']);
    expect(boundaries).toEqual([TcpBoundary.START | TcpBoundary.CONNECT]);
    expect(stats.tcpBytesDropped).toBe(0);
  });

  it('the SYN of a stream picked up at its first byte, seen late (reordered capture), starts nothing', () => {
    const boundaries: number[] = [];
    const { out } = summary([seg(0, 'abc'), syn(), seg(3, 'def')], { tcp: { onBoundary: (_key, b) => boundaries.push(b) } });
    expect(out).toEqual(['abc', 'pending', 'def']);
    expect(boundaries).toEqual([]);
  });

  it('an RST from either side forgets both directions and what they hold', () => {
    const boundaries: [string, number][] = [];
    // the server's bytes 7002..7003 were lost: "held" waits behind the gap when the client resets
    const records = [syn(), seg(0, 'abc'), peer(7000, 'ab'), peer(7004, 'held'), seg(3, '', TcpFlag.RST), seg(500, 'new'), peer(7002, 'cd')];
    const { out, stats } = summary(records, { tcp: { onBoundary: (key, b) => boundaries.push([key, b]) } });
    // the next connection's bytes (no handshake captured) start streams of their own, even where
    // they would have filled the old gap
    expect(out).toEqual(['pending', 'abc', 'ab', 'pending', 'pending', 'new', 'cd']);
    expect(stats.tcpBytesDropped).toBe(4);
    expect(boundaries).toEqual([
      ['10.0.0.1:40000>10.0.0.2:5060', TcpBoundary.START | TcpBoundary.CONNECT],
      ['10.0.0.1:40000>10.0.0.2:5060', TcpBoundary.RESET],
    ]);
  });

  it('a new connection (SYN without ACK) forgets the other direction: its next bytes start a stream though its SYN-ACK was not captured', () => {
    const { out, stats } = summary([syn(), peer(7000, 'old'), peer(7010, 'held'), syn({ isn: 9 }), peer(300001, 'new')]);
    expect(out).toEqual(['pending', 'old', 'pending', 'pending', 'new']);
    expect(stats.tcpBytesDropped).toBe(4);
  });

  it('an answering SYN (SYN-ACK) leaves the other direction alone', () => {
    const { out } = summary([syn(), seg(3, 'def'), peer(7000, '', TcpFlag.SYN | TcpFlag.ACK), seg(0, 'abc')]);
    expect(out).toEqual(['pending', 'pending', 'pending', 'abcdef']);
  });

  it('RST forgets the stream and its held bytes', () => {
    const { out, stats } = summary([syn(), seg(3, 'late'), seg(0, '', TcpFlag.RST), seg(100, 'new')]);
    expect(out).toEqual(['pending', 'pending', 'pending', 'new']);
    expect(stats.tcpBytesDropped).toBe(4);
  });

  it('evicts the least recently active stream beyond maxStreams', () => {
    const { out, stats } = summary(
      [seg(0, 'a1', TcpFlag.PSH, 1, { sport: 1 }), seg(0, 'b1', TcpFlag.PSH, 2, { sport: 2 }), seg(2, 'a2', TcpFlag.PSH, 3, { sport: 1 }), seg(0, 'b1', TcpFlag.PSH, 4, { sport: 2 })],
      { tcp: { maxStreams: 1 } },
    );
    // with one stream tracked, each direction forgets the other: b1 again looks new
    expect(out).toEqual(['a1', 'b1', 'a2', 'b1']);
    expect(stats.tcpStreamsEvicted).toBe(3);
  });

  it('flush at end of capture counts the bytes still held', () => {
    const { decoder } = summary([syn(), seg(10, 'orphan')]);
    decoder.flush();
    expect(decoder.stats.tcpBytesDropped).toBe(6);
  });
});

describe('TCP stream reassembly, property', () => {
  it('any order of segments, with duplicates and overlaps, yields the original bytes exactly once', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x')),
        fc.array(fc.nat(199), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.nat(0xffffffff),
        (data, cuts, shuffleKeys, isn) => {
          const points = [...new Set([0, data.length, ...cuts.filter((c) => c < data.length)])].sort((a, b) => a - b);
          const pieces: [number, number][] = [];
          for (let k = 0; k + 1 < points.length; k++) pieces.push([points[k]!, points[k + 1]!]);
          // duplicates and an overlapping piece spanning two neighbours
          if (pieces.length > 1) pieces.push(pieces[0]!, [pieces[0]![0], pieces[1]![1]]);
          const order = pieces.map((p, k) => ({ p, key: shuffleKeys[k] ?? k })).sort((a, b) => a.key - b.key).map((x) => x.p);
          const records = [syn({ isn }), ...order.map(([a, b]) => seg(a, data.slice(a, b), TcpFlag.PSH, undefined, { isn }))];
          const { decoded } = decodeAll(records);
          expect(decoded.filter((d) => d.kind === 'tcp').map((d) => d.payload).join('')).toBe(data);
        },
      ),
      { numRuns: 300 },
    );
  });
});
