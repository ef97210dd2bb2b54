/**
 * Found by a review of statement bodies, fixed since: a Content-ID is the text between its angle brackets, comments around it aside (src/signaling/sip-multipart.ts contentIdOf, for multipart and single parts).
 * Review (SPEC §2.2: the part is "referenced by Content-ID").
 *
 * Input: one call (INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111, frame 4),
 * empty policy file. The INVITE says `AI-Pref: apt-b;scope=session;uri=<cid:s1@x>`; its body part
 * `application/aipref+json` `{"type":"user","export":"raw"}` has the header
 * `Content-ID: <s1@x> (apt statement)` — a msg-id followed by a comment. Also the same message
 * parsed alone (unit level), multipart and single-part.
 *
 * Was: the Content-ID is taken as `<s1@x> (apt statement)` (multipart; stripAngles only strips when
 * the value ends with `>`) or `s1@x> (apt statement)` (single part, replace(/^<|>$/)), so the part is
 * no one's: its keys are read as identifiers (two `malformed-input`: "type: not an object",
 * "export: not an object"), apt-b is `unresolved-apt` ("names no body part"), the SR is dropped.
 *
 * Correct: RFC 2045 §7 `id := "Content-ID" ":" msg-id`, a structured field where comments and
 * folding white space may appear around tokens (RFC 822 §3.1.4; RFC 5322 §3.6.4
 * `msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]`): the Content-ID is `s1@x`, the part is
 * apt-b's statement, the SR is exported raw, nothing reported.
 *
 * Fix: src/signaling/sip-multipart.ts stripAngles() (and the single-part path in
 * src/signaling/sip-message.ts readBodyParts()): take the text between the first `<` and the
 * following `>` when the value has one, ignoring the CFWS around it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { parseText, sipText } from '../../signaling/sip-fixtures.js';
import { brief, callWith, rawInvite, sdpPart } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('Content-ID: <s1@x> (apt statement)', () => {
  it('multipart: the part is <s1@x>, the statement of the value that references it', () => {
    const body = '--b\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x> (apt statement)\r\n\r\n{}\r\n--b--\r\n';
    const { message: m } = parseText(sipText(['MESSAGE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 1 MESSAGE', 'Content-Type: multipart/mixed;boundary=b'], body));
    expect(m.parts.map((p) => p.contentId)).toEqual(['s1@x']);
  });

  it('single part (Content-ID in the message headers): the same', () => {
    const { message: m } = parseText(
      sipText(['MESSAGE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 1 MESSAGE', 'Content-ID: <s1@x> (apt statement)', 'Content-Type: application/aipref+json'], '{}'),
    );
    expect(m.parts.map((p) => p.contentId)).toEqual(['s1@x']);
  });

  it('end to end: apt-b resolves from the part and the SR is exported raw, nothing reported', async () => {
    const r = await callWith(
      ws,
      'cid-comment',
      rawInvite(
        ['AI-Pref: apt-b;scope=session;uri=<cid:s1@x>'],
        'multipart/mixed;boundary=bnd',
        `${sdpPart()}--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x> (apt statement)\r\n\r\n{"type":"user","export":"raw"}\r\n--bnd--\r\n`,
      ),
    );
    expect(r.reports).toEqual([]);
    expect(brief(r)).toEqual(['4 export raw-allowed [apt-b] single-statement']);
  });
});
