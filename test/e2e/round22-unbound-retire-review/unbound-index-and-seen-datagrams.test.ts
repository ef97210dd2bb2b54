/**
 * Found by a review of the unbound-session retirement (eede090), fixed since: unbound sessions keep the datagram ends they saw, indexed by each end (src/binding/stream-table.ts noteDatagram, unboundAt, dropSession, evictOne).
 * Input: a StreamTable's unbound sessions made, noted, dropped and evicted; packets of the same
 *   and of new ends noted, past MAX_SEEN_DATAGRAMS; the caller's address object reused.
 * Was: (new) nothing kept the exact ends; unbound sessions were found by their even-rounded pair only.
 * Correct: a session is found at each end of each datagram it saw (keyed as the transport map
 *   keys a transport) until it is dropped or evicted; each end is kept once, copied, the first
 *   MAX_SEEN_DATAGRAMS only.
 */
import { describe, expect, it } from 'vitest';
import { type DatagramEnds, MAX_SEEN_DATAGRAMS, StreamTable } from '../../../src/binding/stream-table.js';

const A4 = 0x0a000001;
const B4 = 0x0a000002;
const v4 = (sport: number, dport: number, dst4 = B4): DatagramEnds => ({ v6: false, src4: A4, dst4, src: '10.0.0.1', dst: 'x', sport, dport });
const v6 = (src: string, sport: number, dst: string, dport: number): DatagramEnds => ({ v6: true, src4: 0, dst4: 0, src, dst, sport, dport });
const at = (t: StreamTable, key: number | string) => [...(t.unboundAt(key) ?? [])].map((s) => s.key);

describe('StreamTable: unbound sessions by the ends of the datagrams they saw', () => {
  it('filed under each end of each datagram until dropped', () => {
    const t = new StreamTable();
    const s = t.unboundSession('k1');
    const u = t.unboundSession('k2');
    expect(t.unboundSession('k1')).toBe(s);
    t.noteDatagram(s, v4(4001, 5001));
    t.noteDatagram(s, v4(4000, 5000));
    t.noteDatagram(u, v4(4001, 6001));
    expect(at(t, A4 * 65536 + 4001)).toEqual(['k1', 'k2']);
    expect(at(t, B4 * 65536 + 5000)).toEqual(['k1']);
    expect(at(t, B4 * 65536 + 5002)).toEqual([]);
    t.dropSession('k1');
    expect(at(t, A4 * 65536 + 4001)).toEqual(['k2']);
    expect(t.unboundAt(B4 * 65536 + 5000)).toBeUndefined();
    expect(t.unboundCount).toBe(1);
    // a dialog's session is neither filed nor counted
    t.session('dialog', null);
    t.dropSession('dialog');
    expect(t.unboundCount).toBe(1);
  });

  it('unfiled when eviction empties it', () => {
    const t = new StreamTable({ maxStreams: 1 });
    const s = t.unboundSession('k1');
    t.noteDatagram(s, v4(4001, 5001));
    t.stream(s, 1, 0);
    const u = t.unboundSession('k2');
    t.noteDatagram(u, v4(4003, 5003));
    t.stream(u, 2, 1);
    expect(t.unboundAt(A4 * 65536 + 4001)).toBeUndefined();
    expect(at(t, A4 * 65536 + 4003)).toEqual(['k2']);
  });

  it('each datagram kept once, copied, the first MAX_SEEN_DATAGRAMS only', () => {
    const t = new StreamTable();
    const s = t.unboundSession('k');
    const seen = s.seen!;
    const a = v4(4000, 5000);
    t.noteDatagram(s, a);
    t.noteDatagram(s, v4(4001, 5001));
    t.noteDatagram(s, v4(4000, 5000));
    t.noteDatagram(s, v4(4001, 5001));
    expect(seen.datagrams.map((d) => `${d.sport}>${d.dport}`)).toEqual(['4000>5000', '4001>5001']);
    a.sport = 1; // the caller's address object is reused packet after packet
    expect(seen.datagrams[0]!.sport).toBe(4000);
    for (let p = 0; p < 20; p++) t.noteDatagram(s, v4(6000 + p, 5000));
    expect(seen.datagrams).toHaveLength(MAX_SEEN_DATAGRAMS);
    expect(seen.datagrams.at(-1)!.sport).toBe(6000 + MAX_SEEN_DATAGRAMS - 3);
    expect(t.unboundAt(A4 * 65536 + 6000 + MAX_SEEN_DATAGRAMS - 2)).toBeUndefined();
  });

  it('IPv6: by text, keyed [address]:port', () => {
    const t = new StreamTable();
    const s = t.unboundSession('k6');
    t.noteDatagram(s, v6('2001:db8::1', 4000, '2001:db8::2', 5000));
    t.noteDatagram(s, v6('2001:db8::2', 5000, '2001:db8::1', 4000));
    t.noteDatagram(s, v6('2001:db8::1', 4000, '2001:db8::2', 5000));
    expect(s.seen!.datagrams).toHaveLength(2);
    expect(at(t, '[2001:db8::2]:5000')).toEqual(['k6']);
    t.dropSession('k6');
    expect(t.unboundAt('[2001:db8::2]:5000')).toBeUndefined();
  });
});
