/**
 * Input: policy with apt-raw and apt-r0 … apt-r16 (all export raw); SR+SDES of SSRC 1111 on
 *   A:4001 → B:5001 before any signaling with 17 PRIV aipref items apt-r0 … apt-r16; then
 *   INVITE/200/ACK (a=aipref:session apt-raw, A:4000 / B:5000); then a plain SR of 1111 (frame 6).
 * Was: before signaling the unbound session hits MAX_SDES_APTS (16) and stands the stream for
 *   '(too many SDES PRIV identifiers)', the most restrictive: dropped (export-none). The main
 *   thread's note silently keeps only the first 16 (UnboundTags.add: `noted.ids.length <
 *   MAX_SDES_APTS`), so the carry brings 16 raw identifiers and no limit: frame 6 is exported
 *   raw under apt-raw + apt-r0 … apt-r15.
 * Correct: SPEC §2 "media-plane tags never relax signaling" and README (a full SDES list stands
 *   for the most restrictive); the carry is "as if that packet had repeated them": repeating
 *   the 17 items in the dialog's own RTCP hits the limit, so frame 6 must be dropped
 *   (export-none) and nothing exported.
 * Fix: src/pipeline/unbound-tags.ts add(): keep up to MAX_SDES_APTS + 1 identifiers (or a
 *   'limit reached' flag carried in the event) so MediaCore.carryTags → addSdesApt reaches
 *   sdesLimit as the unbound session did.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace, policyOf } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const ids = Array.from({ length: 17 }, (_, i) => `apt-r${i}`);
const apts: Record<string, unknown> = { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } };
for (const id of ids) apts[id] = { type: 'user', export: 'raw', retention: '1h' };
const POLICY = policyOf({ apts } as never);

describe('a stream that named more than 16 identifiers before signaling', () => {
  it('stays at the limit (most restrictive) once the dialog routes it', async () => {
    const o = await replay(
      ws,
      'seventeen',
      [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, ...ids)]), // frame 1
        ...rawCall('c1', 1), // frames 2-4
        rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 5
      ],
      POLICY,
    );
    // the unbound session hit the limit and dropped
    expect(o.d[0]).toBe('1 1111 drop export-none (too many SDES PRIV identifiers)');
    const at5 = o.decisions.filter((d) => d.frame === 5);
    expect(at5.map((d) => [d.decision, d.reason])).toEqual([['drop', 'export-none']]);
    expect(o.exports).toEqual([]);
  });
});
