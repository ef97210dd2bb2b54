/**
 * Found by a review of the policy repository, fixed since: a dialog first seen mid-call matches repository entries with its tags in either order (src/policy/policy-file.ts findDialogApts eitherWay; src/pipeline/signaling-front.ts repositoryEntry).
 */
// Input: a capture that starts mid-call: the first SIP message is a re-INVITE the callee B sends
//   (From: tag=bbb, To: tag=aaa — RFC 3261 §12.2.1.1: a callee's in-dialog request carries its own
//   tag in From), A's 200, B's ACK, then an SR of A's audio (SSRC 1111, frame 4). The policy's
//   repository maps the dialog as the operator knows it — Call-ID, fromTag "aaa" (the caller's,
//   the INVITE's From), toTag "bbb" — to apt-raw (domain, raw); no default.
// Was: the adopted dialog is recorded with fromTag "bbb", toTag "aaa", the entry does not match, and
//   the SR is dropped as `no-preference`; the binding table shows no identifier.
// Correct: the dialog is the one the entry names (a dialog ID is the Call-ID and the two parties'
//   tags, RFC 3261 §12; which is "from" depends on who sent the request the enforcer saw first), so
//   apt-raw governs: decision export, apt [apt-raw] (SPEC §2.6, §9 `dialogs`).
// Fix: src/pipeline/signaling-front.ts, the `dialog-created` case (ev.adopted): look the entry up
//   with the tags in either order (or src/policy/policy-file.ts PolicyFile.findDialogApts gains a
//   "orientation unknown" mode) — the enforcer cannot know an adopted dialog's caller.
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { CALL, sdpOf } from '../hand-built-calls.js';
import { brief, rtcpA, run } from '../precedence-review/helpers.js';
import { answerToB, APTS, fromB } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('repository entry for a dialog first seen through a callee re-INVITE', () => {
  it('the entry (caller tag aaa, callee tag bbb) governs the adopted dialog', async () => {
    const r = await run(
      ws,
      'adopted',
      (at) => {
        at(0, fromB('INVITE', 7, sdpOf('b', [])), false);
        at(0.1, answerToB('200 OK', 7, 'INVITE', sdpOf('a', [])), true);
        at(0.2, fromB('ACK', 7, null), false);
        rtcpA(at, 1);
      },
      { apts: APTS, dialogs: [{ callId: CALL, fromTag: 'aaa', toTag: 'bbb', apt: ['apt-raw'] }] },
    );
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-raw] single-statement']);
  });
});
