/**
 * Found by a review of the APT vocabulary (SPEC §3), fixed since: an a=aipref line whose version is not 1*DIGIT (at most 15) breaks the line, its identifier unresolved, as in the AI-Pref header (src/signaling/sdp-aipref.ts parseAiPrefAttribute, VERSION_PATTERN shared with ai-pref-header.ts).
 */
/**
 * Input: the two-party call of harness.ts (A 10.0.0.1 SSRC 1111, B 10.0.0.2 SSRC 2222), one RTCP
 * compound from A with an item of every feature class. The preference `apt-x` says
 * `version=1x export=raw retention=1h` (a version that is not 1*DIGIT), carried once by the
 * INVITE's `AI-Pref: apt-x;scope=dialog;version=1x;export=raw;retention=1h` and once by the
 * offer's and answer's `a=aipref:session apt-x version=1x export=raw retention=1h`.
 * (Also `version=99999999999999999999`, 20 digits: the header refuses more than 15.)
 *
 * Was: the header carrier breaks the value's grammar (`malformed-input` "ai-pref bad-version"),
 * apt-x counts as unresolved, every item is dropped (`export-none`, rule `unresolved-apt`). The
 * SDP carrier only reports `inconsistent-signaling` "unknown-value (version) … read as absent"
 * and applies the rest of the line: every item EXPORTED RAW with a 1 h retention. The same
 * statement gives opposite decisions depending on the carrier.
 *
 * Correct: SPEC §3: everything said about one pref-id (AI-Pref parameters, a=aipref parameters)
 * is one statement, read by one vocabulary; `version` is an integer (seed 000 §5.1 ABNF
 * `"version" EQUAL 1*DIGIT`; §6.1: a=aipref parameters align with the vocabulary). The project's
 * own contract (README, "Statements and precedence"): "An AI-Pref value or a=aipref line that
 * breaks its grammar after the identifier (a bad `version`, an unclosed quote, a statement key
 * given twice) is reported (`malformed-input`) … the identifier counts as unresolved — the most
 * restrictive statement". So the SDP line must be garbled like the header value: all items
 * dropped under `unresolved-apt`, and a `malformed-input` report naming the line.
 *
 * Fix: src/signaling/sdp-aipref.ts parseAiPrefAttribute: when the parameter is `version`, check
 * its value against the header's rule (/^\d{1,15}$/, ai-pref-header.ts applyParam) and return
 * `{ ok: false, reason: 'bad-param', detail: 'bad version …', kept }` otherwise, so the SDP
 * reader marks the identifier garbled as it does for a key given twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { judge } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a bad version in a=aipref breaks the line, as it breaks an AI-Pref value', () => {
  for (const version of ['1x', '99999999999999999999']) {
    it(`version=${version}: the SDP carrier decides as the header carrier does`, async () => {
      const params: [string, string][] = [['version', version], ['export', 'raw'], ['retention', '1h']];
      const header = await judge(ws, `hdr-${version}`, 'header', 'apt-x', params);
      const sdp = await judge(ws, `sdp-${version}`, 'sdp', 'apt-x', params);
      // the header carrier: unresolved, everything dropped (this holds today)
      expect(header.lines).toEqual(['media-metrics', 'sdes', 'app', 'feedback', 'feedback', 'rtcp-xr'].map((f) => `${f} drop export-none`));
      expect(header.reports.some((r) => r.type === 'malformed-input')).toBe(true);
      // the SDP carrier must say the same of the same statement
      expect(sdp.exports).toEqual([]);
      expect(sdp.lines).toEqual(header.lines);
      expect(sdp.decisions.map((d) => d.rule)).toEqual(header.decisions.map((d) => d.rule));
      expect(sdp.reports.some((r) => r.type === 'malformed-input')).toBe(true);
    });
  }
});
