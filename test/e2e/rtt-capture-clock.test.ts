/**
 * Round-trip time from LSR/DLSR (SPEC §4 aggregates; RFC 3550 §6.4.1), read on the capture's clock
 * alone: the SR sender's NTP clock may be off by any amount.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { type ExportLine, parseLines, policyOf, replayLines, Workspace } from './e2e-helpers.js';
import { writeCall } from './hand-built-calls.js';
import { lsrOf, replayTwoParty, rrFrom, srFrom, T0 } from './two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

type Rtt = { min: number; mean: number; max: number; count: number } | null;
const rttOf = (x: ExportLine | undefined): Rtt => (x?.stats as { rttMs: Rtt } | undefined)?.rttMs ?? null;

describe('RTT = A − LSR − DLSR (RFC 3550 §6.4.1)', () => {
  it('control: clocks agree, RR 300 ms after the SR with DLSR 250 ms → RTT ≈ 50 ms', async () => {
    const run = await replayTwoParty(ws, 'rtt-control', {
      aLines: ['a=aipref:session apt-agg'],
      rtcp: [
        { ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] },
        { ts: 1.3, fromA: false, packets: [rrFrom(2222, [{ ssrc: 1111, lsr: lsrOf(T0 + 1), dlsr: 0.25 * 65536 }])] },
      ],
      policy: { apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' } } },
    });
    const rtt = rttOf(run.exports.find((x) => x.type === 'aggregate' && x.stream.ssrc === 2222));
    expect(rtt?.count).toBe(1);
    expect(rtt!.mean).toBeGreaterThan(49);
    expect(rtt!.mean).toBeLessThan(51);
  });

  it("the SR sender's NTP clock is 300 ms behind the capture clock: the RTT it would compute is still ≈ 50 ms", async () => {
    // A sends its SR (captured at T0+1.0) stamped T0+0.7 by its own clock; B answers (captured
    // at T0+1.3) echoing that LSR with DLSR 250 ms. A, on receipt, computes A−LSR−DLSR in its own
    // clock: (1.3−0.3) − 0.7 − 0.25 = 50 ms. The enforcer mixes the capture clock (arrival) with
    // A's clock (LSR) and reports 350 ms.
    const run = await replayTwoParty(ws, 'rtt-offset', {
      aLines: ['a=aipref:session apt-agg'],
      rtcp: [
        { ts: 1, fromA: true, packets: [srFrom(1111, T0 + 0.7)] },
        { ts: 1.3, fromA: false, packets: [rrFrom(2222, [{ ssrc: 1111, lsr: lsrOf(T0 + 0.7), dlsr: 0.25 * 65536 }])] },
      ],
      policy: { apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' } } },
    });
    const rtt = rttOf(run.exports.find((x) => x.type === 'aggregate' && x.stream.ssrc === 2222));
    expect(rtt?.count).toBe(1);
    expect(rtt!.mean).toBeGreaterThan(49);
    expect(rtt!.mean).toBeLessThan(51);
  });

  it("an SR sender whose NTP clock runs 2 s ahead: the RTT is not lost (RFC 3550 needs no clock agreement)", async () => {
    const run = await replayTwoParty(ws, 'rtt-ahead', {
      aLines: ['a=aipref:session apt-agg'],
      rtcp: [
        { ts: 1, fromA: true, packets: [srFrom(1111, T0 + 3)] },
        { ts: 1.3, fromA: false, packets: [rrFrom(2222, [{ ssrc: 1111, lsr: lsrOf(T0 + 3), dlsr: 0.25 * 65536 }])] },
      ],
      policy: { apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' } } },
    });
    const rtt = rttOf(run.exports.find((x) => x.type === 'aggregate' && x.stream.ssrc === 2222));
    expect(rtt).not.toBeNull();
    expect(rtt!.mean).toBeGreaterThan(49);
    expect(rtt!.mean).toBeLessThan(51);
  });

  it('control: the compact NTP (middle 32 bits) wraps between the SR and the RR', async () => {
    // (T0 + NTP_UNIX) mod 65536 = 14208, so at T0+51327.9 the compact NTP is 0xffffe666 and at
    // T0+51328.1 it has wrapped to 0x00001999. No dialog: the default APT governs.
    const file = await ws.file('rtt-wrap.pcap');
    const at = 51327.9;
    await writeCall(file, (w) => {
      w(at, encodeRtcpCompound([srFrom(1111, T0 + at)]), true, 4001, 5001);
      w(at + 0.2, encodeRtcpCompound([rrFrom(2222, [{ ssrc: 1111, lsr: lsrOf(T0 + at), dlsr: 0.1 * 65536 }])]), false, 5001, 4001);
    });
    expect(lsrOf(T0 + at) >>> 16).toBe(0xffff);
    const run = await replayLines({ capture: file, policy: policyOf({ apts: { 'apt-agg': { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'apt-agg' }) });
    const rtt = rttOf(parseLines<ExportLine>(run.exports).find((x) => x.type === 'aggregate' && x.stream.ssrc === 2222));
    expect(rtt?.count).toBe(1);
    expect(rtt!.mean).toBeGreaterThan(99);
    expect(rtt!.mean).toBeLessThan(101);
  });
});
