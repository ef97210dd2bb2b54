/**
 * What the body-statements review (SPEC §2.2, seed §5.2; RFC 2046, RFC 2392, RFC 8949) checked
 * and found right: multipart framing variants, Content-ID references, JSON and CBOR readings, and
 * how two parts of one identifier merge. Each call: INVITE (multipart body) / 200 / ACK, then one
 * SR from A's audio stream (SSRC 1111, frame 4), empty policy file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { decodeAiPrefCbor } from '../../../src/signaling/aipref-cbor.js';
import { cidOf } from '../../../src/signaling/ai-pref-body.js';
import { statementPartsFromBody } from '../../../src/policy/body-statements.js';
import { brief, callWith, rawInvite, sdpPart } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const H = ['AI-Pref: apt-b;scope=session;uri=<cid:s1@x>'];
const MIXED = 'multipart/mixed;boundary=bnd';
const RAW = '{"type":"user","export":"raw"}';
const jsonPart = (json: string, cid = 's1@x'): string => `--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <${cid}>\r\n\r\n${json}\r\n`;
const EXPORTED = ['4 export raw-allowed [apt-b] single-statement'];

describe('multipart framing (RFC 2046 §5.1)', () => {
  it('LF-only line ends throughout: the part is found and resolves apt-b', async () => {
    const body = (sdpPart() + jsonPart(RAW) + '--bnd--\r\n').replace(/\r\n/g, '\n');
    const r = await callWith(ws, 'lf', rawInvite(H, MIXED, body));
    expect(r.reports).toEqual([]);
    expect(brief(r)).toEqual(EXPORTED);
  });

  it('preamble, transport padding after delimiters, epilogue holding a stray delimiter, BOUNDARY= quoted, part headers and media type in odd case with charset', async () => {
    const body =
      'preamble\r\n' +
      sdpPart().replace('--bnd\r\n', '--bnd  \t\r\n') +
      '--bnd \r\ncontent-type: Application/AIPREF+JSON; charset=UTF-8\r\ncontent-id: <s1@x>\r\n\r\n' +
      RAW +
      '\r\n--bnd--  \r\nepilogue\r\n--bnd\r\n';
    const r = await callWith(ws, 'padding', rawInvite(H, 'multipart/mixed; BOUNDARY="bnd"', body));
    expect(r.reports).toEqual([]);
    expect(brief(r)).toEqual(EXPORTED);
  });

  it('a nested multipart/related (quoted boundary with a space) holding the part: found', async () => {
    const body = sdpPart() + '--bnd\r\nContent-Type: multipart/related; boundary="in ner"\r\n\r\n--in ner\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n' + RAW + '\r\n--in ner--\r\n\r\n--bnd--\r\n';
    const r = await callWith(ws, 'nested', rawInvite(H, MIXED, body));
    expect(r.reports).toEqual([]);
    expect(brief(r)).toEqual(EXPORTED);
  });

  it('a missing close delimiter is reported (bad-multipart) and the complete part still read', async () => {
    const r = await callWith(ws, 'unclosed', rawInvite(H, MIXED, sdpPart() + jsonPart(RAW)));
    expect(r.reports.map((x) => x.type)).toEqual(['malformed-input']);
    expect(r.reports[0]!.detail).toMatch(/bad-multipart .*no closing boundary/);
    expect(brief(r)).toEqual(EXPORTED);
  });
});

describe('Content-ID references (RFC 2392)', () => {
  it('a %-encoded cid: URL names the decoded Content-ID', async () => {
    const r = await callWith(ws, 'pct', rawInvite(['AI-Pref: apt-b;scope=session;uri=<cid:s1%40x>'], MIXED, sdpPart() + jsonPart(RAW) + '--bnd--\r\n'));
    expect(r.reports).toEqual([]);
    expect(brief(r)).toEqual(EXPORTED);
  });

  it('cidOf: scheme case-insensitive, percent-decoding, a bad escape kept as written, non-cid null', () => {
    expect(cidOf('CID:foo4%25foo1@bar.net')).toBe('foo4%foo1@bar.net');
    expect(cidOf('cid:a%zz@x')).toBe('a%zz@x');
    expect(cidOf('https://x/y')).toBeNull();
    expect(cidOf(null)).toBeNull();
  });

  it('two parts with the same Content-ID that both decode: both are the statement, strictest wins, disagreement reported', async () => {
    const r = await callWith(ws, 'dupcid', rawInvite(H, MIXED, sdpPart() + jsonPart(RAW) + jsonPart('{"type":"user","export":"none"}') + '--bnd--\r\n'));
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] single-statement']);
    expect(r.reports.map((x) => [x.type, x.apt])).toEqual([['inconsistent-signaling', ['apt-b']]]);
  });

  it('a part no value references, stating apt-b by id, still merges with the header (strictest)', async () => {
    const r = await callWith(ws, 'unref', rawInvite(['AI-Pref: apt-b;scope=session;type=user;export=raw'], MIXED, sdpPart() + jsonPart('{"id":"apt-b","export":"none"}', 'zz@x') + '--bnd--\r\n'));
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] single-statement']);
    expect(r.reports.map((x) => x.type)).toEqual(['inconsistent-signaling']);
  });
});

describe('JSON and CBOR statements', () => {
  it('a UTF-8 BOM before the JSON is no error', async () => {
    const r = await callWith(ws, 'bom', rawInvite(H, MIXED, sdpPart() + jsonPart('\ufeff' + RAW) + '--bnd--\r\n'));
    expect(r.reports).toEqual([]);
    expect(brief(r)).toEqual(EXPORTED);
  });

  it('a list giving apt-b twice: both parts, strictest wins', async () => {
    const r = await callWith(ws, 'arrdup', rawInvite(H, MIXED, sdpPart() + jsonPart('[{"id":"apt-b","type":"user","export":"none"},{"id":"apt-b","type":"user","export":"raw"}]') + '--bnd--\r\n'));
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] single-statement']);
  });

  it('a Content-Transfer-Encoding: base64 part (not decoded) is never read as a statement: unresolved, most restrictive', async () => {
    const b64 = `--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(RAW).toString('base64')}\r\n`;
    const r = await callWith(ws, 'b64', rawInvite(H, MIXED, sdpPart() + b64 + '--bnd--\r\n'));
    expect(brief(r)).toEqual(['4 drop export-none [apt-b] unresolved-apt']);
  });

  it('CBOR: half-precision subnormal and -0, the negative safe-integer edge, a tagged map key refused', () => {
    expect(decodeAiPrefCbor(Buffer.from('f90001', 'hex'))).toEqual({ ok: true, value: 2 ** -24 });
    expect(Object.is((decodeAiPrefCbor(Buffer.from('f98000', 'hex')) as { value: number }).value, -0)).toBe(true);
    expect(decodeAiPrefCbor(Buffer.from('3b001ffffffffffffe', 'hex'))).toEqual({ ok: true, value: Number.MIN_SAFE_INTEGER });
    expect(decodeAiPrefCbor(Buffer.from('a1d9d9f7616101', 'hex'))).toEqual({ ok: false, offset: 1, reason: 'map key is not a text string' });
  });

  it('statementPartsFromBody: an id-less object referenced by two values is the statement of each', () => {
    const r = statementPartsFromBody({ export: 'raw' }, 'frame 1', { by: ['apt-b', 'apt-c'], contentId: 's1@x' });
    expect(r.parts.map((p) => [p.prefId, p.params])).toEqual([
      ['apt-b', { export: 'raw' }],
      ['apt-c', { export: 'raw' }],
    ]);
    expect(r.findings).toEqual([]);
  });
});
