/**
 * Found by a review of how decisions explain themselves, fixed since: a stream-disabled drop
 * names no APT (src/enforce/decide.ts stoppedStreamDecision).
 *
 * Input: the committed sample samples/call-small.pcap with samples/policy.json (its `dialogs`
 * maps call a030b88f670effa9-1@10.1.0.2 to apt-reg-eu), workers 0 and 2. That call's
 * re-INVITE (frame 237) disables video (port 0); its 200 (frame 246) answers. The video
 * senders SSRC 2120508720 and 4074765181 keep sending RTCP (frames 243, 244 between offer and
 * answer; 247, 248 after): 18 items, all dropped with reason stream-disabled.
 * reports.ndjson says at frame 246: {"type":"scope-removed",…,"mid":"v",
 * "apt":["apt-reg-eu","apt-video-3"],"fallback":[],"detail":"section-disabled; falls back to
 * nothing: the stream stops"}.
 *
 * Was: decisions.ndjson frames 243, 244 (8 items) "reason":"stream-disabled","apt":["apt-reg-eu","apt-video-3"];
 *   frames 247, 248 (10 items) "reason":"stream-disabled","apt":["apt-reg-eu"] — an APT the report just
 *   said was removed, with nothing to fall back to. In generated captures without a repository
 *   entry (seeds 3, 21, 58 with samples/policy.json) every stream-disabled line has "apt":[].
 * Correct: "apt":[] on every stream-disabled line: no APT decided these drops (SPEC §5:
 *   processing stops at once when the m-section is disabled, whatever the APTs said; the rule is
 *   "stream-disabled", not a precedence rule), as no-preference drops name none (Decision.apt:
 *   "the APTs that decided (for no-preference: none)"), and as the scope-removed report's
 *   `fallback: []` says. SPEC §4: every decision names which APTs decided it; a repository id
 *   that happens to stay on the dialog decided nothing here, and the removed apt-video-3 neither.
 * Fix: src/pipeline/media-core.ts readRtcp: `stoppedStreamDecision(stopped.ids)` → a decision
 *   with `apt: []` (src/enforce/decide.ts stoppedStreamDecision needs no ids).
 */
import { describe, expect, it } from 'vitest';
import { type DecisionLine, parseLines, replayLines, SMALL_PCAP, SMALL_POLICY } from '../e2e-helpers.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { readFileSync } from 'node:fs';

const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);

describe('stream-disabled drops name no deciding APT (committed sample)', () => {
  for (const workers of [0, 2]) {
    it(`workers ${workers}`, async () => {
      const run = await replayLines({ capture: SMALL_PCAP, policy, workers, explain: true });
      const disabled = parseLines<DecisionLine>(run.decisions).filter((d) => d.reason === 'stream-disabled');
      expect(disabled.map((d) => `${d.frame} ${d.ssrc}`)).toEqual([
        ...Array(4).fill('243 2120508720'),
        ...Array(4).fill('244 4074765181'),
        ...Array(5).fill('247 4074765181'),
        ...Array(5).fill('248 2120508720'),
      ]);
      expect(disabled.map((d) => d.apt)).toEqual(Array(18).fill([]));
    });
  }
});
