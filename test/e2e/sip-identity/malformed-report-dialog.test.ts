/**
 * Found by a review of SIP dialog identity, fixed since: a message's parse errors are reported
 * under the dialog it made (DialogTracker.handle looks it up again after the message).
 *
 * Input: one UDP call A → B (INVITE with `a=aipref:session apt-raw`, 200, ACK, SR, BYE, 200, SR)
 * where the INVITE (frame 1) and the 200 (frame 2, which makes dialog cid-1@10.0.0.1/ft1/tt1)
 * each carry `AI-Pref: apt-x;version=zz` (a bad version: reported malformed-input).
 * Was:
 *   {"type":"malformed-input","frame":1,"dialog":null,"detail":"frame 1: ai-pref bad-version …"}
 *   {"type":"unresolved-apt","frame":1,"dialog":{"callId":"cid-1@10.0.0.1","fromTag":"ft1","toTag":""},…}
 *   {"type":"malformed-input","frame":2,"dialog":{"callId":"cid-1@10.0.0.1","fromTag":"ft1","toTag":""},…}
 * i.e. the INVITE's report names no dialog although the same frame's unresolved-apt names it,
 * and the 200's report names the INVITE's tag-less entry, not the dialog the 200 itself
 * creates (and which its AI-Pref value is about). SDP errors take the same path (not run here).
 * Correct: a report line names the dialog its frame belongs to (SPEC §8 report line `dialog`,
 * §6 "reports name … Call-IDs"): frame 1 → {cid-1@10.0.0.1, ft1, ""} (as unresolved-apt does),
 * frame 2 → {cid-1@10.0.0.1, ft1, tt1}.
 * Fix: src/signaling/dialogs.ts DialogTracker.handle stamps parse errors (and parseContent's)
 * with `findDialog(m) ?? invite entry` looked up BEFORE onRequest/onResponse create the entry or
 * fork; look the dialog up again after the message is handled (or stamp the errors from the
 * message's own Call-ID/tags) before pushing the parse-error events.
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { callOf, PLAIN } from './call-shapes.js';
import { type Pkt, run } from './identity-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('the malformed-input of a message that makes a dialog names that dialog', async () => {
  const p = callOf(PLAIN);
  const bad = (x: Pkt) => ({ ...x, payload: new TextEncoder().encode(new TextDecoder().decode(x.payload).replace('Call-ID', 'AI-Pref: apt-x;version=zz\r\nCall-ID')) }) as Pkt;
  const o = await run(ws, [bad(p[0]!), bad(p[1]!), ...p.slice(2)]);
  const m = o.reports.filter((r) => r.type === 'malformed-input');
  expect(m.map((r) => [r.frame, r.dialog])).toEqual([
    [1, { callId: 'cid-1@10.0.0.1', fromTag: 'ft1', toTag: '' }],
    [2, { callId: 'cid-1@10.0.0.1', fromTag: 'ft1', toTag: 'tt1' }],
  ]);
});
