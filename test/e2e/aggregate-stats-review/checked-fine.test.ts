/**
 * From a review of the aggregate statistics (SPEC §4): the checks that came out fine.
 *
 * Checks of aggregate statistics that turned out FINE (kept as regression tests):
 *  1. heplify_sip_ipv4_tcp.pcap (real capture) aggregated: frame 17's SR block echoes frame 14's
 *     SR (LSR 0x09253062 = middle 32 bits of NTP 0x00200925.30624d9b, tshark), DLSR 1048:
 *     RTT = (.972317 − .954947) s − 1048/65536 s = 1.378789 ms → 1.379 (µs rounding); every stat exact.
 *  2. rtpproxy_rtcp1.raw (real SR+SDES compound) under a default aggregated-only APT: the numbers
 *     of rtpproxy's own decode (rtpproxy_rtcp1.output): fraction 0, lost 2, jitter 2; no RTT
 *     (no SR of the reported source), no jitterMs (no clock known for it).
 *  3. An SR exported raw (noteSenderReport) anchors the RTT of an aggregated RR: 250 ms − 8192/65536 s = 125 ms.
 *  4. Fraction 128 → 0.5; cumulative lost 24-bit extremes 0x7FFFFF → 8388607, 0x800000 → −8388608.
 *  5. Clock rates: opus/48000 with telephone-event/8000 last (jitter in opus's clock), H264/90000,
 *     static PCMU; jitter 480 → 10 ms, 900 → 10 ms, 80 → 10 ms.
 *  6. No aggregate line carries SDES text (CNAME, PRIV value) or an `ssrc` inside `stats`.
 *  7. p95 nearest rank on 1, 2 and 20 samples; RTT arithmetic on the capture clock, DLSR units.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { splitTelemetry } from '../../../src/enforce/telemetry-items.js';
import { roundTripMs } from '../../../src/enforce/round-trip.js';
import { WindowStore } from '../../../src/enforce/windows.js';
import { parseLines, policyOf, replayLines, sharedCapture, Workspace } from '../e2e-helpers.js';
import { rr, sr } from '../aggregate-audit/wire.js';
import { block, compound, rr as rrPacket } from '../../enforce/packets.js';
import { A, B, call, cat, POLICY, rtpBytes, run, sdesBytes, sdp } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const NO_FEEDBACK = { nack: 0, pli: 0, fir: 0, remb: 0, twcc: 0, other: 0 };

describe('real captures', () => {
  it('heplify_sip_ipv4_tcp: RTT 1.379 ms from LSR/DLSR, every statistic exact, workers 0 and 2', async () => {
    const policy = policyOf({ apts: { agg: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, dialogs: [{ callId: '158936656982201062716@10.33.6.100', apt: ['agg'] }] });
    const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: sharedCapture('heplify_sip_ipv4_tcp.pcap'), policy, workers })));
    expect(runs[1]!.exports).toEqual(runs[0]!.exports);
    const aggs = parseLines<any>(runs[0]!.exports);
    expect(aggs.map((a) => [a.stream.ssrc, a.stats])).toEqual([
      [1123300308, { items: 2, packets: { sr: 1, rr: 0, sdes: 1, bye: 0, app: 0, rtpfb: 0, psfb: 0, xr: 0 }, reportBlocks: 0, lossFraction: null, cumulativeLost: null, jitter: null, jitterMs: null, rttMs: null, voip: null, feedback: NO_FEEDBACK }],
      [
        1513316787,
        {
          items: 2,
          packets: { sr: 1, rr: 0, sdes: 1, bye: 0, app: 0, rtpfb: 0, psfb: 0, xr: 0 },
          reportBlocks: 1,
          lossFraction: { mean: 0 },
          cumulativeLost: { max: 0 },
          jitter: { min: 0, mean: 0, max: 0, p95: 0 },
          jitterMs: { min: 0, mean: 0, max: 0, p95: 0, count: 1 },
          rttMs: { min: 1.379, mean: 1.379, max: 1.379, count: 1 },
          voip: null,
          feedback: NO_FEEDBACK,
        },
      ],
    ]);
    // the hand computation
    expect(Math.round((1311857690.972317 - 1311857690.954947 - 1048 / 65536) * 1e6) / 1e3).toBe(1.379);
  });

  it("rtpproxy_rtcp1.raw: the block's numbers as rtpproxy decodes them", async () => {
    const raw = Uint8Array.from(readFileSync(sharedCapture('rtpproxy_rtcp1.raw')));
    const expected = JSON.parse(readFileSync(sharedCapture('rtpproxy_rtcp1.output'), 'utf8'));
    const b = expected.report_blocks[0];
    const policy = policyOf({ apts: { agg: { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'agg' });
    const r = await run(ws, [{ t: 1, src: B, dst: A, sport: 5001, dport: 4001, payload: raw }], policy);
    expect(r.aggs.length).toBe(1);
    expect(r.aggs[0].stream.ssrc).toBe(expected.ssrc);
    expect(r.aggs[0].stats).toEqual({
      items: 2,
      packets: { sr: 1, rr: 0, sdes: 1, bye: 0, app: 0, rtpfb: 0, psfb: 0, xr: 0 },
      reportBlocks: 1,
      lossFraction: { mean: b.fraction_lost / 256 },
      cumulativeLost: { max: b.packets_lost },
      jitter: { min: b.ia_jitter, mean: b.ia_jitter, max: b.ia_jitter, p95: b.ia_jitter },
      jitterMs: null,
      rttMs: null,
      voip: null,
      feedback: NO_FEEDBACK,
    });
  });
});

describe('hand-built calls', () => {
  const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=ssrc:1111 cname:a', 'a=sendrecv']]);
  const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=ssrc:2222 cname:b', 'a=sendrecv']]);

  it('an SR exported raw anchors the RTT of an aggregated RR (125 ms exactly); no SDES text in aggregates', async () => {
    const r = await run(ws, [
      ...call(0, offer, answer, 'X-None: 1'),
      { t: 1, src: B, dst: A, sport: 5001, dport: 4001, payload: cat(sr(2222, 0xe9a0_0000, 0x8000_0000, []), sdesBytes(2222, 'secret-cname-b@host', { prefix: 'aipref', value: 'apt-raw' })) },
      { t: 1.25, src: A, dst: B, sport: 4001, dport: 5001, payload: cat(rr(1111, [{ ssrc: 2222, fraction: 64, cumulative24: 3, jitter: 80, lsr: 0x0000_8000, dlsr: 8192 }]), sdesBytes(1111, 'secret-cname-a@host', { prefix: 'aipref', value: 'apt-agg' })) },
    ]);
    expect(r.decisions.map((d) => `${d.frame} ${d.pt} ${d.decision}`)).toEqual(['4 200 export', '4 202 export', '5 201 aggregate', '5 202 aggregate']);
    const rrAgg = r.aggs.find((a) => a.stats.packets.rr === 1);
    expect(rrAgg.stats.rttMs).toEqual({ min: 125, mean: 125, max: 125, count: 1 });
    expect(rrAgg.stats.lossFraction).toEqual({ mean: 0.25 });
    expect(rrAgg.stats.jitterMs).toEqual({ min: 10, mean: 10, max: 10, p95: 10, count: 1 });
    for (const a of r.aggs) {
      const text = JSON.stringify(a);
      expect(text).not.toMatch(/secret-cname/);
      expect(JSON.stringify(a.stats)).not.toMatch(/ssrc|cname|aipref/i);
    }
  });

  it('fraction 128 → 0.5; cumulative lost 0x7FFFFF and 0x800000 read as 8388607 and −8388608', async () => {
    const r = await run(ws, [
      ...call(0, offer, answer),
      { t: 1, src: A, dst: B, sport: 4001, dport: 5001, payload: rr(1111, [{ ssrc: 2222, fraction: 128, cumulative24: 0x800000, jitter: 8 }]) },
      { t: 2, src: B, dst: A, sport: 5001, dport: 4001, payload: rr(2222, [{ ssrc: 1111, fraction: 128, cumulative24: 0x7fffff, jitter: 8 }]) },
    ]);
    const by = Object.fromEntries(r.aggs.map((a) => [a.stream.ssrc, a.stats]));
    expect(by[1111].cumulativeLost).toEqual({ max: -8388608 });
    expect(by[2222].cumulativeLost).toEqual({ max: 8388607 });
    expect(by[1111].lossFraction).toEqual({ mean: 0.5 });
    expect(by[1111].jitterMs).toEqual({ min: 1, mean: 1, max: 1, p95: 1, count: 1 });
  });

  it('clock rates: opus/48000 with telephone-event last, H264/90000, PCMU', async () => {
    const o = sdp(A, [
      ['m=audio 4000 RTP/AVP 111 101', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:101 telephone-event/8000', 'a=ssrc:1111 cname:a', 'a=sendrecv'],
      ['m=video 4002 RTP/AVP 102', 'a=rtpmap:102 H264/90000', 'a=ssrc:3333 cname:a', 'a=sendrecv'],
    ]);
    const a = sdp(B, [
      ['m=audio 5000 RTP/AVP 111 101', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:101 telephone-event/8000', 'a=ssrc:2222 cname:b', 'a=sendrecv'],
      ['m=video 5002 RTP/AVP 102', 'a=rtpmap:102 H264/90000', 'a=ssrc:4444 cname:b', 'a=sendrecv'],
    ]);
    const r = await run(ws, [
      ...call(0, o, a),
      { t: 1, src: A, dst: B, sport: 4000, dport: 5000, payload: rtpBytes(111, 1, 0, 1111) },
      { t: 1.02, src: A, dst: B, sport: 4000, dport: 5000, payload: rtpBytes(101, 2, 960, 1111) },
      { t: 1.03, src: A, dst: B, sport: 4002, dport: 5002, payload: rtpBytes(102, 1, 0, 3333) },
      { t: 2, src: B, dst: A, sport: 5001, dport: 4001, payload: rr(2222, [{ ssrc: 1111, fraction: 0, cumulative24: 0, jitter: 480 }]) },
      { t: 2.1, src: B, dst: A, sport: 5003, dport: 4003, payload: rr(4444, [{ ssrc: 3333, fraction: 0, cumulative24: 0, jitter: 900 }]) },
    ]);
    const by = Object.fromEntries(r.aggs.map((x) => [x.stream.ssrc, x.stats.jitterMs]));
    expect(by[2222]).toEqual({ min: 10, mean: 10, max: 10, p95: 10, count: 1 });
    expect(by[4444]).toEqual({ min: 10, mean: 10, max: 10, p95: 10, count: 1 });
  });
});

describe('arithmetic', () => {
  const T = 1_700_000_000;
  const p95Of = (jitters: number[]) => {
    const store = new WindowStore();
    const item = splitTelemetry(compound(rrPacket(0xa, jitters.map((j) => block(0xb, { jitter: j })))))[0]!;
    store.add('k', item, T, { apt: ['agg'], retentionSec: 3600, clockRates: jitters.map(() => 8000) });
    return store.closeAll('end-of-capture')[0]!.stats.jitter!.p95;
  };
  it('p95 nearest rank: 1 sample → it, 2 → the larger, 20 → the 19th', () => {
    expect(p95Of([7])).toBe(7);
    expect(p95Of([9, 3])).toBe(9);
    expect(p95Of(Array.from({ length: 20 }, (_, i) => 20 - i))).toBe(19);
  });
  it('RTT: capture clock, DLSR in 1/65536 s; more than a unit negative and > 60 s are no measurement', () => {
    expect(roundTripMs(T + 0.25, T, 8192)).toBe(125);
    // less than one DLSR unit below zero is 0 (to DLSR's grain), more is no measurement
    expect(roundTripMs(T + 0.1, T, 6554)).toBe(0);
    expect(roundTripMs(T + 0.1, T, 6555)).toBeNull();
    expect(roundTripMs(T + 61, T, 0)).toBeNull();
  });
});
