/**
 * The "SIP path, per message" figure of `npm run bench` (bench/run.ts timeByTraffic) subtracts the
 * fixed cost measured on samples/call-small.pcap, whose 440 packets carry RTP and RTCP too: that
 * baseline pays the media paths' module work and first compilations, which a replay of the SIP
 * alone never does. The difference is then too small, and on a small capture below zero; nothing
 * guards it (the "net of its fixed cost" figures beside it are skipped when net <= 0). The same
 * holds for the RTCP path's difference (SIP+RTCP − SIP), which on a small capture is noise.
 *
 * Input: node dist/bench/run.js --runs 1 --calls 1 --duration 1 --no-tshark --no-werift
 *   --no-micro --no-profile --no-live (bench-run2-small.log in this folder).
 * Was: "replay --workers 0: the SIP path, per message  -1755.33 µs  (0.110 − 0.131) s over 12
 *   messages": the SIP part (12 packets) replays in 110 ms, faster than the 131 ms "fixed cost".
 *   At the defaults (bench-run1.log) the figure reads 66 µs ((0.217 − 0.155) s / 929). Measured
 *   apart (probe-baseline.mjs, --workers 0, 7 interleaved runs, medians): call-small.pcap 146 ms,
 *   the 12-message SIP part 121 ms, a capture of its pcap header alone 107 ms: the baseline holds
 *   ~40 ms the SIP part never spends, so the default figure is about half of (0.217 − 0.107) s /
 *   929 ≈ 118 µs.
 * Correct: a figure that is a time per message is never negative and does not subtract work the
 *   part it measures does not do; where the difference is not above zero (noise), the figure is
 *   left out as the net-of-fixed-cost figures are (bench/run.ts, `if (net <= 0) continue`).
 * Fix: bench/run.ts timeByTraffic: push the RTCP-path and SIP-path figures only when their
 *   differences are > 0, and take the SIP path's baseline from a replay without media (e.g. the
 *   pcap header alone, or the sample's SIP records) instead of call-small.pcap's whole replay.
 *
 * (The review checked this by reading run.ts's source, the bench running whole on import; the
 * figures are now made by bench/traffic-split.ts trafficFigures, which this test calls.)
 */
import { expect, it } from 'vitest';
import { trafficFigures, type PartTiming, type TrafficPart } from '../../../bench/traffic-split.js';

const split = {
  parts: { 'no-rtcp': { path: 'x.no-rtcp.pcap', packets: 687 }, 'sip-rtcp': { path: 'x.sip-rtcp.pcap', packets: 24 }, sip: { path: 'x.sip.pcap', packets: 12 }, empty: { path: 'x.empty.pcap', packets: 0 } },
  counts: { sip: 12, rtp: 675, rtcp: 12 },
};
const at = (wallSeconds: number, packets: number): PartTiming => ({ wallSeconds, packetsPerSec: packets / wallSeconds });
const names = (f: { figures: { name: string }[] }) => f.figures.map((x) => x.name);

it('the RTCP-path and SIP-path figures are left out where their differences are not above zero', () => {
  // bench-run2-small.log: the SIP part (12 messages) in 110 ms, faster than what it is set against
  const timing: Record<TrafficPart, PartTiming> = { 'no-rtcp': at(0.13, 687), 'sip-rtcp': at(0.108, 24), sip: at(0.11, 12), empty: at(0.112, 0) };
  const got = trafficFigures(split, timing, at(0.131, 699), 15e6, 1);
  expect(names(got)).not.toContain('replay --workers 0: the RTCP path, per compound');
  expect(names(got)).not.toContain('replay --workers 0: the SIP path, per message');
  expect([got.rtcpMicrosPerCompound, got.sipMicrosPerMessage]).toEqual([undefined, undefined]);
  expect(got.figures.every((x) => x.value >= 0)).toBe(true);
});

it('the SIP path is set against a replay of no packet, not against the sample with media', () => {
  // bench-run1.log's part times, and the header-alone replay the review measured (107 ms)
  const timing: Record<TrafficPart, PartTiming> = { 'no-rtcp': at(0.52, 1018649), 'sip-rtcp': at(0.547, 13407), sip: at(0.217, 929), empty: at(0.107, 0) };
  const got = trafficFigures({ ...split, counts: { sip: 929, rtp: 1017720, rtcp: 12478 } }, timing, at(0.828, 1031127), 15e6, 5);
  expect(got.sipMicrosPerMessage).toBeCloseTo(((0.217 - 0.107) / 929) * 1e6, 6);
  expect(got.rtcpMicrosPerCompound).toBeCloseTo(((0.547 - 0.217) / 12478) * 1e6, 6);
  expect(got.figures.find((x) => x.name === 'replay --workers 0: the SIP path, per message')!.note).toContain('(0.217 − 0.107) s over 929 messages');
});
