/**
 * Found by a review of 40d5492 (windows closed at the record that reached their end), fixed since:
 * remembered SRs are let go at the records whose clock outlived them, record by record in MediaCore.passTo (WindowStore.forget, nextForget), not at a batch's end, so which SRs a source keeps does not depend on the batch cut.
 *
 * Input: hand-built two-party call (test/e2e/hand-built-calls.ts), `a=aipref:session px` at
 *   first, px = {type user, aggregated-only, retention 1h}, py = {type user, aggregated-only,
 *   retention 9 s}, window 10 s, T = 1767225600. B (SSRC 2222) sends an SR at T+1 (NTP second
 *   N, remembered for RTT 60 s: min(retention, 60 s)); at T+1.5 a re-INVITE moves the call to
 *   py; B then sends SRs (NTP N+1 … N+8) at T+2, 12, 22, 32, 42, 52, 53, 54 (each remembered
 *   9 s); at T+55 A (SSRC 1111) sends an RR about 2222 with LSR = compact(N), DLSR 1 s.
 *   Replayed with workers 0 and 2, default batching (one batch) and maxBatchRecords 1.
 * Was (observed): A's window's `stats.rttMs` is null in one batch but {count 1, 53 000 ms} with
 *   maxBatchRecords 1 (and the reverse seen in random captures: different RTT means). The SRs
 *   remembered per source are capped at 8 (SR_MEMORY_PER_SOURCE, oldest shifted out); expired
 *   ones are let go only by WindowStore.forget, which 40d5492 left at a batch's end only
 *   (MediaCore.endBatch). In one batch the 7 expired py SRs still fill the list and the 9th push
 *   drops the T+1 SR, still within its 60 s; cut per record, they were let go first.
 * Correct: 40d5492 / README "Aggregation windows": what a window holds does not depend on where
 *   the batches are cut (SPEC §8 determinism). Either RTT may be chosen, both runs must agree.
 * Fix: src/enforce/windows.ts rememberSenderReport: before shifting out the oldest, drop the
 *   entries expired at `ts` (forgetAt ≤ ts) — the cap then counts live SRs only, whatever the
 *   purge timing; or call windows.forget(clock) per record in MediaCore.passTo.
 */
import { afterAll, expect, it } from 'vitest';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { request, response, sdpOf, writeCall } from '../hand-built-calls.js';
import { AGG, rtcpAt, setup } from '../windows-review/harness.js';
import { aggregates, replayFour } from './util.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const N = 3976214400;
const srB = (k: number): RtcpPacketInput => ({ pt: 200, ssrc: 2222, ntpSec: N + k, ntpFrac: 0, rtpTs: k, packetCount: k, octetCount: k, reports: [] });
const rrA = (): RtcpPacketInput =>
  ({ pt: 201, ssrc: 1111, reports: [{ ssrc: 2222, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: ((N & 0xffff) << 16) >>> 0, dlsr: 65536 }] }) as RtcpPacketInput;

it('RTT of a report answering an SR remembered 54 s: the same whatever the batch cut', async () => {
  const file = await ws.file('srmem.pcap');
  await writeCall(file, (at) => {
    setup(at, ['a=aipref:session px']);
    rtcpAt(at, 1, false, [srB(0)]);
    at(1.5, request('INVITE', 2, sdpOf('a', ['a=aipref:session py'])), true);
    at(1.5, response('200 OK', 2, sdpOf('b', [])), false);
    at(1.5, request('ACK', 2, null), true);
    [2, 12, 22, 32, 42, 52, 53, 54].forEach((t, i) => rtcpAt(at, t, false, [srB(i + 1)]));
    rtcpAt(at, 55, true, [rrA()]);
  });
  const runs = await replayFour(file, policyOf({ apts: { px: AGG(), py: AGG('9s') } }));
  const rtt = (k: keyof typeof runs) => aggregates(runs[k]).filter((a) => a.stream.ssrc === 1111).map((a) => (a.stats as unknown as { rttMs: unknown }).rttMs);
  expect(rtt('w0')).toHaveLength(1);
  expect(rtt('w2')).toEqual(rtt('w0'));
  expect(rtt('w0b1')).toEqual(rtt('w0'));
  expect(rtt('w2b1')).toEqual(rtt('w0'));
});
