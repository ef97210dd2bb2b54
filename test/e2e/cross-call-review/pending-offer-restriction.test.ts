/**
 * Found by a review of cross-call governance, fixed since: another call's word about a source it declares includes its offer awaiting an answer, restrictions from the offer on, and the offered m-section (src/enforce/stream-preferences.ts ofDeclared, withProposed).
 */
// Input: SFU conference (conf-call.ts): A's call `a=aipref:session apt-a` (raw), B's call `apt-b` (raw); B's 5001
//   declared with a=ssrc in B's call and forwarded to A in r. Frame 12: B re-INVITEs (CSeq 2) offering
//   `a=aipref:session apt-n` (export none), no answer yet. Frame 13: A (1111) sends an RR about 5001 on A's
//   transport; frame 14: B (5001) sends an RR in its own call.
// Was: frame 13 `export raw-allowed [apt-a, apt-b]` — the report block on B's stream leaves raw — while B's own
//   item at frame 14 is `drop export-none [apt-n]`: the other call's pending offer is not seen.
// Correct: SPEC §5: restrictions take effect from the offer; SPEC §4: an item reporting on 5001 is governed by
//   5001's stream (B's call: apt-b and the offered apt-n, most restrictive) → frame 13 `drop export-none`,
//   apt naming apt-n, as frame 14.
// Fix: src/enforce/stream-preferences.ts StreamPreferences.ofDeclared — combine scope.pending's m-section (as
//   compute() does: restrictions of the offer, absence on one side with withAbsence), and memoise by the
//   pending scope too; src/pipeline/media-core.ts declaredElsewhere passes the pending section.
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { replay } from '../calls-on-any-address.js';
import { rrP, rtcpOn } from '../conference-review/conf-call.js';
import { bOffer, reInvite } from './common.js';
import { base, line, pol } from './shared.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('another call’s pending offer restricts a stream it declares', () => {
  it('A’s RR about B’s 5001 is dropped from B’s restricting offer on, as B’s own item is', async () => {
    const r = await replay(
      ws,
      [...base(), reInvite('conf-b', bOffer(['a=aipref:session apt-n'])), rtcpOn('A', 'SA', [rrP(1111, [5001])]), rtcpOn('B', 'SB', [rrP(5001, [])])],
      pol({ 'apt-a': 'raw', 'apt-b': 'raw', 'apt-c': 'raw', 'apt-n': 'none' }),
    );
    // oracle of the same offer in the declaring call itself
    expect(line(r.decisions.find((d) => d.frame === 14)!)).toEqual({ frame: 14, ssrc: 5001, decision: 'drop', reason: 'export-none', apt: ['apt-n'], rule: 'strictest-wins' });
    const d13 = r.decisions.find((d) => d.frame === 13)!;
    expect({ decision: d13.decision, reason: d13.reason, namesOffer: d13.apt.includes('apt-n') }).toEqual({ decision: 'drop', reason: 'export-none', namesOffer: true });
    expect(r.exports.filter((e) => e.type !== 'aggregate').length).toBe(0);
  });
});
