/**
 * Two bench runs at once on the same cached capture (the capture cache itself is made for that:
 * bench/capture-cache.ts writes `<capture>.<pid>.tmp` and renames it) both find no split yet and
 * both split it.
 *
 * Input: splitByTraffic(capture) twice at the same time on one freshly generated capture
 *   (smallCapture(5, 3)), as two `npm run bench` processes starting together would.
 * Was: both write the same `<part>.pcap.tmp` names (open 'w' truncates the other's file); the
 *   first renames them away and the second's rename fails with ENOENT, so the second bench run
 *   dies (and across processes a truncation can land while the first still writes, leaving a
 *   zero-filled hole in a part of the right size, which the size-only cache then keeps).
 * Correct: each split writes its own temporaries and both calls resolve to complete parts, as
 *   the capture cache does for the capture (bench/capture-cache.ts: `${file}.${process.pid}.tmp`).
 * Fix: bench/traffic-split.ts: name the temporaries per writer (pid + a counter or random suffix),
 *   and write split.json the same way (temp + rename).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import { partPath, splitByTraffic, TRAFFIC_PARTS, type TrafficPart } from '../../../bench/traffic-split.js';
import { parsePcap } from '../../fuzz/mutate.js';
import { smallCapture, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('two splits of one capture at once both succeed and leave whole parts', async () => {
  const g = await ws.generate(smallCapture(5, 3));
  const capture = { path: g.path, packets: g.truth.packets };
  const results = await Promise.allSettled([splitByTraffic(capture), splitByTraffic(capture)]);
  expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'ok'))).toEqual(['ok', 'ok']);
  for (const part of Object.keys(TRAFFIC_PARTS) as TrafficPart[]) {
    const want = (TRAFFIC_PARTS[part] as readonly string[]).reduce((n, k) => n + capture.packets[k as 'sip' | 'rtp' | 'rtcp'], 0);
    expect(parsePcap(await readFile(partPath(capture.path, part))).records.length, part).toBe(want);
  }
});
