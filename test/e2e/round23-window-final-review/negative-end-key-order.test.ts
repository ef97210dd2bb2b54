/**
 * Found by a review of f8ab8ad (the window-close rework), fixed since:
 * a window's end is keyed by its IEEE 754 bits made sortable (sign bit set for a positive number, every bit flipped for a negative one), so the key sorts as the number does at any sign or size (src/pipeline/media-core.ts endKey).
 *
 * Input: a pcapng whose interface says if_tsoffset = −100000 s (pcapng §4.2: a signed offset; a
 *   device whose clock counted from its boot, an export that shifted times), so capture times are
 *   negative; µs resolution. Three RTCP SRs, no signaling, policy default APT `d` (domain,
 *   aggregated-only, retention 24h), window 1 s, replayed with --workers 0 and 2, default
 *   batching and maxBatchRecords 1:
 *     frame 1  −100000.0  SSRC 0xA 10.0.0.5:4001 → 10.0.0.6:5001   window [−100000, −99999)
 *     frame 2  − 99999.5  SSRC 0xB 10.0.0.1:4001 → 10.0.0.2:5001   window [−99999.5, −99998.5)
 *     frame 3  − 99998.0  SSRC 0xC 10.0.0.3:4001 → 10.0.0.4:5001   (its clock reached both ends)
 * Was (observed): both aggregates stand just before frame 3 in the order [0xB, 0xA, 0xC]: B's
 *   window (end −99998.5) before A's (end −99999). emitDue keys them `~${endKey(end)}~${key}`
 *   and endKey pads end.toFixed(6) with zeros on the left — "0000000-99998.500000" sorts before
 *   "0000000-99999.000000" (string order of negative numbers is the reverse of their order).
 *   The same inversion for ends past 1e13 s (toFixed longer than 20 characters, a second it)
 *   — an if_tsoffset far ahead.
 * Correct: [0xA, 0xB, 0xC], as for the same capture at positive times (round23-window-close-review
 *   live-tick-vs-record-order: "windows closed at one place stand in the order of their ends,
 *   as the idle ticks of a silent feed close them", README "Live beside a media relay";
 *   WindowStore.sortClosed orders them so). pcapng's if_tsoffset is signed and taken as is by
 *   native-free/pcapng.ts, so the "capture times are ≥ 0" assumption of endKey does not hold.
 * Fix: src/pipeline/media-core.ts endKey: a key that sorts as the number does for every finite
 *   time — e.g. a fixed-width encoding of the µs count offset by a bias (sign-flipped 64-bit hex
 *   of Math.round(end * 1e6)), or a prefix of the sign with the magnitude's digits complemented
 *   for negatives and a length prefix for magnitudes (so 1e13+ sorts after 9.99e12).
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { writeFile } from 'node:fs/promises';
import { aggregates, expectAllEqual, replayFour } from '../round23-window-close-review/util.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const sr = (ssrc: number) => encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 160, reports: [] }]);
const from = (n: number) => ({ src: `10.0.0.${n}`, dst: `10.0.0.${n + 1}`, sport: 4001, dport: 5001 });

async function pcapng(name: string, tsoffset: number, recs: { t: number; ssrc: number; host: number }[]): Promise<string> {
  const file = await ws.file(name);
  const parts = [encodePcapngSectionHeader(), encodePcapngInterface(1, { tsoffset })];
  for (const r of recs) parts.push(encodePcapngEnhancedPacket(0, BigInt(Math.round(r.t * 1e6)), buildEthernetIpv4Udp({ ...from(r.host), payload: sr(r.ssrc) })));
  await writeFile(file, Buffer.concat(parts));
  return file;
}

const policy = policyOf({ apts: { d: { type: 'domain', export: 'aggregated-only', retention: '24h' } }, default: 'd', window: '1s' });
const recs = [
  { t: 0, ssrc: 0xa, host: 5 },
  { t: 0.5, ssrc: 0xb, host: 1 },
  { t: 2, ssrc: 0xc, host: 3 },
];

it('positive times (reference): windows closed before one record stand by end, then key', async () => {
  const runs = await replayFour(await pcapng('pos.pcapng', 1767225600, recs), policy, 1);
  expectAllEqual(runs);
  expect(aggregates(runs.w0).map((a) => a.stream.ssrc)).toEqual([0xa, 0xb, 0xc]);
});

it('negative capture times (if_tsoffset < 0): the same order by end', async () => {
  const runs = await replayFour(await pcapng('neg.pcapng', -100000, recs), policy, 1);
  expectAllEqual(runs);
  const aggs = aggregates(runs.w0);
  expect(aggs.map((a) => a.window.end)).toEqual([-99999, -99998.5, -99998]);
  expect(aggs.map((a) => a.stream.ssrc)).toEqual([0xa, 0xb, 0xc]);
});

it('ends either side of 1e13 s (if_tsoffset far ahead): the same order by end', async () => {
  const runs = await replayFour(await pcapng('big.pcapng', 1e13 - 2, recs.map((r) => ({ ...r, t: r.t + 0.75 }))), policy, 1);
  expectAllEqual(runs);
  const aggs = aggregates(runs.w0);
  // A's window ends at 1e13 − 0.25 s, B's at 1e13 + 0.25 s
  expect(aggs.map((a) => a.stream.ssrc)).toEqual([0xa, 0xb, 0xc]);
});
