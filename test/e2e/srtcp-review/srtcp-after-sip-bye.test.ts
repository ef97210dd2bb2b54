/**
 * Found by a review of SRTCP against werift, fixed since: when a dialog ends, every core keeps
 * its senders' SRTCP keys by their transport addresses for 30 s of capture time
 * (src/pipeline/ended-srtcp-keys.ts, MediaCore.keepEndedKeys); a compound off every transport
 * that does not chain as RTCP is decrypted with them and read as its plain copy is.
 *
 * Input: the sample call (samples/call-small.pcap) with SDES-SRTP — RTP/SAVP(F), each side's
 * `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<its key>` in its SDP, every RTCP compound protected by
 * werift's SrtcpSession under the sender's key — and one compound in flight at hang-up: frame 438
 * (10.2.0.3:48914 → 10.1.0.3:11886, SSRC 2984632639, SR+SDES+XR+BYE: the RTCP BYE of call 3's
 * callee) moved to just after the SIP BYE's 200 OK (frame 440), where endpoints often send it. The
 * oracle is the same edit of the plain RTP/AVP sample (same compound, same place).
 *
 * Was (workers 0 and 2): the plain replay counts it (summary.rtcp 54), decides its 5 items (drop,
 * no-preference: the dialog ended) and reports `unbound-stream` for SSRCs 2984632639 and
 * 3102667785 (streams 14, telemetry drop 195). The SRTCP replay says nothing at all of it: summary
 * `"rtcp":53`, `"streams":12`, `"drop":190`, no decision at frame 440, no report — the datagram is
 * in no counter (rtp 354 + rtcp 53 + sip 32 = 439 of 440 packets). Same with AEAD_AES_128_GCM.
 *
 * Correct: SPEC §4/§8 — every RTCP packet is telemetry with a decision (decisions.ndjson has drops
 * too), telemetry with no dialog is reported `unbound-stream` (SPEC §6); the compound's key is in
 * the capture's signaling (RFC 4568), and an SRTCP compound is to be read as its plaintext is. The
 * BYE ended the dialog's bindings, not the sender's key: RFC 3711 §3.2 keeps the crypto context
 * with the sender, and RTCP BYE packets are routinely sent around the SIP BYE. Plain and SRTCP
 * replays should agree exactly (exports, decisions, reports, summary).
 *
 * Fix: src/pipeline/media-core.ts. rtcp() returns before counting when `entry === undefined` and
 * the compound does not chain as RTCP — right for a DNS stray, not for the transport of a dialog
 * that just ended. Keep, when a dialog ends (BYE / its scope dropped), its transports' SRTCP keys
 * (those srtcpKeysOf() would give, formerKeys included) for a bounded grace period (e.g. 30 s of
 * capture time, by transport pair); in rtcp(), when no entry routes the datagram and it does not
 * chain, try decryptSrtcp() with the retained keys of its transport pair and read the plain
 * compound as off-transport RTCP (unbound, as the plain replay does). With workers 2, the shard a
 * post-BYE datagram is routed to (transport hash, replay-engine shardOf) must hold those keys too
 * (keep them on the main thread's routing, or route the ended dialog's transports to its shard
 * during the grace period).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { replayLines, SMALL_POLICY, Workspace, parseLines, type ReportLine } from '../e2e-helpers.js';
import { editSample, type Udp } from '../sample-edits.js';
import { isRtcp } from '../srtcp-helpers.js';
import { inlineOf, keyedCapture, Sender, type SuiteName } from './oracle.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const MOVED = 438;
const AFTER = 440;
const at = (lines: string[], frame: number) => lines.filter((l) => l.startsWith(`{"frame":${frame},`));

describe('an SRTCP compound captured after the SIP BYE ended its dialog', async () => {
  const policy = await loadPolicyFile(SMALL_POLICY);
  let held: Udp | null = null;
  const plain = await replayLines({
    capture: await editSample(ws, 'plain-moved.pcap', {
      map: (f, u) => (f === MOVED && isRtcp(u.payload) ? ((held = u), null) : undefined),
      after: (f) => (f === AFTER ? [held!] : []),
    }),
    policy,
  });

  it('the plain oracle: counted, 5 items decided, 2 unbound-stream reports', () => {
    expect(plain.result.summary.rtcp).toBe(54);
    expect(plain.result.summary.streams).toBe(14);
    expect(plain.result.summary.telemetry).toEqual({ export: 0, aggregate: 59, drop: 195 });
    expect(at(plain.decisions, AFTER)).toHaveLength(5);
    expect(parseLines<ReportLine>(plain.reports).filter((r) => r.type === 'unbound-stream').map((r) => [r.frame, r.ssrc])).toEqual([
      [AFTER, 2984632639],
      [AFTER, 3102667785],
    ]);
  });

  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] as SuiteName[]) {
    it(`${suite}: decided and reported as the plain compound is (workers 0 and 2)`, async () => {
      let moved: Udp | null = null;
      const capture = await keyedCapture(ws, `moved-${suite}.pcap`, suite, {
        line: (s) => `${suite} inline:${inlineOf(s.keys[0]!)}`,
        sender: (s) => new Sender(suite, s.keys[0]!),
        rtcp: (f, u, p) => (f === MOVED ? ((moved = { ...u, payload: p }), null) : { ...u, payload: p }),
        after: (f) => (f === AFTER ? [moved!] : []),
      });
      for (const workers of [0, 2]) {
        const run = await replayLines({ capture, policy, workers });
        // Was: "rtcp":53, "streams":12, drop 190, no decision at frame 440, no unbound-stream report
        expect(run.result.summary.rtcp).toBe(54);
        expect(at(run.decisions, AFTER)).toEqual(at(plain.decisions, AFTER));
        expect(run.reports).toEqual(plain.reports);
        expect(run.result.summary).toEqual(plain.result.summary);
        expect(run.exports).toEqual(plain.exports);
      }
    });
  }
});
