/**
 * Checked fine (round 24 final review of 6ae331d / b9a124a's clock rule):
 * - a capture of two merged clocks alternating record by record (A at T0+k, B at T0+3600+k): the
 *   capture clock stays on the first source — it does not flap each record: a token of A's call
 *   whose exp is 30 min after its INVITE does not expire (B's records are 1 h on), A's SRs all
 *   exported; identical for workers 0/2 and batch sizes 1–7 (replayAll).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { decided, request, response, sdpOf } from '../hand-built-calls.js';
import { aiPref, keys, replayAll, rtcpAt } from '../token-expiry-review/helpers.js';

const ws = new Workspace();
beforeAll(keys);
afterAll(() => ws.cleanup());

it('two merged clocks alternating: the clock stays on the first, tokens of its calls do not expire early', async () => {
  const h = await aiPref({ exp: 1800 });
  const run = await replayAll(ws, 'alt', (at) => {
    at(0.1, request('INVITE', 1, sdpOf('a', []), [h], ''), true); // 1
    at(0.2, response('200 OK', 1, sdpOf('b', [])), false); // 2
    for (let k = 1; k <= 6; k++) {
      rtcpAt(at, 3600 + k, 2222, 4101, 5101); // B's unrelated stream 1 h on
      rtcpAt(at, k); // A's SR
    }
  });
  const a = decided(run).filter((d) => Number(d.split(' ')[0]) >= 3 && Number(d.split(' ')[0]) % 2 === 0);
  expect(a).toEqual(['4 export raw-allowed', '6 export raw-allowed', '8 export raw-allowed', '10 export raw-allowed', '12 export raw-allowed', '14 export raw-allowed']);
});
