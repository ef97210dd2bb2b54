/**
 * Found by a review of mirror copies and capture clocks, fixed since: a byte-identical RTCP
 * compound on the same transport within 50 ms is a copy, counted and not decided again.
 *
 * Input: the committed sample (samples/call-small.pcap, samples/policy.json: every call's
 * telemetry aggregated-only or dropped) with every RTCP record captured a second time, as a
 * SPAN of both ports of a link gives it: the same IPv4 datagram 3 µs later, with an 802.1Q tag
 * (VLAN 100) and TTL one less. SIP and RTP are left single.
 *
 * Was (workers 0 and 2): 16 aggregates instead of the original 11. Each window counts every
 * SR/RR/XR twice: the first aggregate of SSRC 1078747615 has `"items":4,"packets":{"sr":4,…},
 * "reportBlocks":4` where the original has `"items":2,"packets":{"sr":2,…},"reportBlocks":2`
 * (RTT `count` doubled likewise); and each copy of a BYE compound, arriving after the first copy
 * closed the stream's window, opens a new window exported as one more aggregate (5 in all):
 * e.g. SSRC 1078747615 window {start 1767225604.754357, end 1767225604.754357} with
 * `"items":2,"packets":{"sr":1,…,"bye":1}` — a source that said BYE (RFC 3550 §6.3.7) reporting
 * again 3 µs later. Summary `aggregate` 118 instead of 59, `drop` 390 instead of 195 (even the
 * jitterMs mean moves: 6.458333333333332 instead of 6.458333333333333).
 *
 * Correct: the aggregates of the original capture (11, stats as before). SPEC §4: each RTCP
 * packet is one telemetry item, and an aggregate "exports counts and statistics" of the
 * stream's telemetry; a mirror copy is not another packet of the stream. Counting copies doubles
 * `packets`, `items`, `reportBlocks`, feedback counts (NACK/PLI counts are what an AI service
 * reads as network trouble) and adds post-BYE windows; the enforcer's output then depends on
 * where the operator put the tap, not on the call.
 *
 * Fix: as in dup-rtcp-raw-export.test.ts — drop a UDP datagram whose payload equals one seen on
 * the same 5-tuple a moment earlier (link header, VLAN, TTL, IP checksum ignored) before its
 * RTCP items are decided (src/pipeline/media-core.ts, the RTCP entry; or the packet feed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { type ExportLine, parseLines, readPcapRecords, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords, type PcapRecord } from '../e2e-helpers.js';
import { udp } from '../sample-edits.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const isRtcp = (p: Uint8Array) => p.length >= 8 && p[0]! >> 6 === 2 && p[1]! >= 200 && p[1]! <= 207;
const withoutId = (lines: string[]) => parseLines<ExportLine>(lines).map(({ requestId: _, ...rest }) => JSON.stringify(rest));

describe('every RTCP packet of the sample captured twice (SPAN of both link ports)', () => {
  for (const workers of [0, 2]) {
    it(`gives the aggregates of the capture without the copies (workers ${workers})`, async () => {
      const policy = parsePolicy(await readFile(SMALL_POLICY, 'utf8'), 'policy.json');
      const { header, records } = await readPcapRecords(SMALL_PCAP);
      const out: PcapRecord[] = [];
      let copies = 0;
      for (const r of records) {
        out.push(r);
        const u = udp(r);
        if (u !== null && isRtcp(u.payload)) {
          out.push({ ts: r.ts + 3e-6, data: buildEthernetIpv4Udp({ ...u, vlan: 100, ttl: 63 }) });
          copies++;
        }
      }
      expect(copies).toBe(54);
      const file = await ws.file(`rtcp-twice-${workers}.pcap`);
      await writePcapRecords(file, header, out);
      const original = await replayLines({ capture: SMALL_PCAP, policy, workers });
      const doubled = await replayLines({ capture: file, policy, workers });
      expect(original.exports.length).toBe(11);
      expect(doubled.result.summary.telemetry).toEqual(original.result.summary.telemetry);
      expect(withoutId(doubled.exports)).toEqual(withoutId(original.exports));
    });
  }
});
