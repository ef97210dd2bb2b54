/**
 * Found by a review of the token-expiry feature, fixed since: a token an offer brings counts from the answer that accepts it, never before nor after a refusal (src/pipeline/signaling-front.ts offeredTokens, tokenInForce, settle).
 */
/**
 * A fresh token of the same statement brought by a re-INVITE the peer refuses (488 + Warning 399
 * aipref) or has not answered yet: SPEC §5 — relaxations only once the answer confirms them; a
 * refused offer's changes are discarded. Lifting (or pre-empting) an expiry is a relaxation: the
 * expired statement is an integrity failure, most restrictive (SPEC §3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, REFUSED, request, response, sdpOf, T0 } from '../hand-built-calls.js';
import { aiPref, integrity, keys, replayAll, rtcpAt } from './helpers.js';

const ws = new Workspace();
beforeAll(keys);
afterAll(() => ws.cleanup());

describe('a fresh token in a refused re-INVITE', () => {
  // Input: apt-x token exp T0+10, expires at frame 3 (ts 11); re-INVITE at 12 with a fresh token
  //   (same statement, exp T0+100), refused 488 + Warning 399 at 12.1; SRs at 12.05 (frame 5) and 13 (frame 7).
  // Was: frames 5 and 7 `export raw-allowed` — the refused offer's token lifted the expiry at the offer, and
  //   the refusal did not restore it (workers 0 and 2 alike).
  // Correct: both `drop export-none` — relaxations only once the answer confirms them; a refused offer's
  //   changes are discarded (SPEC §5); the expired statement stays most restrictive (SPEC §3).
  // Fix: src/pipeline/signaling-front.ts verify() (renew at once only when offer === null, or undo it in
  //   settle() on refusal), and TokenExpiries.add must not extend the part's expiry for a token whose offer is refused.
  it('after expiry: the refusal leaves the statement expired', async () => {
    const first = await aiPref({ exp: 10 });
    const fresh = await aiPref({ exp: 100 });
    const run = await replayAll(ws, 'refused-after', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [first], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 11); // frame 3: expired
      at(12, request('INVITE', 2, sdpOf('a', []), [fresh]), true);
      rtcpAt(at, 12.05); // frame 5: the offer not answered yet
      at(12.1, response('488 Not Acceptable Here', 2, null, REFUSED), false);
      rtcpAt(at, 13); // frame 7: refused
    });
    expect(decided(run)).toEqual(['3 drop export-none', '5 drop export-none', '7 drop export-none']);
  });

  // Input: apt-x token exp T0+10; re-INVITE at 8 with a fresh token (same statement, exp T0+100), not
  //   answered until 12 where it is refused (488 + Warning 399); SRs at 10 (frame 4) and 13 (frame 6).
  // Was: both `export raw-allowed` and no integrity-failure report at all: the offered token replaced the
  //   part's expiry (TokenExpiries.add) so the exp at 10 never fell due, and the refusal did not bring it back.
  // Correct: frame 4 `drop export-none` (the offer not confirmed: no relaxation yet, SPEC §5), frame 6
  //   `drop export-none` (refused: discarded), with `integrity-failure` (expired) reported at frame 4, ts T0+10 (SPEC §3).
  // Fix: src/policy/token-expiries.ts add() / src/pipeline/signaling-front.ts verify(): an offer's token
  //   extends the part's expiry only when settle() accepts the offer.
  it('before expiry, answered after it: the refused token does not keep the statement alive', async () => {
    const first = await aiPref({ exp: 10 });
    const fresh = await aiPref({ exp: 100 });
    const run = await replayAll(ws, 'refused-before', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [first], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      at(8, request('INVITE', 2, sdpOf('a', []), [fresh]), true);
      rtcpAt(at, 10); // frame 4: the first token's exp
      at(12, response('488 Not Acceptable Here', 2, null, REFUSED), false);
      rtcpAt(at, 13); // frame 6
    });
    expect(decided(run)).toEqual(['4 drop export-none', '6 drop export-none']);
    expect(integrity(run).filter((r) => r.ssrc === undefined).map((r) => [r.frame, r.ts, r.detail])).toEqual([[4, T0 + 10, 'expired: token has expired: counted as most restrictive']]);
  });
});
