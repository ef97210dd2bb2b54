/**
 * Found by a review of SIP dialog identity, fixed since: `;tag=` or `;tag` in To is reported
 * (`empty-to-tag`) and read as no tag.
 *
 * Input: one UDP call A → B (INVITE with `a=aipref:session apt-raw`, 200 with SDP, ACK, A's SR at
 * frame 4, BYE, 200, SR at frame 7) where B's tag is written empty in every message after the
 * INVITE: `To: <sip:b@10.0.0.2>;tag=` (second case: `;tag` with no `=`).
 * Was: no report at all (reports [], malformed 0); the To tag is read as
 * absent, so the 200 makes no dialog and the ACK and BYE are ignored silently; the INVITE's
 * own state keeps the stream: frame 4 AND frame 7 (after the BYE) are both
 * `export raw-allowed [apt-raw]` under `"dialog":{"callId":"cid-1@10.0.0.1","fromTag":"ft1","toTag":""}`.
 * An empty From tag, by contrast, is reported (`missing-from-tag`).
 * Correct: RFC 3261 §25.1 `tag-param = "tag" EQUAL token`, token = 1*(…): `;tag=` / `;tag` is
 * not a tag but a broken header parameter; a 2xx/ACK/BYE carrying it is malformed and must be
 * reported (SPEC §6 malformed-input with the frame; §8 "Malformed packets … are counted and
 * reported"), one `malformed-input` per such frame (2, 3, 5, 6) — not silently skipped.
 * Fix: src/signaling/sip-message.ts readWellKnownHeaders — `m.toTag = headerParam(to.value,
 * 'tag') || null` folds '' into "no tag"; when the parameter is present but empty push a
 * sipError (e.g. 'bad-to-tag'), as is done for the From tag.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { callOf, PLAIN } from './call-shapes.js';
import { run } from './identity-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an empty To tag', () => {
  for (const to of ['To: <sip:b@10.0.0.2>;tag=', 'To: <sip:b@10.0.0.2>;tag']) {
    it(`\`${to}\` in the 200, ACK, BYE and 200 is reported for each`, async () => {
      const o = await run(ws, callOf({ ...PLAIN, toTagged: to }));
      expect(o.reports.filter((r) => r.type === 'malformed-input').map((r) => r.frame)).toEqual([2, 3, 5, 6]);
    });
  }
});
