/**
 * Found by a review of determinism across worker counts and batch cuts, fixed since: the RTCP
 * copy check runs once, on the main thread (RtcpCopies), forgetting by time; a lost fragment set
 * is reported where it was given up.
 *
 * Input: a hand-built call (test/e2e/hand-built-calls.ts: Call-ID review-lifecycle@10.0.0.1, A
 * 10.0.0.1 audio 4000 a=ssrc:1111, B 10.0.0.2 audio 5000; `AI-Pref: apt-raw;scope=dialog`):
 * INVITE, 200, ACK; at t=1.000 A's SR (10.0.0.1:4001 → 10.0.0.2:5001, frame 4); at t=1.010 the
 * BYE (frame 5); at t=1.020 the byte-identical SR again on the same transport (frame 6: a mirror's
 * second copy, 20 ms later, within the 50 ms copy check), then the BYE's 200. Replayed with
 * workers 0 and 3.
 *
 * Was: workers 0 (and 1, 2) treat frame 6 as a copy of frame 4 (counted as RTCP, not decided):
 *   decisions = [frame 4 export raw-allowed]; summary streams 1, telemetry {export 1, aggregate 0, drop 0},
 *   reports {"implicit-binding":1}.
 * workers 3 decides frame 6 again, as an unbound stream:
 *   {"frame":6,"ts":1767225601.02,"ssrc":1111,"pt":200,"feature":"media-metrics","decision":"drop","reason":"no-preference","apt":[],"rule":"no-preference"}
 *   {"type":"unbound-stream","ts":1767225601.02,"frame":6,"dialog":null,"ssrc":1111,"detail":"no dialog binds this stream"}
 *   summary streams 2, telemetry {export 1, aggregate 0, drop 1}, reports {"implicit-binding":1,"unbound-stream":1},
 *   and an extra binding row {ssrc 1111, dialog null, via null}.
 * Frame 4 was routed by its dialog (shard hash(Call-ID) % 3 = 2), frame 6, after the BYE removed
 * the route, by its transport pair (unroutedPairV4 % 3 = 1): MediaCore.copyOfRecent keeps
 * `recentRtcp` per core, so the copy is seen only when both copies land in one shard.
 *
 * Second case, the same cause at the other end of the call: A's SR at t=0.05 (before any SIP: no
 * route, shard by transport pair), the INVITE at t=0.06, the byte-identical SR at t=0.07 (now
 * routed by the INVITE's SDP, shard by Call-ID). workers 0: frame 3 a copy, one decision (frame 1,
 * drop no-preference); workers 3 decides frame 3 again under the
 * dialog and exports it raw — an extra telemetry export and decision line:
 *   {"frame":3,"ts":1767225600.07,"ssrc":1111,"pt":200,"feature":"media-metrics","decision":"export","reason":"raw-allowed","apt":["apt-raw"],"rule":"single-statement"}
 *
 * Correct: SPEC §8 "Results are identical whatever --workers is": workers 3 must give workers 0's
 * lines (frame 6 a copy on the same transport within RTCP_COPY_SEC, not judged again).
 *
 * Fix: src/pipeline/replay-engine.ts (PacketFeed visitor `media`) / media-core.ts copyOfRecent:
 * the copy check must not depend on the shard. Do it on the main thread, in capture order, before
 * shardOf (keyed by transport, length, digest, as now), and pass the verdict to the shard (e.g. a
 * Proto flag "RTCP copy: count, do not decide") — or route a compound seen within 50 ms on the
 * same transport to the shard its first copy went to.
 */
import { afterAll, expect, it } from 'vitest';
import { request, response, sdpOf, srOfA, THREE, writeCall } from '../../e2e/hand-built-calls.js';
import { replayLines, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('an RTCP copy on either side of the BYE: workers 3 byte-identical to workers 0', async () => {
  const file = await ws.file('copy-across-bye.pcap');
  await writeCall(file, (at) => {
    at(0, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true);
    at(0.01, response('200 OK', 1, sdpOf('b', [])), false);
    at(0.02, request('ACK', 1, null), true);
    at(1.0, srOfA(), true, 4001, 5001);
    at(1.01, request('BYE', 2, null), true);
    at(1.02, srOfA(), true, 4001, 5001);
    at(1.03, response('200 OK', 2, null, [], 'BYE'), false);
  });
  const one = await replayLines({ capture: file, policy: THREE, workers: 0 });
  expect(one.result.summary.telemetry).toEqual({ export: 1, aggregate: 0, drop: 0 });
  expect(one.result.summary.streams).toBe(1);
  const three = await replayLines({ capture: file, policy: THREE, workers: 3 });
  expect(three.decisions).toEqual(one.decisions);
  expect(three.reports).toEqual(one.reports);
  expect(three.exports).toEqual(one.exports);
  expect(JSON.stringify(three.result.summary)).toBe(JSON.stringify(one.result.summary));
  expect(JSON.stringify(three.result.bindings)).toBe(JSON.stringify(one.result.bindings));
});

it('an RTCP copy on either side of the INVITE: workers 3 byte-identical to workers 0', async () => {
  const file = await ws.file('copy-across-invite.pcap');
  await writeCall(file, (at) => {
    at(0.05, srOfA(), true, 4001, 5001);
    at(0.06, request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], ''), true);
    at(0.07, srOfA(), true, 4001, 5001);
    at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
    at(0.2, request('ACK', 1, null), true);
  });
  const one = await replayLines({ capture: file, policy: THREE, workers: 0 });
  expect(one.decisions.map((l) => JSON.parse(l).frame)).toEqual([1]);
  const three = await replayLines({ capture: file, policy: THREE, workers: 3 });
  expect(three.decisions).toEqual(one.decisions);
  expect(three.reports).toEqual(one.reports);
  expect(three.exports).toEqual(one.exports);
  expect(JSON.stringify(three.result.summary)).toBe(JSON.stringify(one.result.summary));
});
