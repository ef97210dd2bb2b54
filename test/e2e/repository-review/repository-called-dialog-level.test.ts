/**
 * Found by a review of the policy repository, fixed since: scope-removed names the repository's identifiers as the repository's, and implicit-binding names only the dialog-level values (src/pipeline/signaling-front.ts fallbackText; src/pipeline/media-core.ts preferenceOf).
 */
// Input: INVITE from A with `AI-Pref: apt-dl;scope=dialog;type=domain;export=raw` and A's audio carrying
//   `a=aipref:mid apt-s …`; 200/ACK; SR of A (frame 4); a re-INVITE (frame 5) whose offer drops the
//   a=aipref line; 200/ACK; SR of A (frame 8). The repository maps the dialog (Call-ID only) to apt-none
//   (domain, export none).
// Was: the scope-removed report (frame 5) says "falls back to dialog-level apt-dl, apt-none" and the
//   implicit-binding report (frame 8) says "dialog-level AI-Pref applied" naming [apt-dl, apt-none]:
//   the operator's repository identifier apt-none is presented as a dialog-level AI-Pref value the
//   endpoints signaled. (The decision itself, drop by apt-none, is right.)
// Correct: explanations name where each identifier came from (SPEC §4 "every decision can be
//   explained: which APTs applied"; SPEC §2 lists the repository (§2.6) and the dialog-level fallback
//   (§2.5) as different sources; §6 implicit-binding = "dialog-level fallback used"): the fallback is
//   dialog-level apt-dl and repository apt-none, and the implicit-binding report's dialog-level
//   values are [apt-dl].
// Fix: src/pipeline/signaling-front.ts reportDiff (the `to` text: name r.fallback under its kind and
//   the repository's ids as "repository"); src/pipeline/media-core.ts where implicit-binding is
//   reported (apt: the scope's dialog-level ids, or a detail that names the repository's apart).
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { CALL, request, response, sdpOf } from '../hand-built-calls.js';
import { brief, rtcpA, run, setup } from '../precedence-review/helpers.js';
import { APTS } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('the repository named as the repository in explanations', () => {
  it('scope-removed and implicit-binding do not call a repository identifier a dialog-level AI-Pref', async () => {
    const r = await run(
      ws,
      'labels',
      (at) => {
        setup(at, { aLines: ['a=aipref:mid apt-s type=domain export=aggregated-only retention=1h'], aHeaders: ['AI-Pref: apt-dl;scope=dialog;type=domain;export=raw;retention=1h'] });
        rtcpA(at, 1);
        at(2, request('INVITE', 2, sdpOf('a', [])), true);
        at(2.1, response('200 OK', 2, sdpOf('b', [])), false);
        at(2.2, request('ACK', 2, null), true);
        rtcpA(at, 3);
      },
      { apts: APTS, dialogs: [{ callId: CALL, apt: ['apt-none'] }] },
    );
    // the decisions are right: the repository's domain none is the strictest of the domain rank
    expect(brief(r)).toEqual(['4 drop export-none [apt-none] strictest-wins', '8 drop export-none [apt-none] strictest-wins']);
    const removed = r.reports.find((x) => x.type === 'scope-removed')!;
    expect(removed.fallback).toEqual(['apt-dl', 'apt-none']);
    expect(removed.detail).not.toMatch(/dialog-level apt-dl, apt-none/);
    expect(removed.detail).toMatch(/repository apt-none/);
    const implicit = r.reports.find((x) => x.type === 'implicit-binding')!;
    expect(implicit.apt).toEqual(['apt-dl']);
  });
});
