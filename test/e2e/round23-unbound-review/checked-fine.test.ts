/**
 * Checked and fine (review of 38525f0 and 1cdc996: routesAny per (ends, sender) pair, pairs noted
 * once the sender's stream exists, the streamless RTCP session dropped, evictOne's fallback, one
 * end index for IPv4 number keys and IPv6 string keys):
 * - routesAny against lookup(), step by step (reading): the same lookupDatagramV4/V6, the same
 *   ended-end check, the same lookupSsrc per pair's sender; RTCP's declaredOver only picks among
 *   defined entries, so "routed or not" is the same. NO_SENDER pairs are never noted any more
 *   (both callers pass the packet's SSRC). Every route-opening event is covered: fresh keys at
 *   scope, forgotten ended keys (v4 and v6) and resolved collisions at dialog-ended; rekey only
 *   moves a route within one call.
 * - A streamless RTCP compound (SDES chunk with no items) then an SR of the same pair: the session
 *   dropped and made again holds the stream, one `unbound-stream`, one live row; workers 0 and 2
 *   byte-identical; the indexes consistent after it (in one core too).
 * - A long run in one MediaCore (maxStreams 200): one live unbound RTP source plus 6000 RTCP
 *   compounds, each from a new sender SSRC on port+1 (they make streams), half IPv6 pairs beside
 *   it: the stream table stays at its bound, pairs ≤ 16 per session, filed SSRCs ≤ streams, and
 *   indexProblems (every index entry a live unbound session under exactly its kept ends/senders)
 *   empty after every 500 — endKeys files and unfiles number and string keys alike.
 * - Number vs string end keys: an SDP `IN IP6 ::ffff:192.0.2.7` retires an IPv4 unbound session
 *   (the map's fresh IPv4 number key), and an IPv6 datagram from `::ffff:192.0.2.7` is retired by
 *   the same SDP, while `IN IP4 192.0.2.7` neither routes nor retires it: retirement always agrees
 *   with where the packet path then sends the next packet (no key of one family means the other's).
 * - Eviction order is deterministic (the same capture twice in one core gives the same evicted
 *   SSRCs); --workers cannot differ by it in practice: maxStreams is not a CLI/replay option (the
 *   200 000 default per core).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { differences, POLICY, replayAll, rtcpPkt, srIn } from '../round22-unbound-retire-review/harness.js';
import { at, Driver, indexProblems, ip4, scopeOf, section, sizes } from '../round22-unbound-final-review/lib.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const emptySdes = (ssrc: number) => ({ pt: 202, chunks: [{ ssrc, items: [] }] }) as never;

describe('round 23: unbound retirement after 38525f0 / 1cdc996, checked fine', () => {
  it('a streamless compound, then an SR on the same pair: one stream, reported once (workers 0 and 2)', async () => {
    const P = '192.0.2.7';
    const Q = '198.51.100.9';
    const runs = await replayAll(ws, 'streamless-then-sr', [rtcpPkt(0, P, 4001, Q, 5001, [emptySdes(7)]), rtcpPkt(1, P, 4001, Q, 5001, [srIn(7)]), rtcpPkt(2, P, 4001, Q, 5001, [emptySdes(7)]), rtcpPkt(3, P, 4001, Q, 5001, [srIn(7)])], POLICY, [
      { name: 'workers 0', workers: 0 },
      { name: 'workers 2', workers: 2 },
    ]);
    expect(differences(runs)).toEqual([]);
    const o = runs[0]!.out;
    expect(o.reports.filter((r) => r.type === 'unbound-stream').length).toBe(1);
    expect(o.rows(7)).toEqual(['false null null']);
    const d = new Driver({ bindings: true });
    d.rtcp(0, at(P, 4001, Q, 5001), [emptySdes(7)]);
    expect(sizes(d.core).sessions).toBe(0);
    d.rtcp(1, at(P, 4001, Q, 5001), [srIn(7)]);
    expect({ ...sizes(d.core), problems: indexProblems(d.core) }).toMatchObject({ sessions: 1, unbound: 1, streams: 1, datagrams: 1, senders: 1, problems: [] });
  });

  it('a long run of compounds from new senders: bounded, indexes consistent (IPv4 and IPv6)', () => {
    const d = new Driver({ maxStreams: 200 });
    for (let i = 0; i < 6000; i++) {
      const t = i;
      d.rtp(t, at('192.0.2.7', 4000, '198.51.100.9', 5000), 7, 1);
      const v6 = i % 2 === 1;
      const a = v6 ? at(`2001:db8::${(i % 300).toString(16)}`, 4001, '2001:db8:1::9', 5001) : at(ip4(0xc0000200 + (i % 300)), 4001, '198.51.100.9', 5001);
      d.rr(t, a, 100000 + i);
      if (i % 500 === 499) {
        const s = sizes(d.core);
        expect(indexProblems(d.core)).toEqual([]);
        expect(s.streams).toBeLessThanOrEqual(200);
        expect(s.datagrams).toBeLessThanOrEqual(16 * s.unbound);
        expect(s.filedBySsrc).toBeLessThanOrEqual(s.streams);
        expect(s.byEndKeys).toBeLessThanOrEqual(2 * s.datagrams);
      }
    }
  });

  it('IPv4 number keys and IPv6 string keys: retirement agrees with the packet path', () => {
    const cases: { sdp: string; src: string; retired: boolean }[] = [
      { sdp: '::ffff:192.0.2.7', src: '192.0.2.7', retired: true },
      { sdp: '::ffff:192.0.2.7', src: '::ffff:192.0.2.7', retired: true },
      { sdp: '192.0.2.7', src: '::ffff:192.0.2.7', retired: false },
      { sdp: '192.0.2.7', src: '192.0.2.7', retired: true },
    ];
    for (const c of cases) {
      const d = new Driver({ bindings: true });
      const dst = c.src.includes(':') ? '2001:db8::9' : '198.51.100.9';
      d.rtp(0, at(c.src, 4000, dst, 5000), 42);
      d.scope(1, scopeOf('Z', section([[c.sdp, 4000]])));
      d.rtp(2, at(c.src, 4000, dst, 5000), 42, 1);
      const rows = d.rows(42);
      expect({ c, rows }).toEqual({ c, rows: c.retired ? ['42 false Z', '42 true null'] : ['42 false null'] });
      expect(indexProblems(d.core)).toEqual([]);
    }
  });

  it('eviction is deterministic', () => {
    const run = () => {
      const evicted: number[] = [];
      const d = new Driver({ maxStreams: 32 });
      const table = (d.core as unknown as { table: { limits: { onEvict?: (v: { ssrc: number }) => void } } }).table;
      const prev = table.limits.onEvict!;
      table.limits.onEvict = (v: { ssrc: number }, ...rest: unknown[]) => (evicted.push(v.ssrc), (prev as (...a: unknown[]) => void)(v, ...rest));
      for (let i = 0; i < 400; i++) {
        d.rtp(i * 0.5, at(ip4(0xac100000 + (i % 50)), 7000, ip4(0xac110000 + (i % 50)), 8000), 9000 + i);
        d.rtcp(i * 0.5, at(ip4(0xac100000 + (i % 50)), 7001, ip4(0xac110000 + (i % 50)), 8001), [emptySdes(77 + i)]);
      }
      return evicted;
    };
    const a = run();
    expect(a.length).toBeGreaterThan(0);
    expect(run()).toEqual(a);
  });
});
