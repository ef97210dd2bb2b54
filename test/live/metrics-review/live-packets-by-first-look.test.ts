/**
 * Found by a review of live metrics and counters, fixed since: aipref_packets_total{proto} is counted from the pipeline's own counts after each batch (rtp, rtcp, sip, malformed, other), so it ends equal to the stop summary (src/pipeline/replay-engine.ts onCounted, src/cli/live.ts countPackets).
 */
/**
 * Input: `live --udp 127.0.0.1:0 --metrics 127.0.0.1:0 --out <tmp> --workers 0` (plain mirror, a
 * raw-export default policy); two datagrams: a 28-byte RTCP SR (SSRC 0x11223344), then the same SR
 * followed by 8 bytes that start a second RTCP header (81 c9 00 20 …) whose length word (33 words)
 * runs past the datagram; /metrics scraped once both are received; then SIGTERM.
 *
 * Was: /metrics says `aipref_packets_total{proto="rtcp"} 2`, while the `stop` line's summary (and
 * the decisions: one export) says `"packets":2,"rtp":0,"rtcp":1,"sip":0,"malformed":0`: the metric
 * is taken at the listener by a first look (live.ts payloadKind → classifyRtpRtcp, which checks the
 * first packet's length only), the summary by the pipeline, which reads a datagram off every
 * negotiated transport as RTCP only if its packets chain to its end (media-core rtcp()) and counts
 * the second one as neither RTCP nor malformed. The two counters of the same run disagree for good.
 *
 * Correct: README "Metrics, health, logs, signals": `aipref_packets_total{proto}` counts packets by
 * protocol, and the `stop` line carries the run's summary (SPEC §8 `{packets, rtp, rtcp, sip, …}`);
 * the same packets must be counted the same in both: `aipref_packets_total{proto="rtcp"}` equals the
 * summary's `rtcp` (1 here), the datagram the pipeline did not take as RTCP counted as what the
 * pipeline took it for (e.g. proto="other").
 *
 * Fix: src/cli/live.ts accept(): count aipref_packets_total{proto} from what the engine decided (the
 * per-batch rtp/rtcp/sip/other counts the feed and the cores keep, handed to the sink with each
 * batch's outputs) instead of payloadKind's first look at arrival; keep the queue-overflow drop where
 * it is.
 */
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ensureBuilt, LiveChild } from '../live-helpers.js';
import { metric, scrape, tempWithRawPolicy } from '../review/review-helpers.js';
import { rm } from 'node:fs/promises';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sr = (): Buffer => {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(0x11223344, 4);
  b.writeUInt32BE(0x83aa7e80, 8);
  return b;
};

it('aipref_packets_total{proto="rtcp"} and the stop summary count the same RTCP packets', async () => {
  await ensureBuilt();
  const made = await tempWithRawPolicy('mr-first-');
  dir = made.dir;
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'o'), '--workers', '0', '--policy', made.policy, '--batch-ms', '5']);
  try {
    const s = createSocket('udp4');
    for (const d of [sr(), Buffer.concat([sr(), Buffer.from([0x81, 201, 0x00, 0x20, 1, 2, 3, 4])])]) {
      await new Promise<void>((resolve, reject) => s.send(d, addresses.udp!.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
    s.close();
    let text = '';
    // (up to 15 s, for a loaded CI; until the pipeline has read both, so that its counts are made)
    for (const end = Date.now() + 15_000; Date.now() < end; ) {
      text = (await scrape(addresses.metrics!.port)).text;
      if (metric(text, 'aipref_source_records_total{source="udp",kind="received"}') >= 2 && metric(text, 'aipref_queue_depth{queue="packets"}') === 0 && metric(text, 'aipref_packets_read_total') >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    text = (await scrape(addresses.metrics!.port)).text;
    expect(await live.terminate()).toBe(0);
    const stop = live.logs.find((l) => l.event === 'stop') as unknown as { summary: { packets: number; rtcp: number; malformed: number } };
    expect(stop.summary.packets).toBe(2);
    expect(metric(text, 'aipref_packets_total{proto="rtcp"}')).toBe(stop.summary.rtcp);
  } finally {
    if (live.child.exitCode === null) await live.terminate();
  }
}, 30_000);
