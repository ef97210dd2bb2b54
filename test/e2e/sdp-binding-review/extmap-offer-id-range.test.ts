/**
 * Found by a review of SDP and RTP binding, fixed since: an a=extmap id of up to five digits is well formed (src/signaling/sdp.ts EXTMAP_SHAPE).
 *
 * Input: an offer m-section with `a=extmap:4096 urn:ietf:params:rtp-hdrext:sdes:mid` — an
 *   identifier from the range an offerer uses to leave the choice of the real one to the
 *   answerer (RFC 8285 §7: 4096-4351 appear in offers only; the answer maps a valid id).
 * Was: sdp.ts EXTMAP_SHAPE allows at most three digits (`\d{1,3}`): the valid line is reported
 *   as a broken SDP line (`bad-extmap`, a parse-error report in the run) and skipped.
 * Correct: RFC 8285 §8 ABNF `mapentry = "extmap:" 1*5DIGIT ["/" direction]`: the line is well
 *   formed and raises no error (its id is never on the wire, so it simply maps nothing the
 *   packets carry; the answer's id is the one read).
 * Fix: src/signaling/sdp.ts EXTMAP_SHAPE: `\d{1,5}` instead of `\d{1,3}`.
 */
import { expect, it } from 'vitest';
import { parseSdp } from '../../../src/signaling/sdp.js';

it('a=extmap with an id of the offer-only range 4096-4351 is not a broken line', () => {
  const text = ['v=0', 'o=u 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=extmap:4096 urn:ietf:params:rtp-hdrext:sdes:mid', ''].join('\r\n');
  expect(parseSdp(text).errors).toEqual([]);
});
