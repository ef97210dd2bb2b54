/**
 * Found by a review of token expiry, fixed since: a signed token's exp is judged by the capture
 * clock (CaptureClock: a lone record stamped past CLOCK_JUMP_SEC does not move it), not by each
 * record's own time (replay-engine.ts the feed's media/sip callbacks; signaling-front.ts
 * SignalingFront.message).
 * Input: a call whose signed token's exp lies 10 s ahead; one RTP, RTCP or SIP OPTIONS record
 * stamped hours past exp in the middle, then the call's RTCP before exp.
 * Was: that RTCP dropped with an `expired` integrity failure at the outlier's frame.
 * Correct: exported as before the outlier; the token expires at the first record whose clock
 * reaches exp (the second of two records past exp, which confirm the jump).
 * Each replayed with workers 0 and 2 and maxBatchRecords 1..7 (replayAll), the first ones with 1
 * worker too: identical lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { replayLines, Workspace } from '../e2e-helpers.js';
import { type At, CALL, decided, message, request, response, sdpOf } from '../hand-built-calls.js';
import { aiPref, integrity, keys, policy, replayAll, rtcpAt, T0 } from '../token-expiry-review/helpers.js';

const ws = new Workspace();
beforeAll(keys);
afterAll(() => ws.cleanup());
const dialog = { callId: CALL, fromTag: 'aaa', toTag: 'bbb' };
const HOURS = 3 * 3600;

/** A's RTP (SSRC 1111) to B's audio port */
const rtpAt = (at: At, ts: number, seq: number) => at(ts, encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 1111, payload: new Uint8Array(20) }), true, 4000, 5000);
/** an out-of-dialog OPTIONS of another call */
const optionsAt = (at: At, ts: number) => at(ts, message('probe@10.0.0.1', 'OPTIONS sip:b@10.0.0.2 SIP/2.0', 'OPTIONS', 1, null, [], ''), true);

const outliers: [string, (at: At, ts: number) => void][] = [
  ['RTP', (at, ts) => rtpAt(at, ts, 1)],
  ['RTCP', (at, ts) => rtcpAt(at, ts, 3333)],
  ['SIP OPTIONS', optionsAt],
];

/** the call's RTCP decisions only (frames of A's SR, SSRC 1111) */
const rtcpDecisions = (run: Awaited<ReturnType<typeof replayAll>>, frames: number[]) => decided(run).filter((d) => frames.includes(Number(d.split(' ')[0])));
const expiredAt = (run: Awaited<ReturnType<typeof replayAll>>) => integrity(run).filter((r) => r.ssrc === undefined).map((r) => [r.frame, r.ts, r.detail]);

describe('token expiry by the capture clock', () => {
  for (const [name, outlier] of outliers) {
    it(`one ${name} record stamped hours past exp: the call's RTCP before exp still exported; expiry at the first record at exp`, async () => {
      const h = await aiPref({ exp: 10 });
      const run = await replayAll(ws, `one-${name.replace(' ', '-')}`, (at) => {
        at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
        at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
        rtcpAt(at, 5); // 3
        outlier(at, HOURS); // 4
        rtcpAt(at, 6); // 5
        rtcpAt(at, 9.5); // 6
        rtcpAt(at, 10); // 7
        rtcpAt(at, 11); // 8
      });
      expect(rtcpDecisions(run, [3, 5, 6, 7, 8])).toEqual(['3 export raw-allowed', '5 export raw-allowed', '6 export raw-allowed', '7 drop export-none', '8 drop export-none']);
      expect(expiredAt(run)).toEqual([[7, T0 + 10, 'expired: token has expired: counted as most restrictive']]);
      expect(integrity(run).find((r) => r.ssrc === 1111)).toMatchObject({ frame: 7, dialog });
      const one = await replayLines({ capture: await ws.file(`one-${name.replace(' ', '-')}.pcap`), policy: policy(), workers: 1, explain: true });
      expect([one.decisions, one.reports, one.exports]).toEqual([run.decisions, run.reports, run.exports]);
    });
  }

  for (const [name, outlier] of outliers) {
    it(`two ${name} records past exp confirm the jump: the token expires at the second`, async () => {
      const h = await aiPref({ exp: 10 });
      const run = await replayAll(ws, `two-${name.replace(' ', '-')}`, (at) => {
        at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
        at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
        rtcpAt(at, 5); // 3
        outlier(at, HOURS); // 4
        name === 'RTP' ? rtpAt(at, HOURS + 0.02, 2) : outlier(at, HOURS + 1); // 5
        rtcpAt(at, HOURS + 2); // 6
      });
      expect(rtcpDecisions(run, [3, 6])).toEqual(['3 export raw-allowed', '6 drop export-none']);
      expect(expiredAt(run).map((r) => r[0])).toEqual([5]);
    });
  }

  it('in order: expiry at the first packet at or past exp, unchanged', async () => {
    const h = await aiPref({ exp: 10 });
    const run = await replayAll(ws, 'in-order', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 5); // 3
      rtpAt(at, 9.99, 1); // 4
      optionsAt(at, 10.2); // 5
      rtcpAt(at, 10.5); // 6
    });
    expect(rtcpDecisions(run, [3, 6])).toEqual(['3 export raw-allowed', '6 drop export-none']);
    expect(expiredAt(run)).toEqual([[5, T0 + 10.2, 'expired: token has expired: counted as most restrictive']]);
  });
});
