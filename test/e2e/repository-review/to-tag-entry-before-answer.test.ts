/**
 * Found by a review of the policy repository, fixed since: a tag an entry gives must be the dialog's; a call with no to-tag yet matches only entries without one (src/policy/policy-file.ts findDialogApts).
 */
// Input (1): INVITE from A (SDP, no To tag); an SR of A's audio (frame 2) before any response; then
//   the call is answered by to-tag "ccc" (200 with SDP), and another SR (frame 4). The repository has
//   one entry: Call-ID, toTag "zzz" → apt-raw (domain, raw); no default.
// Input (2): INVITE from A; 180 Ringing from the fork with to-tag "b1" (no SDP); an SR of A's audio
//   (frame 3); 200 from b1. The repository has one entry: Call-ID, toTag "b2" → apt-raw.
// Was: an entry that names a to-tag matches a dialog with no to-tag yet (findDialogApts is called with
//   `toTag || undefined`, and an undefined tag matches any entry tag): (1) frame 2 is exported raw
//   under apt-raw though the call became dialog ccc; (2) the INVITE's scope, carried into the early
//   dialog b1 by the rekey, keeps b2's identifiers: frame 3 is exported with dialog {toTag: "b1"}
//   and apt [apt-raw] — an export line naming a dialog the entry does not name.
// Correct: SPEC §9 "omit a tag to match any": an entry that gives a toTag matches only the dialog with
//   that to-tag; before that dialog exists the entry does not apply, and absence is not consent
//   (SPEC §3): both SRs drop with reason `no-preference`.
// Fix: src/policy/policy-file.ts PolicyFile.findDialogApts: an entry's fromTag/toTag must equal the
//   dialog's (an absent dialog tag matches only entries that omit it); callers in
//   src/pipeline/signaling-front.ts (pushScope, dialog-created, reload) pass the tag as it is ('' for none).
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { CALL, request, response, sdpOf } from '../hand-built-calls.js';
import { brief, rtcpA, run } from '../precedence-review/helpers.js';
import { APTS } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an entry naming a to-tag, before that dialog exists', () => {
  it('(1) does not govern the caller\'s media before the answer (answered by another to-tag)', async () => {
    const r = await run(
      ws,
      'pre-answer',
      (at) => {
        at(0, request('INVITE', 1, sdpOf('a', []), [], ''), true);
        rtcpA(at, 0.5);
        at(1, response('200 OK', 1, sdpOf('b', []), [], 'INVITE', 'ccc'), false);
        rtcpA(at, 2);
      },
      { apts: APTS, dialogs: [{ callId: CALL, toTag: 'zzz', apt: ['apt-raw'] }] },
    );
    expect(brief(r)).toEqual(['2 drop no-preference [] no-preference', '4 drop no-preference [] no-preference']);
    expect(r.exports).toEqual([]);
  });

  it('(2) an entry for fork b2 does not govern the early dialog b1', async () => {
    const r = await run(
      ws,
      'fork-180',
      (at) => {
        at(0, request('INVITE', 1, sdpOf('a', []), [], ''), true);
        at(0.1, response('180 Ringing', 1, null, [], 'INVITE', 'b1'), false);
        rtcpA(at, 0.5);
        at(1, response('200 OK', 1, sdpOf('b', []), [], 'INVITE', 'b1'), false);
        at(1.1, request('ACK', 1, null, [], ';tag=b1'), true);
        rtcpA(at, 2);
      },
      { apts: APTS, dialogs: [{ callId: CALL, toTag: 'b2', apt: ['apt-raw'] }] },
    );
    expect(brief(r)).toEqual(['3 drop no-preference [] no-preference', '6 drop no-preference [] no-preference']);
    expect(r.exports).toEqual([]);
  });
});
