/**
 * Aggregates of samples/call-small.pcap recomputed independently (oracle.ts: tshark + werift),
 * with the sample policy and with a policy that makes every identifier aggregated-only.
 * Every number of every aggregate is compared; windows 10 s (closed by scope change, BYE, end
 * of capture), 0.5 s (closed by time) and, with a 2 s retention, closed for retention (1 s).
 */
import { describe, expect, it } from 'vitest';
import { SMALL_PCAP } from '../e2e-helpers.js';
import { allAggregated, audit, samplePolicyJson } from './audit.js';

/** apt-user-1's retention cut to 2 s: its windows (10 s) close for retention, 1 s (half of it) after their first item */
const shortRetention = structuredClone(allAggregated);
shortRetention.apts['apt-user-1'].retention = '2s';

describe('sample aggregates against an independent recomputation', () => {
  for (const [label, policy] of [
    ['sample policy', samplePolicyJson],
    ['every identifier aggregated-only', allAggregated],
    ['retention 2 s', shortRetention],
  ] as const) {
    for (const windowSec of [10, 0.5]) {
      it(`${label}, ${windowSec} s windows: every number agrees`, async () => {
        const r = await audit(policy, windowSec, SMALL_PCAP);
        expect(r.aggregated.length).toBeGreaterThan(0);
        expect(r.unassigned.map((i) => `${i.frame}/${i.pt}`)).toEqual([]);
        expect(r.errors).toEqual([]);
        // sanity: the comparison covered rtt, voip and feedback somewhere
        if (label === 'retention 2 s' && windowSec === 10) {
          // README: closed when half the earliest item's retention has run, the aggregate made with half left
          const short = r.aggs.filter((a) => a.apt.includes('apt-user-1'));
          expect(short.length).toBeGreaterThan(1);
          for (const a of short) {
            expect(a.expiresAt! - a.window.start).toBeCloseTo(2, 6);
            expect(a.window.end).toBeLessThanOrEqual(a.window.start + 1 + 1e-6);
          }
          expect(short.some((a) => Math.abs(a.window.end - (a.window.start + 1)) < 1e-6)).toBe(true);
        }
        if (label === 'every identifier aggregated-only' && windowSec === 10) {
          expect(r.aggs.some((a) => a.stats.rttMs !== null)).toBe(true);
          expect(r.aggs.some((a) => a.stats.voip !== null)).toBe(true);
        }
      });
    }
  }
});
