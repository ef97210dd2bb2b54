/**
 * Found by a review of mirror copies and capture clocks, fixed since: a byte-identical RTCP
 * compound on the same transport within 50 ms is a copy, counted and not decided again.
 *
 * Input: a hand-built call (A 10.0.0.1 → B 10.0.0.2, `a=aipref:session apt-raw`, apt-raw =
 * export raw, retention 1h). A's one RTCP SR (SSRC 1111) is captured twice, as a SPAN of both
 * ports of the link gives it: the same IPv4 datagram (IP ID 777, same UDP payload, same
 * addresses and ports), the second copy 4 µs later with an 802.1Q tag (VLAN 20) and TTL 63
 * instead of 64 (one router hop between the taps). tshark shows frames 4 and 5 with equal
 * ip.id, ip.src/dst, udp ports and udp.payload: one IP packet seen twice.
 *
 * Was (workers 0 and 2): summary `"telemetry":{"export":2,...}` and two telemetry exports of the
 * same SR — requestId "39228990-c2b5-85d6-a740-6d6008cb0f50" (ts 1767225601) and
 * "e379e613-61ff-8212-be32-dc4c23081bc0" (ts 1767225601.000004) — identical `item`.
 *
 * Correct: one export. SPEC §4: "Every RTCP packet in a compound … is one telemetry item" and
 * "Every export carries a unique requestId"; seed 001 §3.2 gives the request identifier "for
 * correlation" — the AI service deduplicates by it (the README's own NATS design: "the same
 * capture replayed again gives the same ids (and JetStream drops the second copy)"). A packet
 * the capture holds twice is one packet on the wire; exporting it twice under two ids makes
 * every consumer count the SR twice, and nothing downstream can tell the copies apart. Seed 000
 * §3 (Idempotency: "Repeated delivery … MUST NOT cause state divergence") and SPEC §5 ("A
 * retransmitted or repeated identical message changes nothing") state the same principle for
 * signaling, which the enforcer already honours (SIP duplicates change nothing, see
 * PASSING.test.ts); media-plane duplicates are not covered.
 *
 * Fix: src/pipeline/media-core.ts (the RTCP path, before items are decided) or the packet
 * feed: remember, per transport 5-tuple, a digest of the last few RTCP payloads with their
 * capture time (and IPv4 ID), and pass over a datagram whose payload equals one seen on the
 * same addresses/ports within a short interval (e.g. 100 ms) — link header, VLAN, TTL and
 * checksum ignored. Count it (e.g. summary `duplicates`) rather than deciding it again. Done
 * per shard by the 5-tuple, the outcome is the same whatever --workers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type ExportLine, parseLines, policyOf, replayLines, Workspace } from '../e2e-helpers.js';
import { request, response, sdpOf, T0 } from '../hand-built-calls.js';
import { srFrom } from '../two-party-rtcp.js';
import { type Frame, writeFrames } from './build.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } });
const A = '10.0.0.1';
const B = '10.0.0.2';

describe('an RTCP packet captured twice by a port mirror', () => {
  for (const workers of [0, 2]) {
    it(`is exported once (workers ${workers})`, async () => {
      const sr = encodeRtcpCompound([srFrom(1111, T0 + 1)]);
      const frames: Frame[] = [
        { ts: T0, src: A, dst: B, sport: 5060, dport: 5060, payload: request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-raw']), [], '') },
        { ts: T0 + 0.1, src: B, dst: A, sport: 5060, dport: 5060, payload: response('200 OK', 1, sdpOf('b', [])) },
        { ts: T0 + 0.2, src: A, dst: B, sport: 5060, dport: 5060, payload: request('ACK', 1, null) },
        { ts: T0 + 1, src: A, dst: B, sport: 4001, dport: 5001, payload: sr, id: 777, ttl: 64 },
        { ts: T0 + 1.000004, src: A, dst: B, sport: 4001, dport: 5001, payload: sr, id: 777, ttl: 63, vlan: 20 },
      ];
      const file = await writeFrames(ws, `raw-twice-${workers}`, frames);
      const run = await replayLines({ capture: file, policy, workers });
      const exports = parseLines<ExportLine>(run.exports);
      expect(run.result.summary.telemetry.export).toBe(1);
      expect(exports.map((e) => [e.type, e.stream.ssrc, e.ts])).toEqual([['telemetry', 1111, T0 + 1]]);
    });
  }
});
