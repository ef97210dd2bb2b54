/**
 * readAiPrefBodies makes a +json part's strings well formed (lone surrogates become U+FFFD, keys
 * too) on a copy of the document; the copy keeps a `__proto__` key as the own property JSON.parse
 * made, never as the copy's prototype, through which the statement's other keys would be read
 * (src/signaling/ai-pref-body.ts wellFormed, src/policy/own-property.ts setOwn).
 */
import { expect, it } from 'vitest';
import { readAiPrefBodies } from '../../src/signaling/ai-pref-body.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';

function bodiesOf(json: string) {
  const body = `--b\r\nContent-Type: application/aipref+json\r\nContent-ID: <p@x>\r\n\r\n${json}\r\n--b--\r\n`;
  const lines = ['INVITE sip:b@x SIP/2.0', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>', 'Call-ID: c', 'CSeq: 1 INVITE', 'Content-Type: multipart/mixed;boundary=b', `Content-Length: ${body.length}`];
  const b = new TextEncoder().encode(lines.join('\r\n') + '\r\n\r\n' + body);
  return readAiPrefBodies(parseSipMessage(b, 0, b.length).message!, []);
}

it('a __proto__ key stays an own key of the copy, its prototype Object.prototype', () => {
  const r = bodiesOf('{"id": "apt-p", "type": "user", "__proto__": {"export": "raw"}}');
  const doc = r.bodies[0]!.document as Record<string, unknown>;
  expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
  expect(Object.keys(doc)).toEqual(['id', 'type', '__proto__']);
  expect('export' in doc).toBe(false);
});

it('lone surrogates in values and keys become U+FFFD', () => {
  const r = bodiesOf('{"id": "apt-p", "x-\\udfffk": "a\\ud800b"}');
  expect(r.bodies[0]!.document).toEqual({ id: 'apt-p', 'x-\ufffdk': 'a\ufffdb' });
});
