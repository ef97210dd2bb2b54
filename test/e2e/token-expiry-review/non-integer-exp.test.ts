/**
 * Found by a review of the token-expiry feature, fixed since: a fractional exp expires at itself, not the next whole second (src/policy/token-expiries.ts add; src/policy/integrity.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, request, response, sdpOf, T0 } from '../hand-built-calls.js';
import { aiPref, integrity, keys, replayAll, rtcpAt } from './helpers.js';

const ws = new Workspace();
beforeAll(keys);
afterAll(() => ws.cleanup());

describe('a token whose exp is not a whole second', () => {
  // Input: apt-x token with exp = T0+10.5 (a NumericDate may be non-integer, RFC 7519 §2); SRs at 10.4, 10.6, 10.999, 11.
  // Was: 10.6 and 10.999 `export raw-allowed`; expiry only at 11 (TokenExpiries.add takes ceil(exp), following
  //   jose's flooring of the current time), the integrity-failure reported at ts T0+11, frame 6.
  // Correct: RFC 7519 §4.1.4 — the current time MUST be before exp: from 10.6 (frame 4) on `drop export-none`,
  //   integrity-failure (expired) at frame 4, ts T0+10.6 (SPEC §3).
  // Fix: src/policy/token-expiries.ts add() (due at exp itself, not Math.ceil(exp)); verifyAptToken in
  //   src/policy/integrity.ts should likewise judge exp against the exact capture time.
  it('expires at exp itself (RFC 7519 §4.1.4), not at the next whole second', async () => {
    const h = await aiPref({ exp: 10.5 });
    const run = await replayAll(ws, 'nonint', (at) => {
      at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true);
      at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
      rtcpAt(at, 10.4);
      rtcpAt(at, 10.6);
      rtcpAt(at, 10.999);
      rtcpAt(at, 11);
    });
    expect(decided(run)).toEqual(['3 export raw-allowed', '4 drop export-none', '5 drop export-none', '6 drop export-none']);
    expect(integrity(run).map((r) => [r.frame, r.ts])).toEqual([
      [4, T0 + 10.6],
      [4, T0 + 10.6],
    ]);
  });
});
