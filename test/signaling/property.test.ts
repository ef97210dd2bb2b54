import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAiPrefHeader } from '../../src/signaling/ai-pref-header.js';
import { looksLikeSip } from '../../src/signaling/looks-like-sip.js';
import { parseAiPrefAttribute } from '../../src/signaling/sdp-aipref.js';
import { parseSdp } from '../../src/signaling/sdp.js';
import { SipFlowDemux } from '../../src/signaling/sip-flows.js';
import { parseSipMessage } from '../../src/signaling/sip-message.js';
import { SipStreamFramer } from '../../src/signaling/sip-stream.js';
import { WebSocketFrameDecoder } from '../../src/signaling/websocket-frames.js';
import { bytesOf, sipText } from './sip-fixtures.js';

const RUNS = { numRuns: 200 };

const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,12}$/);
const lowerToken = fc.stringMatching(/^[a-z0-9-]{1,10}$/);

/** An AI-Pref value as the grammar allows it, and what parsing it must give. */
const aiPrefValue = fc.record({
  id: token,
  scope: fc.option(lowerToken, { nil: null }),
  type: fc.option(lowerToken, { nil: null }),
  version: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
  uri: fc.option(fc.stringMatching(/^https:\/\/[a-z]{1,8}\.example\/[a-z0-9/?=&;,]{0,16}$/), { nil: null }),
  extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,6}$/), lowerToken, { maxKeys: 2 }),
});

function format(v: { id: string; scope: string | null; type: string | null; version: number | null; uri: string | null; extra: Record<string, string> }, upper: boolean): string {
  const name = (n: string): string => (upper ? n.toUpperCase() : n);
  let s = v.id;
  if (v.scope !== null) s += `;${name('scope')}=${v.scope}`;
  if (v.type !== null) s += ` ; ${name('type')} = ${v.type}`;
  if (v.version !== null) s += `;${name('version')}=${v.version}`;
  if (v.uri !== null) s += `;uri=<${v.uri}>`;
  for (const [k, x] of Object.entries(v.extra)) s += `;${k}=${x}`;
  return s;
}

describe('properties', () => {
  test('AI-Pref: any grammatical list parses back to what was written', () => {
    fc.assert(
      fc.property(fc.array(aiPrefValue, { minLength: 1, maxLength: 4 }), fc.boolean(), (values, upper) => {
        const r = parseAiPrefHeader(values.map((v) => format(v, upper)).join(' , '));
        expect(r.errors).toEqual([]);
        expect(r.values.map((v) => ({ id: v.id, scope: v.scope, type: v.type, version: v.version, uri: v.uri, extra: v.params }))).toEqual(values);
      }),
      RUNS,
    );
  });

  test('text parsers never throw on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        parseAiPrefHeader(text);
        parseAiPrefAttribute(text);
        parseSdp(text);
        parseSdp('v=0\r\nm=audio 1 RTP/AVP 0\r\na=' + text);
      }),
      RUNS,
    );
  });

  test('byte parsers never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('', 'INVITE sip:x SIP/2.0\r\n', 'SIP/2.0 200 OK\r\nContent-Length: 9\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n'), (junk, prefix) => {
        const b = Uint8Array.from([...bytesOf(prefix), ...junk]);
        parseSipMessage(b, 0, b.length);
        looksLikeSip(b, 0, b.length);
        new SipStreamFramer().push(b);
        new WebSocketFrameDecoder().push(b);
        new SipFlowDemux().push('k', b, 0, b.length);
      }),
      RUNS,
    );
  });

  test('TCP framing does not depend on how the stream was cut', () => {
    const messages = [
      sipText(['INVITE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: m0', 'CSeq: 1 INVITE', 'Content-Type: application/sdp'], 'v=0\r\ns=é\r\n'),
      sipText(['SIP/2.0 100 Trying', 'From: <sip:a@x>;tag=1', 'Call-ID: m1', 'CSeq: 1 INVITE']),
      '\r\n\r\n',
      sipText(['BYE sip:x SIP/2.0', 'f: <sip:a@x>;tag=1', 'i: m2', 'CSeq: 2 BYE']),
    ];
    const all = bytesOf(messages.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 12 }), (cuts) => {
        const framer = new SipStreamFramer();
        const points = [0, ...cuts.sort((a, b) => a - b), all.length];
        const ids: (string | null)[] = [];
        for (let i = 0; i + 1 < points.length; i++) for (const r of framer.push(all.slice(points[i], points[i + 1]))) ids.push(r.message?.callId ?? null);
        expect(ids).toEqual(['m0', 'm1', 'm2']);
      }),
      RUNS,
    );
  });
});
