/**
 * Found by a review of SDES media-plane tags, fixed since: an SDES PRIV aipref value that is not a
 * pref-id (empty, spaces, control characters, undecodable bytes) binds nothing and is reported
 * malformed-input without quoting it (src/pipeline/media-core.ts learnFromSdes,
 * src/signaling/ai-pref-header.ts prefIdOfText); an SDES item is governed by the compound's sender
 * (its first SR/RR), every chunk's source a subject (src/enforce/telemetry-items.ts splitTelemetry).
 * Each capture is replayed with --workers 0 and 2 (replayCall checks both give the same lines).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { cname, compound, item, priv, run, sdesPacket, srOf } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const SIGNALED_RAW = { offerLines: ['a=aipref:mid apt-raw'] };

describe('a PRIV aipref value that is not a pref-id', () => {
  // Input: A's audio signals a=aipref:mid apt-raw; frame 4 (SR 1111 + SDES) carries PRIV prefix "aipref" with an EMPTY value.
  // Was: "" becomes an APT identifier: binding table apt ["apt-raw",""], an unresolved-apt report with apt [""], decisions apt ["apt-raw",""].
  // Correct: SPEC §2.1 pref-id = token / quoted-string (a token is 1*tokenchar): an empty value names no identifier; it is
  //   malformed input (SPEC §6 malformed-input, with the frame), never an identifier in apt lists.
  // Fix: src/pipeline/media-core.ts learnFromSdes — validate item.value as a pref-id (the token/quoted-string reader of
  //   src/signaling/ai-pref-header.ts) before pushing it to stream.sdesApts; report malformed-input otherwise.
  it('an empty value is not an identifier', async () => {
    const x = await run(ws, 'empty', SIGNALED_RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', '')] }])]);
    const aptLists = [...x.bindings.map((b) => b.apt), ...x.reports.map((r) => r.apt ?? []), ...x.decisions.map((d) => d.apt)];
    expect(aptLists.filter((l) => l.includes(''))).toEqual([]);
    expect(x.reports.filter((r) => r.type === 'malformed-input').map((r) => r.frame)).toEqual([4]);
  });

  // Input: frame 4 carries PRIV aipref with value "evil id<BEL>x" (space and a control byte), frame 5 one with bytes 61 FF FE (invalid UTF-8).
  // Was: both become identifiers verbatim: an unresolved-apt report naming "evil id\u0007x", another "a\uFFFD\uFFFD"; the binding table lists them.
  // Correct: neither is a pref-id (SPEC §2.1 token / quoted-string); reports name APT identifiers but never copy SDES text (SPEC §6):
  //   a value that is no identifier is SDES text and must not be copied into reports, decisions or the binding table; it is malformed-input.
  // Fix: src/pipeline/media-core.ts learnFromSdes — accept only a valid pref-id (token chars; or a quoted-string) as a tag; else report
  //   malformed-input (frame, no value) and keep the stream as restrictive as it was (a tag never relaxes).
  it('a value with a space, a control byte or invalid UTF-8 is not copied into any output', async () => {
    const x = await run(ws, 'garbled', SIGNALED_RAW, [
      compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'evil id\u0007x')] }]),
      compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', Uint8Array.from([0x61, 0xff, 0xfe]))] }]),
    ]);
    const all = [...x.r.reports, ...x.r.decisions, ...x.r.exports, JSON.stringify(x.bindings)].join('\n');
    expect(all).not.toContain('evil id');
    expect(all).not.toContain('\\u0007');
    expect(all).not.toContain('\uFFFD');
    expect(x.reports.filter((r) => r.type === 'malformed-input').map((r) => r.frame)).toEqual([4, 5]);
  });
});

describe("an SDES packet's sender", () => {
  // Input: no identifier signaled; frame 4 is A's compound: SR of 1111, then an SDES whose only chunk is SSRC 7777's
  //   (CNAME "x", PRIV aipref apt-raw — 7777 tags itself).
  // Was: the SDES item is governed by 7777 alone (the first chunk's SSRC taken as the sender): decision export raw-allowed [apt-raw],
  //   although the compound was sent by 1111, whose stream has no preference (its SR: drop no-preference).
  // Correct: SPEC §4 "An item is governed by the stream of the SSRC that sent it and, where it reports on another source, by that
  //   source's stream too: the most restrictive of both"; RFC 3550 §6.1/§6.5: the compound's sender is its first SR/RR's SSRC, SDES chunks
  //   describe the sources listed (SSRC or CSRC). 1111 has no preference (absence is not consent, SPEC §3): the SDES item is dropped.
  // Fix: src/enforce/telemetry-items.ts splitTelemetry (case SDES) — senderSsrc is the compound's sender (the first SR/RR's SSRC,
  //   readRtcp's senderSsrc), every chunk's SSRC a subject; not decodeSourceDescription's first-chunk ssrc.
  it('a chunk for another SSRC does not let that SSRC decide alone for the sender', async () => {
    const x = await run(ws, 'nonsender', {}, [Uint8Array.from([...srOf(1111), ...sdesPacket([{ ssrc: 7777, items: [cname('x'), priv('aipref', 'apt-raw')] }])])]);
    expect(x.decisions.map((d) => `${d.frame} ${d.pt} ${d.decision} ${d.reason}`)).toEqual(['4 200 drop no-preference', '4 202 drop no-preference']);
    expect(x.exports.filter((e) => e.item?.pt === 202)).toEqual([]);
  });
});
