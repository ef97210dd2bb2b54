/**
 * Found by a review of statement bodies, fixed since: a Content-ID one of whose parts could not be read takes none of its parts (src/signaling/ai-pref-body.ts): a value naming it is unresolved.
 * Review (SPEC §2.2, §3; README "A value whose uri=<cid:…> names a
 * body part the message lacks, or one that does not decode, is unresolved").
 *
 * Input: one call (INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111, frame 4),
 * empty policy file. The INVITE says `AI-Pref: apt-b;scope=session;uri=<cid:s1@x>`; its multipart
 * body has two `application/aipref+json` parts that both carry `Content-ID: <s1@x>`: one
 * `{"type":"user","export":"raw"}`, the other cut short `{"type":"user","export":"none",` (not JSON).
 * Either order.
 *
 * Was: the undecodable part is only a `malformed-input`; the value's cid is satisfied by the
 * sibling that decoded (signaling-front: `bodies.some((b) => b.contentId === cid)`), so apt-b is
 * that sibling's statement: decisions ["4 export raw-allowed [apt-b] single-statement"].
 *
 * Correct: the part uri=<cid:s1@x> names is ambiguous and one of its readings cannot be read (here
 * it even begins export=none). SPEC §3: what cannot be read counts as the most restrictive
 * statement, reported `unresolved-apt`; the README's rule for a cid part that does not decode
 * applies — another part of the message is "not that part". Two parts with the same Content-ID
 * already merge strictest-wins when both decode (checked in PASSING.test.ts), so an undecodable
 * one must not count for less than a decodable `none`: the SR is dropped, `unresolved-apt` names apt-b.
 *
 * Fix: src/signaling/ai-pref-body.ts / src/pipeline/signaling-front.ts deliverBodyParts(): carry
 * the Content-IDs of parts that failed to decode (AiPrefBodyError.contentId) to the front, and mark
 * a value whose cid names such a part unreadable even when another part shares that Content-ID.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { callWith, rawInvite, sdpPart } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const part = (json: string): string => `--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n${json}\r\n`;
const GOOD = '{"type":"user","export":"raw"}';
const CUT = '{"type":"user","export":"none",';

describe('two parts with the Content-ID the value names, one of them undecodable', () => {
  for (const [name, parts] of [
    ['good first', [GOOD, CUT]],
    ['cut first', [CUT, GOOD]],
  ] as const) {
    it(`${name}: apt-b is unresolved, the SR is dropped`, async () => {
      const r = await callWith(ws, name.replace(' ', '-'), rawInvite(['AI-Pref: apt-b;scope=session;uri=<cid:s1@x>'], 'multipart/mixed;boundary=bnd', sdpPart() + parts.map(part).join('') + '--bnd--\r\n'));
      expect(r.exports).toEqual([]);
      expect(r.decisions.map((d) => [d.frame, d.decision, d.apt])).toEqual([[4, 'drop', ['apt-b']]]);
      expect(r.reports.some((x) => x.type === 'unresolved-apt' && x.apt?.[0] === 'apt-b')).toBe(true);
    });
  }
});
