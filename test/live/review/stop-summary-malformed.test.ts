/**
 * Found by a review of live operations, fixed since: the stop summary counts the malformed
 * datagrams the service reported itself.
 *
 * Input: `live --udp 127.0.0.1:0` (plain mirror) with `--metrics`; one 5-byte junk datagram
 * (00 01 02 03 ff, neither RTP, RTCP nor SIP) and 3 RTCP SRs; then SIGTERM.
 *
 * Was: reports.000001.ndjson holds `{"type":"malformed-input","frame":0,…,"detail":"udp 127.0.0.1:…:
 * datagram of 5 bytes is neither RTP, RTCP nor SIP"}` and /metrics says
 * `aipref_reports_total{type="malformed-input"} 1`, `aipref_packets_total{proto="malformed"} 1`, but the
 * stop log's summary is `{"packets":3,"rtp":0,"rtcp":3,"sip":0,"malformed":0,…,"reports":{"unbound-stream":1}}`:
 * no malformed-input report and malformed 0.
 *
 * Correct: the stop line carries "the run's summary" (README "Metrics, health, logs, signals"), in the
 * form of SPEC §8's summary: `malformed` counts the malformed packets, `reports: {<type>: n}` the
 * report lines written. The summary must agree with the reports file and the metrics of the same run:
 * `"malformed":1`, `"reports":{"malformed-input":1,"unbound-stream":1}`.
 *
 * Fix: src/cli/live.ts: reportMalformed/stop — the malformed datagram reports the service writes
 * itself (malformedReports) are never added to the engine's ReplayResult.summary; add them (count
 * per type and `malformed`) to the summary logged in the `stop` event (and returned by stop()).
 */
import { createSocket } from 'node:dgram';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { ensureBuilt, LiveChild, readLines } from '../live-helpers.js';
import { metric, scrape, tempWithRawPolicy, untilSettled } from './review-helpers.js';

it('the stop summary counts the malformed-input reports the service wrote', async () => {
  await ensureBuilt();
  const { dir, policy } = await tempWithRawPolicy('rl-sum-');
  try {
    const out = path.join(dir, 'o');
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', out, '--workers', '0', '--policy', policy, '--batch-ms', '5']);
    const junk = createSocket('udp4');
    await new Promise<void>((resolve, reject) => junk.send(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff]), addresses.udp!.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    junk.close();
    await sendSrs(addresses.udp!.port, 3);
    await untilSettled(addresses.metrics!.port, 'aipref_decisions_total{outcome="export"}', 3);
    const text = (await scrape(addresses.metrics!.port)).text;
    expect(metric(text, 'aipref_reports_total{type="malformed-input"}')).toBe(1);
    expect(await live.terminate()).toBe(0);
    const summary = (await live.waitFor((l) => l.event === 'stop', 1000)).summary as Record<string, unknown>;
    const reports = await readLines(out, 'reports');
    expect(reports.map((r) => r.type).sort()).toEqual(['malformed-input', 'unbound-stream']);
    expect(summary.reports).toEqual({ 'malformed-input': 1, 'unbound-stream': 1 });
    expect(summary.malformed).toBe(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 20_000);
