/**
 * Found by a review of live metrics and counters, fixed since: aipref_source_records_total holds only kind="received"; record kinds, notes, malformed records, unknown HEP chunks and dropped RTCP-JSON items are families of their own (src/export/metrics.ts EnforcerMetrics).
 */
/**
 * Input: `live --udp 127.0.0.1:0 --metrics 127.0.0.1:0 --out <tmp>` (plain mirror); one 5-byte
 * datagram (00 01 02 03 ff, neither RTP, RTCP nor SIP) and one 28-byte RTCP SR; /metrics scraped.
 *
 * Was: one metric family counts each record under several `kind` values at once:
 *   aipref_source_records_total{source="udp",kind="received"} 2
 *   aipref_source_records_total{source="udp",kind="malformed"} 1
 *   aipref_source_records_total{source="udp",kind="datagram"} 2
 *   aipref_source_records_total{source="udp",kind="not-rtp-rtcp-sip"} 1
 * so `sum by (source) (aipref_source_records_total)` says 6 records for 2 (the junk datagram counts
 * 4 times: received, datagram, malformed, not-rtp-rtcp-sip). HEP's kinds overlap alike (received,
 * hep:rtcp, rtcp-json, and `rtcp-json-dropped-items`, which counts SDES items, not records).
 *
 * Correct: Prometheus "Metric and label naming" (prometheus.io/docs/practices/naming): "either the
 * sum() or the avg() over all dimensions of a given metric should be meaningful … If it is not
 * meaningful, split the data up into multiple metrics" — and one metric counts one unit. The records
 * of a source, summed over `kind`, must be the records it received: 2 here.
 *
 * Fix: src/export/metrics.ts sourceRecords: keep `aipref_source_records_total{source}` (received) and
 * move the overlapping breakdowns into metrics of their own (e.g. aipref_source_malformed_total{source},
 * aipref_source_records_by_kind_total{source,kind} with kinds that partition the records, and the
 * dropped RTCP-JSON items as aipref_source_rtcp_json_dropped_items_total{source}), README listing them.
 */
import { createSocket } from 'node:dgram';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { ensureBuilt, LiveChild } from '../live-helpers.js';
import { metric, samples, scrape, tempWithRawPolicy } from '../review/review-helpers.js';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('aipref_source_records_total summed over kind is the records the source received', async () => {
  await ensureBuilt();
  const made = await tempWithRawPolicy('mr-kinds-');
  dir = made.dir;
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'o'), '--workers', '0', '--policy', made.policy, '--batch-ms', '5']);
  try {
    const junk = createSocket('udp4');
    await new Promise<void>((resolve, reject) => junk.send(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff]), addresses.udp!.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    junk.close();
    await sendSrs(addresses.udp!.port, 1);
    let text = '';
    for (const end = Date.now() + 15_000; Date.now() < end; ) {
      text = (await scrape(addresses.metrics!.port)).text;
      if (metric(text, 'aipref_source_records_total{source="udp",kind="received"}') >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const received = metric(text, 'aipref_source_records_total{source="udp",kind="received"}');
    expect(received).toBe(2);
    const sum = samples(text, 'aipref_source_records_total')
      .filter((l) => l.includes('source="udp"'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(sum).toBe(received);
  } finally {
    await live.terminate();
  }
}, 30_000);
