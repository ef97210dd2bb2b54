/**
 * Found by a final review of the unbound-session retirement (b785f4a), fixed since: evictOne samples every session when the unbound ones hold no victim; an evicted sender's (ends, sender) pairs go with its stream (src/binding/stream-table.ts evictOne / noteDatagram).
 * Input: (1) StreamTable, maxStreams 2, full of a dialog's streams; a new unbound session's
 *   first stream (the only unbound session, streamless while it is being made). (2) StreamTable:
 *   an unbound session given packets of senders 1 and 2 on one datagram, 1 on another; 1's
 *   stream evicted (the session kept).
 * Was: (1) nothing evicted (the unbound sample found no stream): 3 streams held, limit 2.
 *   (2) (new) pairs were not kept: one record per datagram ends, its last sender only.
 * Correct: (1) a dialog's stream evicted, 2 held. (2) the pairs (d, 1), (d, 2), (e, 1) kept;
 *   after 1's eviction only (d, 2): e's ends unfiled, d's kept, 1 unfiled by SSRC.
 */
import { describe, expect, it } from 'vitest';
import { StreamTable } from '../../../src/binding/stream-table.js';
import { at } from './lib.js';

describe('StreamTable: eviction with streamless unbound sessions, and (ends, sender) pairs', () => {
  it('a new unbound session alone in the unbound map does not switch eviction off', () => {
    const t = new StreamTable({ maxStreams: 2 });
    const dialog = t.session('D\nf\nt', null);
    t.stream(dialog, 1, 0);
    t.stream(dialog, 2, 1);
    const u = t.unboundSession('u');
    t.stream(u, 3, 2);
    expect(t.size).toBe(2);
    expect(t.evicted).toBe(1);
    expect([...u.streams.keys()]).toEqual([3]);
  });

  it("an evicted sender's pairs go, the ends other pairs hold stay filed", () => {
    const t = new StreamTable({ maxStreams: 3 });
    const d = at('192.0.2.7', 5000, '198.51.100.9', 4000);
    const e = at('192.0.2.7', 5001, '198.51.100.9', 4001);
    const u = t.unboundSession('u');
    t.stream(u, 1, 0);
    t.noteDatagram(u, d, 1);
    t.stream(u, 2, 1);
    t.noteDatagram(u, d, 2);
    t.noteDatagram(u, d, 1);
    t.noteDatagram(u, e, 1);
    t.noteDatagram(u, e, 1);
    const pairs = () => u.seen!.datagrams.map((p) => `${p.sport}>${p.dport} ${p.sender}`);
    expect(pairs()).toEqual(['5000>4000 1', '5000>4000 2', '5001>4001 1']);
    t.stream(u, 3, 2);
    t.stream(u, 4, 3); // full: 1, least recently seen, evicted
    expect([...u.streams.keys()]).toEqual([2, 3, 4]);
    expect(pairs()).toEqual(['5000>4000 2']);
    expect(t.unboundWith(1)).toBeUndefined();
    expect(t.unboundAt(e.src4 * 65536 + 5001)).toBeUndefined();
    expect([...(t.unboundAt(d.src4 * 65536 + 5000) ?? [])]).toEqual([u]);
    t.noteDatagram(u, e, 2);
    expect(pairs()).toEqual(['5000>4000 2', '5001>4001 2']);
  });
});
