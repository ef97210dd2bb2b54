/**
 * Found by a review of 40d5492 (windows closed at the record that reached their end), fixed since:
 * an RTP packet whose mid moves its stream first closes the windows due before it (MediaCore.passTo in rtpStream), so they are named as the stream stood then.
 *
 * Input: a WebRTC client A calls an SFU B over one BUNDLE transport (test/e2e/sfu/sfu-call.ts:
 *   m-sections a v v2 r, `a=extmap:4 …sdes:mid`), `a=aipref:mid apt-v` in v and in v2
 *   (apt-v: domain, aggregated-only, retention 1h), window 10 s, T = 1767225600. SSRC 2001 sends
 *   RTP with mid `v` at T+1, an SR at T+2 (window [T+2, T+12) of stream 2001 in v), RTP with mid
 *   `v` at T+12.5 (the first record whose clock reached the window's end: the window closes just
 *   before it), then RTP with mid `v2` at T+13 (RFC 8843 §9.2: the stream moves to v2).
 *   Replayed with workers 0 and 2, default batching (one batch) and maxBatchRecords 1.
 * Was (observed): the aggregate of window [T+2, T+12] names `stream.mid` "v" with
 *   maxBatchRecords 1 (closed at the end of the batch of the T+12.5 record) but "v2" in one batch
 *   (passTo runs only at RTCP, signaling events and the batch's end; the T+13 RTP moved the
 *   stream before the check, and emitWindows names the stream as it is when the line is made).
 *   Same line position (just before the T+12.5 record), different contents.
 * Correct: commit 40d5492 / README "Aggregation windows": "what a window holds and where its line
 *   stands depend neither on where the capture's batches are cut nor on --workers"; SPEC §8
 *   determinism. The line stands before the T+12.5 record, when 2001 was in m-section v: mid "v"
 *   whatever the cut.
 * Fix: src/pipeline/media-core.ts: "RTP touches no window" is not so for the name a window's
 *   line takes — call passTo(frame) in rtpStream before a learned mid (or offered mid) changes the
 *   stream's binding (stream.boundScope = null / bindStream changing section), or keep the
 *   identity a window was judged under (windowStreams → identity at last fold) for lines closed on time.
 */
import { afterAll, expect, it } from 'vitest';
import { callSetup } from '../calls-on-any-address.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { clientOffer, rtcpX, rtpX, sfuAnswer, srP } from '../sfu/sfu-call.js';
import { aggregates, at, replayFour, T0, writeTimed } from './util.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('a window due before an RTP mid move is named by the mid it was in, whatever the batch cut', async () => {
  const setup = callSetup({ offer: clientOffer({ v: ['a=aipref:mid apt-v'], v2: ['a=aipref:mid apt-v'] }), answer: sfuAnswer() });
  const file = await writeTimed(ws, [
    at(0.1, setup[0]!),
    at(0.2, setup[1]!),
    at(0.3, setup[2]!),
    at(1, rtpX(2001, [{ id: 4, v: 'v' }], 1)),
    at(2, rtcpX([srP(2001)])),
    at(12.5, rtpX(2001, [{ id: 4, v: 'v' }], 2)),
    at(13, rtpX(2001, [{ id: 4, v: 'v2' }], 3)),
  ]);
  const policy = policyOf({ apts: { 'apt-v': { type: 'domain', export: 'aggregated-only', retention: '1h' } } });
  const runs = await replayFour(file, policy);
  const shape = (k: keyof typeof runs) => aggregates(runs[k]).map((a) => `${a.stream.ssrc} ${a.stream.mid} [${a.window.start - T0}, ${a.window.end - T0}] ${a.stats.items}`);
  expect(shape('w0b1')).toEqual(['2001 v [2, 12] 1']);
  expect(shape('w2b1')).toEqual(['2001 v [2, 12] 1']);
  expect(shape('w0')).toEqual(shape('w0b1'));
  expect(shape('w2')).toEqual(shape('w0b1'));
});
