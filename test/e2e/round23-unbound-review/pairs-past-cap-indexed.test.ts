/**
 * Found by a review of unbound retirement (round 23), fixed since: past MAX_SEEN_DATAGRAMS a new
 * sender's first (ends, sender) pair is still kept and filed (src/binding/stream-table.ts
 * StreamTable.noteDatagram).
 * Input: one unbound session (192.0.2.7:4000 <-> 198.51.100.9:5000) given 16 senders from one
 *   side, then more from the other; with a small stream table (maxStreams) that evicts some of
 *   them, brings an evicted sender back, and is then retired by the a=ssrc of a sender past the 16th.
 * Was: a sender past the 16th pair had no pair kept (routesAny never asked its a=ssrc route: the
 *   session was not retired), a sender noted without a pair.
 * Correct: every sender noted has a kept pair (pairs ≤ 16 + senders, senders ≤ streams); the
 *   extra pairs are filed under their ends when kept, unfiled with an evicted sender and with
 *   the session (indexProblems empty throughout); a packet of a kept extra pair adds nothing;
 *   an evicted sender coming back is kept again and its a=ssrc retires the session.
 */
import { describe, expect, it } from 'vitest';
import { at, Driver, indexProblems, scopeOf, section, sizes } from '../round22-unbound-final-review/lib.js';

const P = '192.0.2.7';
const Q = '198.51.100.9';
const fromQ = at(Q, 5000, P, 4000);
const fromP = at(P, 4000, Q, 5000);

/** The kept pairs' senders of the one unbound session. */
const keptSenders = (d: Driver): number[] => {
  const t = (d.core as unknown as { table: { unbound: Map<string, { seen: { datagrams: { sender: number }[] } }> } }).table;
  return [...t.unbound.values()].flatMap((s) => s.seen.datagrams.map((p) => p.sender));
};

describe('(ends, sender) pairs past the 16th: one per new sender, indexed', () => {
  it('kept and filed once per sender; repeats add nothing; dropped with the session', () => {
    const d = new Driver({ bindings: true });
    for (let i = 1; i <= 16; i++) d.rtp(i * 0.01, fromQ, 2000 + i);
    for (let i = 1; i <= 4; i++) d.rtp(0.5 + i * 0.01, fromP, 1110 + i);
    // again, interleaved (not the last pair each time): no new pair
    for (let r = 0; r < 3; r++) for (let i = 1; i <= 4; i++) (d.rtp(1 + r, fromP, 1110 + i, 1), d.rtp(1 + r, fromQ, 2000 + i, 1));
    // a known sender on the other direction past the cap: noted by its sender alone
    d.rtp(4, fromP, 2001, 1);
    const s = sizes(d.core);
    expect({ datagrams: s.datagrams, senders: s.senders, filedBySsrc: s.filedBySsrc, byEndKeys: s.byEndKeys, problems: indexProblems(d.core) }).toEqual({
      datagrams: 20,
      senders: 20,
      filedBySsrc: 20,
      byEndKeys: 2,
      problems: [],
    });
    expect(new Set(keptSenders(d))).toEqual(new Set([...Array.from({ length: 16 }, (_, i) => 2001 + i), 1111, 1112, 1113, 1114]));
    d.scope(5, scopeOf('Z', section([['10.1.0.1', 4000], ['10.2.0.1', 5000]], [1113])));
    expect({ ...sizes(d.core), problems: indexProblems(d.core) }).toMatchObject({ unbound: 0, byEndKeys: 0, bySsrcKeys: 0, problems: [] });
    expect(d.rows(1113)).toEqual(['1113 true null']);
  });

  it('an evicted sender past the cap loses its pair, comes back kept again, and its a=ssrc retires the session', () => {
    const d = new Driver({ maxStreams: 17, bindings: true });
    for (let i = 1; i <= 16; i++) d.rtp(i * 0.01, fromQ, 2000 + i);
    d.rtp(0.5, fromP, 1111);
    expect(keptSenders(d)).toContain(1111);
    for (let i = 1; i <= 16; i++) d.rtp(1 + i * 0.01, fromQ, 2000 + i, 1);
    // a new sender: the table is full, 1111 (the least recently seen) is evicted with its pair
    d.rtp(1.5, fromP, 3000);
    expect(keptSenders(d)).not.toContain(1111);
    expect(keptSenders(d)).toContain(3000);
    expect(indexProblems(d.core)).toEqual([]);
    // 1111 again: a new stream (another evicted), its pair kept again
    d.rtp(2, fromP, 1111);
    const s = sizes(d.core);
    expect(keptSenders(d)).toContain(1111);
    expect(s.streams).toBeLessThanOrEqual(17);
    expect(s.senders).toBeLessThanOrEqual(s.streams);
    expect(s.datagrams).toBeLessThanOrEqual(16 + s.senders);
    expect(indexProblems(d.core)).toEqual([]);
    d.scope(3, scopeOf('Z', section([['10.1.0.1', 4000], ['10.2.0.1', 5000]], [1111])));
    d.rtp(4, fromP, 1111, 1);
    // (the first 1111 stream, evicted, is no row)
    expect(d.rows(1111)).toEqual(['1111 false Z', '1111 true null']);
    expect({ ...sizes(d.core), problems: indexProblems(d.core) }).toMatchObject({ byEndKeys: 0, bySsrcKeys: 0, problems: [] });
  });

  it('a long run of new senders in one session: pairs ≤ 16 + senders, senders ≤ streams, indexes consistent', () => {
    const d = new Driver({ maxStreams: 40 });
    for (let i = 0; i < 3000; i++) {
      d.rtp(i, i % 2 === 0 ? fromP : fromQ, 100000 + i, 1);
      if (i % 250 === 249) {
        const s = sizes(d.core);
        expect(indexProblems(d.core)).toEqual([]);
        expect(s.streams).toBeLessThanOrEqual(40);
        expect(s.senders).toBeLessThanOrEqual(s.streams);
        expect(s.datagrams).toBeLessThanOrEqual(16 + s.senders);
        expect(s.datagrams).toBeGreaterThanOrEqual(s.senders);
      }
    }
  });
});
