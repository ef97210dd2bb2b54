/**
 * Found by an audit of the aggregates, fixed since: `stats.packets.xr` counted XR report blocks,
 * not XR packets. Frame 41 of the sample is one compound from 0x3010b529: RR, SDES and one XR
 * packet of two blocks (BT 4, BT 7); every identifier aggregated-only, 0.5 s windows. Was:
 * "items":3,"packets":{…"rr":1,…"xr":2}. SPEC §4 makes each XR block an item (`items` counts
 * them), and `packets` counts packets by type (`packets.sr` SR packets): the XR packet counts once.
 */
import { expect, it } from 'vitest';
import { SMALL_PCAP } from '../e2e-helpers.js';
import { allAggregated, audit } from './audit.js';

it('one XR packet of two blocks counts packets.xr = 1', async () => {
  const r = await audit(allAggregated, 0.5, SMALL_PCAP);
  const [agg, items] = [...r.assigned].find(([a, its]) => a.stream.ssrc === 0x3010b529 && its.some((i) => i.frame === 41))!;
  expect(items.filter((i) => i.pt === 207).length).toBe(2);
  expect(new Set(items.filter((i) => i.pt === 207).map((i) => i.packet)).size).toBe(1);
  expect(agg.stats.items).toBe(3);
  expect(agg.stats.packets.xr).toBe(1);
});
