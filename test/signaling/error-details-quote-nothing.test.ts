/**
 * Found by a review of what leaves the enforcer (suspicions it reported), fixed since: the
 * details of malformed SIP reports and of an undecodable statement body describe the fault
 * without copying the message's bytes. A broken `Authorization Bearer <token>: …` line quoted its
 * first 40 characters (the token), a broken start line its Request-URI (a caller's address), a
 * +json part V8's message with the text around the fault — into reports.ndjson and, live, to the
 * AI service (SPEC §6: reports never copy what signaling or telemetry carries beyond APT
 * identifiers and Call-IDs).
 */
import { expect, it } from 'vitest';
import { readAiPrefBodies } from '../../src/signaling/ai-pref-body.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';

const MARK = 'LEAKMARK1234';
const text = (lines: string[], body = '') => new TextEncoder().encode(lines.join('\r\n') + '\r\n\r\n' + body);
const parse = (b: Uint8Array) => parseSipMessage(b, 0, b.length);

it('a bad header name is described by its length and the first character it cannot have', () => {
  const r = parse(text(['BYE sip:x@y SIP/2.0', `Authorization Bearer ${MARK}: x`, 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>', 'Call-ID: c', 'CSeq: 2 BYE', 'Content-Length: 0']));
  const e = r.errors.find((x) => x.reason === 'bad-header-name')!;
  expect(e.detail).toBe('a name of 33 characters: character 14 (U+0020) cannot be in one');
  expect(JSON.stringify(r.errors)).not.toContain(MARK);
});

it('a bad start line names its first word and length, not its Request-URI', () => {
  const r = parse(text([`INVITE sip:${MARK}@example.net SIP/3.0`, 'Call-ID: c']));
  expect(r.message).toBeNull();
  expect(r.errors).toEqual([{ reason: 'bad-start-line', offset: 0, detail: "'INVITE' then 43 characters: neither a request line nor a status line" }]);
  const binary = parse(text([`\u0001${MARK} x`]));
  expect(binary.errors[0]!.detail).toBe('15 characters: neither a request line nor a status line');
});

it('an aipref+json part that does not parse is placed by line and column, its text not quoted', () => {
  const body = `--b\r\nContent-Type: application/aipref+json\r\nContent-ID: <p@x>\r\n\r\n{"type":"user","note":"${MARK}" "export":"raw"}\r\n--b--\r\n`;
  const m = parse(text(['INVITE sip:b@x SIP/2.0', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>', 'Call-ID: c', 'CSeq: 1 INVITE', 'Content-Type: multipart/mixed;boundary=b', `Content-Length: ${body.length}`], body)).message!;
  const r = readAiPrefBodies(m, []);
  expect(r.errors.map((e) => e.detail)).toEqual(['application/aipref+json part <p@x> is not JSON (at line 1, column 38)']);
});
