/**
 * Found by a review of this session's counter changes, fixed since: no `other` series, which a difference of counts made (a packet held on probation counted twice): every packet read is aipref_packets_read_total, as the summary's packets (src/cli/live.ts countPackets, src/export/metrics.ts).
 */
/**
 * Input: `live --udp 127.0.0.1:0 --metrics 127.0.0.1:0 --workers 0 --batch-ms 5` (plain mirror,
 * raw-export default policy), no signaling; two RTP datagrams of one SSRC with consecutive
 * sequence numbers, sent 400 ms apart so that they are read in two different batches; /metrics
 * scraped once both are read; then SIGTERM.
 *
 * Was: the first datagram is held on probation by the core (media-core unroutedSourceValid: "not
 * counted" until the second counts it). After its batch, live.ts countPackets sees packets 1,
 * rtp 0 and counts it under aipref_packets_total{proto="other"}; after the second batch the core
 * counts both as RTP (rtp 2) and `other` cannot go back (clamped by Math.max). /metrics ends with
 * rtp 2 + other 1 = 3 packets, while the stop summary says packets 2, rtp 2: one datagram is
 * counted twice, under two protos, for good.
 *
 * Correct: README "Metrics, health, logs, signals": aipref_packets_total{proto} is "counted as
 * the `stop` line's summary counts them, so the two agree" (SPEC §8 summary {packets, rtp, rtcp,
 * sip, …}); `other` is "read, and neither RTP, RTCP nor SIP" — here 0, and Σ over rtp/rtcp/sip/other
 * equals the summary's packets (2).
 *
 * Fix: src/pipeline/media-core.ts / shard-worker.ts: hand back with each batch's MediaCounted the
 * number of RTP packets held on probation (this.probation.size), and in src/cli/live.ts countPackets
 * compute other = packets − rtp − rtcp − sip − held, so a held packet becomes RTP or (once let go)
 * other, never both.
 */
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import { ensureBuilt, LiveChild } from '../live-helpers.js';
import { metric, scrape, sleep, tempWithRawPolicy } from '../review/review-helpers.js';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const rtp = (seq: number): Buffer => {
  const b = Buffer.alloc(12 + 20);
  b[0] = 0x80;
  b[1] = 0; // PCMU
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(0x0badcafe, 8);
  return b;
};

it('a probation-held RTP packet is counted once in aipref_packets_total', async () => {
  await ensureBuilt();
  const made = await tempWithRawPolicy('ccr-prob-');
  dir = made.dir;
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', path.join(dir, 'o'), '--workers', '0', '--policy', made.policy, '--batch-ms', '5']);
  try {
    const s = createSocket('udp4');
    const send = (d: Buffer) => new Promise<void>((resolve, reject) => s.send(d, addresses.udp!.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    await send(rtp(100));
    await sleep(400);
    await send(rtp(101));
    s.close();
    let text = '';
    for (const end = Date.now() + 15_000; Date.now() < end; ) {
      text = (await scrape(addresses.metrics!.port)).text;
      if (metric(text, 'aipref_packets_total{proto="rtp"}') >= 2) break;
      await sleep(100);
    }
    expect(await live.terminate()).toBe(0);
    const stop = live.logs.find((l) => l.event === 'stop') as unknown as { summary: { packets: number; rtp: number; rtcp: number; sip: number } };
    expect(stop.summary).toMatchObject({ packets: 2, rtp: 2 });
    const byProto = Object.fromEntries(['rtp', 'rtcp', 'sip', 'other'].map((p) => [p, metric(text, `aipref_packets_total{proto="${p}"}`)]));
    // no `other` series any more: every packet read is aipref_packets_read_total, as the summary's packets
    expect({ ...byProto, read: metric(text, 'aipref_packets_read_total') }).toEqual({ rtp: 2, rtcp: 0, sip: 0, other: 0, read: 2 });
  } finally {
    if (live.child.exitCode === null) await live.terminate();
  }
}, 30_000);
