/**
 * Found by a review of live metrics and counters, fixed since: the summary's `malformed` counts malformed packets (the distinct frames malformed-input reports name), the per-fault count staying in reports['malformed-input'] (src/pipeline/replay-engine.ts countReports, resultOf).
 */
/**
 * Input: a one-record pcap: one SIP INVITE over UDP (10.0.0.1:5060 → 10.0.0.2:5060) with two
 * faults — an empty Via parameter (`;branch=z9hG4bK1;`) and a header line without a colon
 * (`Bad Header Line`). `replay c.pcap --out o [--json] --workers 0` and `--workers 2`.
 *
 * Was: the summary says `1 packets (0 RTP, 0 RTCP, 1 SIP, 2 malformed)` and `--json` gives
 * `{"packets":1,…,"sip":1,"malformed":2,…,"reports":{"malformed-input":2}}`: `malformed` is the
 * number of malformed-input report lines (ReplaySummary.malformed = reportCounts['malformed-input']),
 * so one packet with two faults counts as two malformed packets, more malformed packets than packets.
 *
 * Correct: SPEC §8: "Malformed packets inside a readable capture never stop a run: they are counted
 * and reported" — the summary's `malformed` (beside packets, rtp, rtcp, sip; printed inside the
 * packets' parentheses) counts malformed packets; the per-fault count is already in
 * `reports: {"malformed-input": 2}`. One broken packet: `"malformed":1`, and never more than `packets`.
 *
 * Fix: src/pipeline/replay-engine.ts resultOf(): count malformed packets, not report lines — e.g. the
 * distinct frames among the malformed-input reports (frontReport/malformedLines, the signaling front's
 * SIP/SDP errors, media-core's counters.malformed), each packet once; the `reports` map keeps the
 * per-report count. (src/cli/live.ts stop() adds its frame-0 datagrams, one each, as now.)
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli, ensureBuilt, tempDir, writePkts } from '../live-vs-replay-review/lvr-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const INVITE =
  'INVITE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1;\r\nCall-ID: mr-abc\r\nFrom: <sip:alice@example.net>;tag=1\r\n' +
  'To: <sip:bob@example.net>\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\nBad Header Line\r\n\r\n';

for (const workers of ['0', '2']) {
  it(`--workers ${workers}: one SIP packet with two faults counts as one malformed packet`, async () => {
    await ensureBuilt();
    const { dir, cleanup } = await tempDir('mr-malf-');
    cleanups.push(cleanup);
    const cap = await writePkts(path.join(dir, 'c.pcap'), [{ ts: 1767225600, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload: Buffer.from(INVITE) }]);
    const json = JSON.parse((await cli(['replay', cap, '--out', path.join(dir, 'j'), '--workers', workers, '--json'])).stdout) as { packets: number; sip: number; malformed: number; reports: Record<string, number> };
    // both faults are reported (this part holds today)
    expect(json.reports['malformed-input']).toBe(2);
    expect([json.packets, json.sip]).toEqual([1, 1]);
    // one packet, one malformed packet
    expect(json.malformed).toBe(1);
    const human = (await cli(['replay', cap, '--out', path.join(dir, 'h'), '--workers', workers])).stdout;
    expect(human).toContain('1 packets (0 RTP, 0 RTCP, 1 SIP, 1 malformed)');
  }, 30_000);
}
