/**
 * Found by a review of cross-call governance, fixed since: a source another call stopped (port 0, removed) stops the items that report on it (src/pipeline/media-core.ts readRtcp).
 */
// Input: SFU conference (conf-call.ts): A's call `apt-a` raw, B's call `apt-b` raw, 5001 declared with a=ssrc in
//   B's call, forwarded to A in r. B re-INVITEs with its m-section at port 0 (disabled, SPEC §5); then A (1111)
//   sends an RR about 5001 on A's transport, and B's 5001 an RR in its own call.
// Was: (1) offer only (frame 12), A's RR at 13: `export raw-allowed [apt-a, apt-b]` while B's own item at 14 is
//   `drop stream-disabled`; (2) answered (frames 12–14), with the operator's default `apt-d` (raw): A's RR at 15
//   `export raw-allowed [apt-a, apt-d]` — a report on a stopped stream exported under the default; (3) answered,
//   no default: `drop no-preference []` — the explanation claims no APT applied although the stream was stopped.
// Correct: SPEC §5: removing/disabling an m-section stops processing of its streams at once (a restriction:
//   from the offer); SPEC §4: an item reporting on 5001 is governed by 5001's stream too, and the decision line
//   names the rule that decided → `drop stream-disabled` in all three, as B's own items.
// Fix: src/pipeline/media-core.ts MediaCore.readRtcp — treat `senderElsewhere.disabled` / `elsewhere.disabled`
//   like a stopped subject (stopped = elsewhere) before folding; StreamPreferences.ofDeclared must also see the
//   pending offer's disabled m-section (scope.pending).
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { replay } from '../calls-on-any-address.js';
import { rrP, rtcpOn } from '../conference-review/conf-call.js';
import { ack, bAnswer, bOffer, ok, reInvite } from './common.js';
import { base, line, pol } from './shared.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const STOPPED = (frame: number, ssrc: number) => ({ frame, ssrc, decision: 'drop', reason: 'stream-disabled', apt: [], rule: 'stream-disabled' });
const disable = [reInvite('conf-b', bOffer(['a=aipref:session apt-b'], 0)), ok('conf-b', bAnswer([], 0)), ack('conf-b')];
const reports = [rtcpOn('A', 'SA', [rrP(1111, [5001])]), rtcpOn('B', 'SB', [rrP(5001, [])])];

describe('another call disables (port 0) the m-section that declares a reported-on source', () => {
  it('offer only: A’s RR about 5001 stops with B’s stream (restriction from the offer)', async () => {
    const r = await replay(ws, [...base(), disable[0]!, ...reports], pol({ 'apt-a': 'raw', 'apt-b': 'raw', 'apt-c': 'raw' }));
    expect(r.decisions.map(line)).toEqual([STOPPED(13, 1111), STOPPED(14, 5001)]);
  });
  it('answered, operator default raw: A’s RR about the stopped 5001 is not exported under the default', async () => {
    const r = await replay(ws, [...base(), ...disable, ...reports], pol({ 'apt-a': 'raw', 'apt-b': 'raw', 'apt-c': 'raw', 'apt-d': 'raw' }, 'apt-d'));
    expect(r.decisions.map(line)).toEqual([STOPPED(15, 1111), STOPPED(16, 5001)]);
    expect(r.exports.length).toBe(0);
  });
  it('answered, no default: the drop is explained as stream-disabled, not no-preference', async () => {
    const r = await replay(ws, [...base(), ...disable, ...reports], pol({ 'apt-a': 'raw', 'apt-b': 'raw', 'apt-c': 'raw' }));
    expect(r.decisions.map(line)).toEqual([STOPPED(15, 1111), STOPPED(16, 5001)]);
  });
});
