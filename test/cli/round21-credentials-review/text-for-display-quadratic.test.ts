/**
 * Found by a review of the credentials fixes (round 21), fixed since: textForDisplay is one pass over whitespace-separated words, a `scheme:/` found by ':/' and read backwards (src/sources/url-for-display.ts textForDisplay).
 * Input: textForDisplay on a long text holding one '@': `'a'.repeat(100_000) + '@'`, and
 *   `'@ ' + 'http://'.repeat(15_000)` (105 k chars).
 * Was (observed, dist build, this machine): 4.7 s and 5.9 s — quadratic: /([a-z][a-z0-9+.-]*:\/+)\S*@/gi
 *   is tried at every position; from each, `[a-z0-9+.-]*` or `\S*` runs to the end of the run and
 *   backtracks all the way (20 k chars: ~0.2 s; 100 k: ~5 s). urlForDisplay on the same: < 1 ms.
 * Correct: a failure reason is made on the live service's one thread (http-transport describe,
 *   websocket-transport deliverNow), on each retry; its text comes from the peer in part (a TLS
 *   error lists the server certificate's altnames, an error may quote a header), so its cost must
 *   be linear in its length — "not for the hot path" does not make seconds per call harmless.
 * Fix: src/sources/url-for-display.ts textForDisplay: walk the whitespace-separated tokens once
 *   (`text.replace(/\S+/g, (t) => t.includes('@') ? …urlForDisplay on each scheme:/ part… : t)`),
 *   or anchor the scheme at a token start with a lookbehind and cap the cut, so no position is
 *   rescanned.
 */
import { expect, it } from 'vitest';
import { textForDisplay } from '../../../src/sources/url-for-display.js';

it.each([
  ['a run of letters then @', 'a'.repeat(100_000) + '@'],
  ['@ then many scheme starts', '@ ' + 'http://'.repeat(15_000)],
])('%s: 100 k chars in well under a second', (_name, text) => {
  const t0 = performance.now();
  textForDisplay(text);
  expect(performance.now() - t0).toBeLessThan(500);
});
