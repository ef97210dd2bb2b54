/**
 * Found by a review of cross-call governance, fixed since: another call's word about a source it declares includes its offer awaiting an answer, restrictions from the offer on, and the offered m-section (src/enforce/stream-preferences.ts ofDeclared, withProposed).
 */
// Input: SFU conference (conf-call.ts): A `apt-a` raw, B `a=aipref:session apt-b` raw. Frame 12: B re-INVITEs
//   (no answer yet) adding m-section mid w (port 4002) with `a=ssrc:5003` and `a=aipref:mid apt-n` (export none).
//   Frame 13: A (1111) sends an RR about 5003 on A's transport; frame 14: B's 5001 an RR about 5003 in B's call.
// Was: frame 13 `export raw-allowed [apt-a, apt-b]`: the SSRC is found in B's call (its pending a=ssrc routes),
//   but declaredElsewhere looks the index up in B's *current* sections only (none at index 1) and ofDeclared
//   falls back to the session-wide identifiers — apt-n of the offered m-section is lost. Frame 14 (same
//   stream, B's own call) is `drop export-none [apt-n]`.
// Correct: SPEC §5 (restrictions from the offer), §4 (an item reporting on 5003 is governed by 5003's stream),
//   §2 (a=ssrc binds it to mid w): frame 13 `drop export-none`, apt naming apt-n.
// Fix: src/pipeline/media-core.ts MediaCore.declaredElsewhere — find the entry's m-section in scope.pending
//   too, and src/enforce/stream-preferences.ts StreamPreferences.ofDeclared — resolve under the pending
//   scope's section (as compute() does) and combine.
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { replay, sdp } from '../calls-on-any-address.js';
import { MID_EXT, PB, rrP, rtcpOn } from '../conference-review/conf-call.js';
import { reInvite } from './common.js';
import { base, line, pol } from './shared.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('an SSRC only another call’s pending offer declares', () => {
  it('A’s RR about 5003 follows the offered m-section’s apt-n (export none)', async () => {
    const offer = sdp(
      PB,
      [
        ['m=video 4000 RTP/AVPF 96', 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:5001 cname:conf-b', 'a=sendrecv'],
        ['m=video 4002 RTP/AVPF 96', 'a=mid:w', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', 'a=ssrc:5003 cname:conf-b', 'a=aipref:mid apt-n', 'a=sendrecv'],
      ],
      ['a=aipref:session apt-b'],
    ).replace('o=u 1 1', 'o=u 1 2');
    const r = await replay(ws, [...base(), reInvite('conf-b', offer), rtcpOn('A', 'SA', [rrP(1111, [5003])]), rtcpOn('B', 'SB', [rrP(5001, [5003])])], pol({ 'apt-a': 'raw', 'apt-b': 'raw', 'apt-c': 'raw', 'apt-n': 'none' }));
    expect(line(r.decisions.find((d) => d.frame === 14)!)).toEqual({ frame: 14, ssrc: 5001, decision: 'drop', reason: 'export-none', apt: ['apt-n'], rule: 'strictest-wins' });
    const d13 = r.decisions.find((d) => d.frame === 13)!;
    expect({ decision: d13.decision, reason: d13.reason, namesOffer: d13.apt.includes('apt-n') }).toEqual({ decision: 'drop', reason: 'export-none', namesOffer: true });
  });
});
