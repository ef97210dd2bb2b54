/**
 * Found by a review of 40d5492 (windows closed at the record that reached their end), fixed
 * since: WindowStore keeps its open windows in a min-heap by due moment and closeDueAt takes the
 * due ones off its top (src/enforce/windows.ts DueQueue, closeDueAt). The count below now counts
 * every walk of the store's open windows, however it is made (the first version counted every
 * call at or past nextDue as a full walk, which a heap no longer makes).
 *
 * Input: an RTCP-only capture (what a HEP agent sends; a mirror filtered to RTCP): W = 2000
 *   unbound streams (10.1.x.y:7001 → 10.2.0.1:7001, one SSRC each, default APT px =
 *   {aggregated-only, retention 1h}), each an SR every 5 s, phases spread evenly, 60 s:
 *   24 000 records, window 10 s; replayed in-process with --workers 0. WindowStore.closeDueAt
 *   is wrapped to count the open windows it walks (each call at or past nextDue walks all).
 * Was (observed): 10 000 full walks, 20 000 000 windows visited (W 1000: 5 M; W 4000: 80 M,
 *   5.7 s for 48 000 records against 0.9 s for 12 000) — quadratic in the open windows. Since
 *   40d5492 MediaCore.passTo calls closeDueAt at every record whose clock reached nextDue, and
 *   with staggered windows that is nearly every window's end: one walk of every open window per
 *   window closed. Before, the walk was once per batch (8192 records: ~3 walks here). With
 *   20 000 concurrent RTCP streams that is ~4·10⁸ visits per 10 s of capture — a live HEP
 *   service falls behind real time.
 * Correct: README Performance / ARCHITECTURE (hot paths kept small; pino-style): closing windows
 *   on time should cost O(log W) (or O(1) amortised) per window closed, not O(W); the commit
 *   claims the per-record check is cheap ("lets closeDueAt, asked per record, return at once").
 *   Asserted: fewer than 20 window visits per record.
 * Fix: src/enforce/windows.ts: keep the open windows ordered by their due time (min(end,
 *   closeBy)): a binary heap with lazy deletion (a window's due may only move earlier, and
 *   close()/add() remove or re-key it) or buckets per second of due time; closeDueAt pops the
 *   due ones (sorted as sortClosed does) and nextDue is the heap's top.
 */
import { afterAll, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { WindowStore } from '../../../src/enforce/windows.js';
import { type PcapRecord, policyOf, replayLines, Workspace, writePcapRecords } from '../e2e-helpers.js';
import { AGG } from '../windows-review/harness.js';
import { T0 } from './util.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('closing staggered windows on time walks each open window a bounded number of times per record', async () => {
  const W = 2000;
  const recs: PcapRecord[] = [];
  for (let k = 0; k < 12; k++) {
    for (let s = 0; s < W; s++) {
      const ip = `10.1.${(s >> 8) & 255}.${s & 255}`;
      const payload = encodeRtcpCompound([{ pt: 200, ssrc: 100000 + s, ntpSec: 3976214400 + k, ntpFrac: 0, rtpTs: k, packetCount: k, octetCount: k, reports: [] }]);
      recs.push({ ts: T0 + k * 5 + (s / W) * 5, data: buildEthernetIpv4Udp({ src: ip, dst: '10.2.0.1', sport: 7001, dport: 7001, payload }) });
    }
  }
  const file = await ws.file('staggered.pcap');
  await writePcapRecords(file, encodePcapFileHeader(1), recs);
  // every walk over the store's open windows (any way a Map is walked) counts the windows it visits
  let visited = 0;
  const walked = new WeakSet<object>();
  const original = WindowStore.prototype.closeDueAt;
  WindowStore.prototype.closeDueAt = function (this: WindowStore, ts: number) {
    const open = (this as unknown as { windows: Map<string, unknown> }).windows;
    if (!walked.has(open)) {
      walked.add(open);
      const counted = <K extends 'values' | 'keys' | 'entries' | 'forEach'>(name: K) => {
        const own = (open[name] as (...a: unknown[]) => unknown).bind(open);
        (open as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
          visited += open.size;
          return own(...a);
        };
      };
      for (const name of ['values', 'keys', 'entries', 'forEach'] as const) counted(name);
      const iterate = open[Symbol.iterator].bind(open);
      (open as unknown as Record<symbol, unknown>)[Symbol.iterator] = () => {
        visited += open.size;
        return iterate();
      };
    }
    return original.call(this, ts);
  };
  try {
    const r = await replayLines({ capture: file, policy: policyOf({ apts: { px: AGG() }, default: 'px' }), workers: 0, windowSec: 10, explain: false });
    expect(r.exports.length).toBe(W * 6);
  } finally {
    WindowStore.prototype.closeDueAt = original;
  }
  expect(visited).toBeLessThan(20 * recs.length);
});
