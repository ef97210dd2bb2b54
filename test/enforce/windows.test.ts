import { describe, expect, it } from 'vitest';
import { compactNtp, roundTripMs } from '../../src/enforce/round-trip.js';
import { splitTelemetry, type TelemetryItem } from '../../src/enforce/telemetry-items.js';
import { WindowStore } from '../../src/enforce/windows.js';
import type { RtcpPacket } from '../../src/media/rtcp/types.js';
import { app, block, bye, compound, fir, nack, pli, remb, rr, sdes, sr, twcc, voip, xr } from './packets.js';

const A = 0xa;
const B = 0xb;
const T = 1_700_000_000;
const meta = { apt: ['agg'], retentionSec: 86400 };
const items = (...packets: RtcpPacket[]): TelemetryItem[] => splitTelemetry(compound(...packets));

describe('round-trip time arithmetic', () => {
  // On the capture clock: the report's capture time − the echoed SR's capture time − DLSR.
  it.each([
    // report captured, SR captured, dlsr → ms
    [T + 2, T, 1.5 * 65536, 500],
    [T + 0.25, T, 0, 250],
    [T + 1, T, 1.5 * 65536, null], // negative: a DLSR longer than the captured interval
    [T, T + 1, 0, null], // negative: the report captured before the SR
    [T + 100, T, 0, null], // implausible
    // less than one DLSR unit (15.625 µs) below zero: a round trip of nothing to DLSR's grain (a
    // capture on the reporter's host; a DLSR rounded, not truncated) — 0, not dropped (found by a
    // review of the aggregate statistics: about half of a near-zero RTT's samples were lost)
    [T + 0.1, T, 6554, 0], // 0.1 s = 6553.6 units: −6.25 µs
    [T + 0.1, T, 6555, null], // −21.9 µs: more than a unit below, no measurement
  ])('report at %d, SR at %d, DLSR=%d → %j', (report, srAt, dlsr, want) => {
    const got = roundTripMs(report, srAt, dlsr);
    if (want === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(want, 1);
  });

  it('compact NTP is the middle 32 bits', () => {
    expect(compactNtp(0x1234abcd, 0x5678ef01)).toBe(0xabcd5678);
  });
});

describe('WindowStore statistics on hand-computed inputs', () => {
  it('loss, cumulative loss, jitter, RTT, VoIP means, feedback and packet counts', () => {
    const store = new WindowStore();
    const ntp = { ntpSec: (T + 2_208_988_800) >>> 0, ntpFrac: 0 };
    // B's SR, seen by the store, then A's RRs that answer it 2 s later with DLSR 1.5 s.
    store.add('s', items(sr(B, [], ntp))[0]!, T, meta);
    const jitters = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10..200
    const lsr = compactNtp(ntp.ntpSec, ntp.ntpFrac);
    store.add('s', items(rr(A, [block(B, { fractionLost: 64, cumulativeLost: 5, jitter: jitters[0], lsr, dlsr: 98304 })]))[0]!, T + 2, meta);
    store.add('s', items(rr(A, [block(B, { fractionLost: 128, cumulativeLost: 12, jitter: jitters[1] })]))[0]!, T + 3, meta);
    const rest = jitters.slice(2).map((jitter) => block(B, { fractionLost: 0, cumulativeLost: 3, jitter }));
    // 18 more blocks with no loss: the loss mean is (0.25 + 0.5) / 20
    store.add('s', items(rr(A, rest))[0]!, T + 4, meta);
    for (const item of items(xr(A, [voip(B, { mosLq: 42, mosCq: 41, rFactor: 90 }), voip(B, { mosLq: 38, mosCq: 127, rFactor: 80 })]))) store.add('s', item, T + 5, meta);
    for (const item of items(nack(A, B), nack(A, B), pli(A, B), fir(A, B), remb(A, [B]), twcc(A, B), sdes([{ ssrc: A, items: [{ type: 1, text: 'x' }] }]), app(A), bye([A]))) {
      store.add('s', item, T + 6, meta);
    }
    const [closed] = store.closeAll();
    expect(closed).toMatchObject({ key: 's', start: T, end: T + 6, reason: 'end-of-capture', apt: ['agg'], retentionSec: 86400 });
    const stats = closed!.stats;
    expect(stats.items).toBe(15);
    expect(stats.packets).toEqual({ sr: 1, rr: 3, sdes: 1, bye: 1, app: 1, rtpfb: 3, psfb: 3, xr: 1 }); // one XR packet of two blocks (items counts both)
    expect(stats.reportBlocks).toBe(20);
    expect(stats.lossFraction!.mean).toBeCloseTo(0.75 / 20, 12);
    expect(stats.cumulativeLost).toEqual({ max: 12 });
    expect(stats.jitter).toEqual({ min: 10, mean: 105, max: 200, p95: 190 });
    expect(stats.rttMs!.count).toBe(1);
    expect(stats.rttMs!.mean).toBeCloseTo(500, 6);
    expect(stats.voip!.blocks).toBe(2);
    expect(stats.voip!.mosLq).toBeCloseTo(4.0, 12);
    expect(stats.voip!.mosCq).toBeCloseTo(4.1, 12);
    expect(stats.voip!.rFactor).toBe(85);
    expect(stats.feedback).toEqual({ nack: 2, pli: 1, fir: 1, remb: 1, twcc: 1, other: 0 });
  });

  it("RTT is measured on the capture clock, whatever the SR sender's NTP clock says, across the compact NTP wrap", () => {
    const store = new WindowStore();
    // B's NTP clock runs 2 h ahead of the capture clock and its compact NTP is about to wrap
    const ntp = { ntpSec: 0x1234ffff, ntpFrac: 0xf0000000 };
    const lsr = compactNtp(ntp.ntpSec, ntp.ntpFrac);
    store.add('s', items(sr(B, [], ntp))[0]!, T, meta);
    // a later SR of B's has wrapped: the RR answering the first still finds it by its LSR
    store.add('s', items(sr(B, [], { ntpSec: 0x12350000, ntpFrac: 0x20000000 }))[0]!, T + 0.2, meta);
    store.add('s', items(rr(A, [block(B, { lsr, dlsr: 0.25 * 65536 })]))[0]!, T + 0.3, meta);
    // answering A's SR (never seen) instead: no RTT
    store.add('s', items(rr(B, [block(A, { lsr, dlsr: 0 })]))[0]!, T + 0.4, meta);
    const rtt = store.closeAll()[0]!.stats.rttMs!;
    expect(rtt.count).toBe(1);
    expect(rtt.mean).toBeCloseTo(50, 6);
  });

  it('RTT is only computed for SRs the store has seen', () => {
    const store = new WindowStore();
    store.add('s', items(rr(A, [block(B, { lsr: compactNtp((T + 2_208_988_800) >>> 0, 0), dlsr: 0 })]))[0]!, T + 1, meta);
    expect(store.closeAll()[0]!.stats.rttMs).toBeNull();
  });

  it('jitter in milliseconds by each block\'s source clock (48 kHz, 90 kHz, unknown: left out), jitter as reported beside it', () => {
    const store = new WindowStore();
    const C = 0xc;
    // one RR about three sources: audio at 48 kHz, video at 90 kHz, one of unknown clock (0)
    store.add('s', items(rr(A, [block(B, { jitter: 240 }), block(C, { jitter: 1800 }), block(0xd, { jitter: 5 })]))[0]!, T, { ...meta, clockRates: [48000, 90000, 0] });
    // an SR's blocks too; no clockRates at all: none known
    store.add('s', items(sr(A, [block(B, { jitter: 960 })]))[0]!, T + 1, { ...meta, clockRates: [48000] });
    store.add('s', items(rr(A, [block(B, { jitter: 100 })]))[0]!, T + 2, meta);
    const stats = store.closeAll()[0]!.stats;
    expect(stats.reportBlocks).toBe(5);
    expect(stats.jitter).toEqual({ min: 5, mean: 621, max: 1800, p95: 1800 });
    expect(stats.jitterMs).toEqual({ min: 5, mean: (5 + 20 + 20) / 3, max: 20, p95: 20, count: 3 });
  });

  it('an empty-ish window reports nulls, not zeros, for what it never saw', () => {
    const store = new WindowStore();
    store.add('s', items(app(A))[0]!, T, meta);
    expect(store.closeAll()[0]!.stats).toMatchObject({ lossFraction: null, cumulativeLost: null, jitter: null, jitterMs: null, rttMs: null, voip: null });
  });
});

describe('WindowStore closing', () => {
  const item = items(rr(A, [block(B)]))[0]!;

  it('a window ends after its span: the next item closes it (window-end)', () => {
    const store = new WindowStore({ windowSec: 10 });
    expect(store.add('s', item, T, meta)).toEqual([]);
    expect(store.add('s', item, T + 9.999, meta)).toEqual([]);
    const closed = store.add('s', item, T + 10, meta);
    expect(closed.map((w) => [w.start, w.end, w.reason, w.stats.items])).toEqual([[T, T + 10, 'window-end', 2]]);
    expect(store.openCount).toBe(1);
  });

  it('closeDue closes every window whose end has passed, in end order', () => {
    const store = new WindowStore({ windowSec: 5 });
    store.add('late', item, T + 2, meta);
    store.add('early', item, T, meta);
    expect(store.closeDue(T + 4.9)).toEqual([]);
    expect(store.closeDue(T + 7).map((w) => [w.key, w.end])).toEqual([['early', T + 5], ['late', T + 7]]);
    expect(store.openCount).toBe(0);
  });

  it.each(['bye', 'dialog-end', 'scope-change'] as const)('close(key, %s) closes at the given time', (reason) => {
    const store = new WindowStore();
    store.add('s', item, T, meta);
    expect(store.close('s', reason, T + 3)).toMatchObject({ start: T, end: T + 3, reason });
    expect(store.close('s', reason, T + 3)).toBeNull();
  });

  it('a change of deciding APTs closes the window (scope-change)', () => {
    const store = new WindowStore();
    store.add('s', item, T, meta);
    expect(store.add('s', item, T + 1, { apt: ['agg'], retentionSec: 86400 })).toEqual([]);
    const closed = store.add('s', item, T + 2, { apt: ['other'], retentionSec: 86400 });
    expect(closed.map((w) => [w.reason, w.apt, w.end])).toEqual([['scope-change', ['agg'], T + 2]]);
  });

  it('a window is closed for retention when half its earliest item\'s retention has run, its aggregate expiring at the full retention', () => {
    const store = new WindowStore({ windowSec: 10 });
    store.add('s', item, T, { apt: ['agg'], retentionSec: 3 });
    expect(store.closeDue(T + 1.4)).toEqual([]);
    // closed at T + 3/2, with 1.5 s of the retention left: never expired when made
    expect(store.closeDue(T + 1.5).map((w) => [w.reason, w.end, w.retentionSec, w.deadline])).toEqual([['retention', T + 1.5, 3, T + 3]]);
    expect(store.openCount).toBe(0);
  });

  it('a later item with shorter retention pulls the close time and the deadline in', () => {
    const store = new WindowStore({ windowSec: 10 });
    store.add('s', item, T, { apt: ['agg'], retentionSec: 60 });
    store.add('s', item, T + 1, { apt: ['agg'], retentionSec: 2 });
    const closed = store.add('s', item, T + 4, { apt: ['agg'], retentionSec: 60 });
    // closed at T + 1 + 2/2, expiring at T + 1 + 2
    expect(closed.map((w) => [w.reason, w.end, w.retentionSec, w.stats.items, w.deadline])).toEqual([['retention', T + 2, 2, 2, T + 3]]);
  });

  it('closeDue fires at the pulled-in close time (its earliest-due bookkeeping follows)', () => {
    const store = new WindowStore({ windowSec: 10 });
    store.add('a', item, T, { apt: ['agg'], retentionSec: 60 });
    store.add('s', item, T, { apt: ['agg'], retentionSec: 60 });
    expect(store.closeDue(T + 1)).toEqual([]);
    store.add('s', item, T + 2, { apt: ['agg'], retentionSec: 4 });
    expect(store.closeDue(T + 3.9)).toEqual([]);
    expect(store.closeDue(T + 4).map((w) => [w.key, w.reason, w.end, w.deadline])).toEqual([['s', 'retention', T + 4, T + 6]]);
    // the other window still closes at its end
    expect(store.closeDue(T + 9.9)).toEqual([]);
    expect(store.closeDue(T + 10).map((w) => [w.key, w.reason, w.end])).toEqual([['a', 'window-end', T + 10]]);
  });

  it('a retention shorter than twice the window closes it for retention; at least twice, at its end', () => {
    const store = new WindowStore({ windowSec: 10 });
    store.add('r15', item, T, { apt: ['agg'], retentionSec: 15 });
    store.add('r20', item, T, { apt: ['agg'], retentionSec: 20 });
    expect(store.closeDue(T + 7.4)).toEqual([]);
    expect(store.closeDue(T + 7.5).map((w) => [w.key, w.reason, w.end, w.deadline])).toEqual([['r15', 'retention', T + 7.5, T + 15]]);
    expect(store.closeDue(T + 10).map((w) => [w.key, w.reason, w.end, w.deadline])).toEqual([['r20', 'window-end', T + 10, T + 20]]);
  });

  it('a window closed late (BYE, end of capture) ends no later than its retention close time', () => {
    const store = new WindowStore({ windowSec: 10 });
    store.add('s', item, T, { apt: ['agg'], retentionSec: 4 });
    expect(store.close('s', 'bye', T + 5)).toMatchObject({ reason: 'bye', end: T + 2, deadline: T + 4 });
    store.add('t', item, T, { apt: ['agg'], retentionSec: 4 });
    expect(store.closeAll(undefined, T + 5).map((w) => [w.reason, w.end])).toEqual([['end-of-capture', T + 2]]);
  });

  it('retention 0 is never held', () => {
    const store = new WindowStore();
    expect(store.add('s', item, T, { apt: ['z'], retentionSec: 0 })).toEqual([]);
    expect(store.openCount).toBe(0);
    expect(store.closeAll()).toEqual([]);
  });

  it('records the shortest retention that applied, null when none did', () => {
    const store = new WindowStore();
    store.add('a', item, T, { apt: ['x'], retentionSec: null });
    store.add('b', item, T, { apt: ['x'], retentionSec: 900 });
    store.add('b', item, T + 1, { apt: ['x'], retentionSec: 600 });
    // the deadline is when the first of its items expires: here the later one, with the shorter retention
    expect(store.closeAll(undefined, T + 2).map((w) => [w.key, w.retentionSec, w.end, w.deadline])).toEqual([
      ['a', null, T + 2, Infinity],
      ['b', 600, T + 2, T + 601],
    ]);
  });

  it('refuses a non-positive window', () => {
    expect(() => new WindowStore({ windowSec: 0 })).toThrow(RangeError);
  });
});

describe('WindowStore.noteSenderReport', () => {
  const ntp = { ntpSec: (T + 2_208_988_800) >>> 0, ntpFrac: 0 };
  const answer = (store: WindowStore, at: number): void => {
    store.add('s', items(rr(A, [block(B, { lsr: compactNtp(ntp.ntpSec, ntp.ntpFrac), dlsr: 65536 })]))[0]!, at, meta);
  };

  it('an SR noted (not aggregated) still yields RTT', () => {
    const store = new WindowStore();
    store.noteSenderReport(B, ntp.ntpSec, ntp.ntpFrac, T, 3600);
    answer(store, T + 1.25);
    expect(store.closeAll()[0]!.stats.rttMs!.mean).toBeCloseTo(250, 6);
  });

  it('is forgotten at its retention', () => {
    const store = new WindowStore();
    store.noteSenderReport(B, ntp.ntpSec, ntp.ntpFrac, T, 1);
    answer(store, T + 1.25);
    expect(store.closeAll()[0]!.stats.rttMs).toBeNull();
  });
});
