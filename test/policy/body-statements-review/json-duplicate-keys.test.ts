/**
 * Found by a review of statement bodies, fixed since: a +json part that gives a key twice is refused as a CBOR one is (src/signaling/ai-pref-body.ts, scanJson).
 * Review (SPEC §2.2, seed §5.2).
 *
 * Input: one call (INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111, frame 4),
 * empty policy file. The INVITE says `AI-Pref: apt-b;scope=session;uri=<cid:s1@x>` and its
 * multipart body carries the part <s1@x>, `application/aipref+json`, that gives a key twice:
 *   (a) `{"type":"user","export":"none","export":"raw"}` — the statement itself;
 *   (b) `{"apt-b":{"type":"user","export":"none"},"apt-b":{"type":"user","export":"raw"}}` — keyed by identifier.
 *
 * Was: JSON.parse keeps the last of the two, silently: decisions ["4 export raw-allowed [apt-b]
 * single-statement"], no report at all. The `export=none` the part also says is lost.
 *
 * Correct: the same document as `application/aipref+cbor` is refused (src/signaling/aipref-cbor.ts:
 * "duplicate keys … refused", a `malformed-input` report, and the identifier unresolved), and the
 * module decodes "both forms … into the same data model"; RFC 8259 §4: with duplicate names
 * "the behavior of software that receives such an object is unpredictable"; the policy file refuses
 * duplicate keys because "JSON.parse alone would keep the last" (README). SPEC §3: a statement that
 * cannot be read counts as the most restrictive (garbled is never read as permissive). So either
 * way the SR must not leave raw: refused like CBOR → `malformed-input` + `unresolved-apt`, drop.
 * (Keeping the stricter of the two values, `none`, would also pass this test.)
 *
 * Fix: src/signaling/ai-pref-body.ts readAiPrefBodies(): parse +json with a duplicate-key check
 * (as the policy file's reader does) and push a `bad-json` error ("duplicate key …") instead of a body.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { brief, callWith, rawInvite, sdpPart } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const invite = (json: string): Uint8Array =>
  rawInvite(
    ['AI-Pref: apt-b;scope=session;uri=<cid:s1@x>'],
    'multipart/mixed;boundary=bnd',
    `${sdpPart()}--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n${json}\r\n--bnd--\r\n`,
  );

describe('an application/aipref+json statement that gives a key twice', () => {
  it('control: the same statement in CBOR (duplicate map key) is refused and apt-b is unresolved', async () => {
    // {"type":"user","export":"none","export":"raw"} as a CBOR map of three pairs
    const cbor = Buffer.from('a3' + '6474797065' + '6475736572' + '666578706f7274' + '646e6f6e65' + '666578706f7274' + '63726177', 'hex');
    const body = Buffer.concat([
      Buffer.from(`${sdpPart()}--bnd\r\nContent-Type: application/aipref+cbor\r\nContent-ID: <s1@x>\r\n\r\n`),
      cbor,
      Buffer.from('\r\n--bnd--\r\n'),
    ]);
    const r = await callWith(ws, 'cbor-dup', rawInvite(['AI-Pref: apt-b;scope=session;uri=<cid:s1@x>'], 'multipart/mixed;boundary=bnd', body));
    expect(r.reports.some((x) => x.type === 'malformed-input' && /duplicate map key "export"/.test(x.detail ?? ''))).toBe(true);
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] unresolved-apt']);
  });

  it('(a) in the statement itself: its export=none is not lost, the SR is not exported raw', async () => {
    const r = await callWith(ws, 'json-dup', invite('{"type":"user","export":"none","export":"raw"}'));
    expect(r.exports).toEqual([]);
    expect(r.decisions.map((d) => [d.frame, d.decision, d.apt])).toEqual([[4, 'drop', ['apt-b']]]);
  });

  it('(b) in a document keyed by identifier: the same', async () => {
    const r = await callWith(ws, 'json-dup-keyed', invite('{"apt-b":{"type":"user","export":"none"},"apt-b":{"type":"user","export":"raw"}}'));
    expect(r.exports).toEqual([]);
    expect(r.decisions.map((d) => [d.frame, d.decision, d.apt])).toEqual([[4, 'drop', ['apt-b']]]);
  });
});
