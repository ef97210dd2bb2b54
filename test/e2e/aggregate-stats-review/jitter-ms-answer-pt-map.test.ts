/**
 * Found by a review of the aggregate statistics, fixed since in part: where the two sides give
 * one payload type number different clocks, its rate is unknown — jitterMs null for the stream
 * using it, not the offer's clock by chance (5 ms, wrong). Reading a stream's payload type by
 * the map of the side that receives it (10 ms here, as the Correct below says) is left: it
 * needs the two sides' maps kept apart and each stream's direction (README, known limits).
 *
 * Input: a hand-built call (harness.ts). A (10.0.0.1:4000, SSRC 1111) offers
 *   m=audio 4000 RTP/AVP 96 97 / a=rtpmap:96 AMR-WB/16000 / a=rtpmap:97 AMR/8000;
 * B (10.0.0.2:5000, SSRC 2222) answers with AMR alone, under its own number:
 *   m=audio 5000 RTP/AVP 96 / a=rtpmap:96 AMR/8000.
 * RTP A→B has PT 96, RTP B→A PT 97 (each side sends with the numbers the *receiver* declared);
 * then B's RR about 1111 and A's RR about 2222, both with jitter 80. AI-Pref apt-agg
 * (aggregated-only) for the dialog, 10 s windows, workers 0 and 2.
 *
 * Was: B's window (SSRC 2222, whose RR reports on A's AMR stream) says
 *   "jitterMs":{"min":5,"mean":5,"max":5,"p95":5,"count":1}
 * — A's PT 96 read by the offer's rtpmap (AMR-WB/16000), 80 / 16000 s = 5 ms.
 *
 * Correct: 10 ms (80 / 8000 s). RFC 3264 §5.1: the payload type numbers of an SDP are those its
 * author expects to *receive*; §6.1: the answerer's numbers are what the offerer sends with
 * (they need not equal the offer's). A's PT 96 is the answer's 96, AMR/8000 (RFC 4867 §8.1:
 * AMR's RTP clock 8000, AMR-WB 16000). RFC 3550 §6.4.1: jitter is in the reported source's
 * RTP timestamp units. The reverse direction (B's PT 97 → offer's AMR/8000) already gives 10.
 *
 * Fix: src/signaling/negotiated-scope.ts (the per-section loop) merges both sides' rtpmap into
 * one `clockRates` list, first side (the offer) winning for a PT both map. Keep the two maps
 * apart (offer's and answer's), and in src/pipeline/media-core.ts streamClockRate/payloadTypeSeen
 * read a stream's PT by the map of the side that *receives* it — the answer's for streams the
 * offerer sends (known by the transport the RTP comes from or the a=ssrc of the offer), the
 * offer's for the answerer's — falling back to the merged list only when the direction is unknown.
 * sharedClockRate/mediaClockRate likewise per direction.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { rr } from '../aggregate-audit/wire.js';
import { A, B, call, rtpBytes, run, sdp } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it("jitterMs of A's stream is not read by the offer's rtpmap where the answer maps its payload type otherwise (RFC 3264 §5.1, §6.1)", async () => {
  const offer = sdp(A, [['m=audio 4000 RTP/AVP 96 97', 'a=rtpmap:96 AMR-WB/16000', 'a=rtpmap:97 AMR/8000', 'a=ssrc:1111 cname:a', 'a=sendrecv']]);
  const answer = sdp(B, [['m=audio 5000 RTP/AVP 96', 'a=rtpmap:96 AMR/8000', 'a=ssrc:2222 cname:b', 'a=sendrecv']]);
  const r = await run(ws, [
    ...call(0, offer, answer),
    { t: 1, src: A, dst: B, sport: 4000, dport: 5000, payload: rtpBytes(96, 1, 0, 1111) },
    { t: 1.02, src: B, dst: A, sport: 5000, dport: 4000, payload: rtpBytes(97, 1, 0, 2222) },
    { t: 2, src: B, dst: A, sport: 5001, dport: 4001, payload: rr(2222, [{ ssrc: 1111, fraction: 0, cumulative24: 0, jitter: 80 }]) },
    { t: 2.1, src: A, dst: B, sport: 4001, dport: 5001, payload: rr(1111, [{ ssrc: 2222, fraction: 0, cumulative24: 0, jitter: 80 }]) },
  ]);
  expect(r.decisions.map((d) => `${d.frame} ${d.ssrc} ${d.decision}`)).toEqual(['6 2222 aggregate', '7 1111 aggregate']);
  const jitterMs = Object.fromEntries(r.aggs.map((a) => [a.stream.ssrc, a.stats.jitterMs]));
  // the reverse direction, already right: B's PT 97 by the offer's AMR/8000
  expect(jitterMs[1111]).toEqual({ min: 10, mean: 10, max: 10, p95: 10, count: 1 });
  // A's PT 96: the offer says AMR-WB/16000, the answer AMR/8000 — unknown, not the offer's 5 ms
  expect(jitterMs[2222]).toBeNull();
});
