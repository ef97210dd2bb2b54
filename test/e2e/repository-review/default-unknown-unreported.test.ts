/**
 * Found by a review of the policy repository, fixed since: the operator's default APT, unresolved, is reported unresolved-apt by each stream it stands in for (src/pipeline/media-core.ts preferenceOf, refreshDefault).
 */
// Input: a plain call (INVITE/200/ACK, nothing signaled), an SR of A's audio (frame 4); the policy has
//   no `dialogs` entry that matches and `default: "apt-typo"`, an identifier neither `apts` nor the
//   signaling states.
// Was: the SR drops (apt [apt-typo], rule unresolved-apt) — right — but reports.ndjson has no line at
//   all: the only trace is a stderr warning at start. The same unknown identifier named by a
//   repository entry, or signaled bare, gets an `unresolved-apt` report.
// Correct: SPEC §3: "An APT that cannot be resolved (unknown uri, repository miss) … counts as the most
//   restrictive statement for its scope and is reported (`unresolved-apt`)"; SPEC §6 lists
//   unresolved-apt among the reports. The operator's default is such an APT here: one
//   `unresolved-apt` report naming apt-typo.
// Fix: src/pipeline/media-core.ts (or signaling-front.ts) where the default preference stands in for
//   absence: report the default's identifier as unresolved-apt once when it is used unresolved
//   (as reportUnresolved does for a dialog's identifiers).
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { brief, rtcpA, run, setup } from '../precedence-review/helpers.js';
import { APTS } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a default APT the file does not state', () => {
  it('used as the default, it is reported unresolved too', async () => {
    const r = await run(ws, 'default-typo', (at) => { setup(at); rtcpA(at, 1); }, { apts: APTS, default: 'apt-typo' });
    expect(brief(r)).toEqual(['4 drop export-none [apt-typo] unresolved-apt']);
    expect(r.reports.filter((x) => x.type === 'unresolved-apt').map((x) => x.apt)).toContainEqual(['apt-typo']);
  });
});
