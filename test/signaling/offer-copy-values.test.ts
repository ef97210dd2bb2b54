/**
 * A proxy's copy of a pending offer (same transaction, an SDP already seen) adds the AI-Pref
 * values it carries that the offer did not; values compared as written, not by where they stand
 * in the header: a copy listing the same values in another order adds nothing (it made a second
 * proposal of the same values — no output differed, scopes take each identifier once — until
 * `column` was left out of the comparison).
 */
import { describe, expect, it } from 'vitest';
import { OfferAnswerState, type MessageFacts } from '../../src/signaling/offer-answer.js';
import { parseAiPrefHeader } from '../../src/signaling/ai-pref-header.js';
import { parseSdp } from '../../src/signaling/sdp.js';

const SDP = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=mid:a', ''].join('\r\n');
const facts = (frame: number, header: string): MessageFacts => ({ party: 'caller', method: 'INVITE', cseq: 2, status: 0, frame, aiPref: parseAiPrefHeader(header).values });

describe('OfferAnswerState.offer: a copy of the pending offer', () => {
  it('with the same AI-Pref values in another order adds nothing; with one more value adds it', () => {
    const state = new OfferAnswerState();
    const sdp = parseSdp(SDP).sdp;
    expect(state.offer(facts(1, 'apt-a;scope=media, apt-b'), sdp, SDP, false)).not.toBeNull();
    expect(state.offer(facts(2, 'apt-b, apt-a;scope=media'), sdp, SDP, false)).toBeNull();
    const added = state.offer(facts(3, 'apt-b, apt-c, apt-a;scope=media'), sdp, SDP, false);
    expect(added).not.toBeNull();
    expect(added!.proposed.headerApts.map((a) => a.id)).toEqual(['apt-a', 'apt-b', 'apt-c']);
  });
});
