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
import { DialogTracker } from '../../src/signaling/dialogs.js';
import { buildNegotiatedScope } from '../../src/signaling/negotiated-scope.js';
import { diffScopes } from '../../src/signaling/renegotiation.js';
import { audioSdp, bytesOf, sipText } from './sip-fixtures.js';

const RUNS = { numRuns: 200 };

const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,12}$/);
const lowerToken = fc.stringMatching(/^[a-z0-9-]{1,10}$/);

/** An AI-Pref value as the grammar allows it, and what parsing it must give. */
const aiPrefValue = fc.record({
  id: token,
  // the scopes an AI-Pref value may name (an unknown one makes the value unreadable)
  scope: fc.option(fc.constantFrom('dialog', 'media', 'session'), { nil: null }),
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

  test('the dialog tracker survives any order of messages and stays within its bounds', () => {
    const methods = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'UPDATE', 'PRACK', 'INFO'];
    const statuses = [100, 180, 183, 200, 401, 481, 487, 488, 491];
    const sdps = ['', audioSdp(), audioSdp({ port: 0 }), audioSdp({ session: ['a=aipref:session apt-1'] })];
    const message = fc.record({
      response: fc.boolean(),
      method: fc.constantFrom(...methods),
      status: fc.constantFrom(...statuses),
      callId: fc.constantFrom('c1', 'c2', 'c3'),
      fromTag: fc.constantFrom('a', 'b'),
      toTag: fc.constantFrom(null, 'a', 'b', 'x'),
      cseq: fc.integer({ min: 1, max: 4 }),
      sdp: fc.constantFrom(...sdps.keys()),
      aiPref: fc.constantFrom(null, 'apt-2;scope=dialog', 'apt-3;scope=media', 'bad;;'),
      dt: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 40 }), (msgs) => {
        const tracker = new DialogTracker({ maxDialogs: 3, idleTimeoutSec: 100 });
        let ts = 0;
        msgs.forEach((m, i) => {
          ts += m.dt;
          const lines = [
            m.response ? `SIP/2.0 ${m.status} X` : `${m.method} sip:x SIP/2.0`,
            `Via: SIP/2.0/UDP h;branch=z9hG4bK${i}`,
            `From: <sip:f@x>;tag=${m.fromTag}`,
            `To: <sip:t@x>${m.toTag ? `;tag=${m.toTag}` : ''}`,
            `Call-ID: ${m.callId}`,
            `CSeq: ${m.cseq} ${m.method}`,
            ...(m.aiPref ? [`AI-Pref: ${m.aiPref}`] : []),
            ...(m.sdp ? ['Content-Type: application/sdp'] : []),
          ];
          const b = bytesOf(sipText(lines, sdps[m.sdp]));
          const events = tracker.handle(parseSipMessage(b, 0, b.length), { frame: i + 1, ts, src: 'a', dst: 'b', sport: 5060, dport: 5060, transport: 'udp' });
          for (const e of events) expect(e.frame).toBe(i + 1);
          expect(tracker.size).toBeLessThanOrEqual(3);
        });
      }),
      RUNS,
    );
  });

  test('renegotiation: the same SDP twice changes nothing; removals are exactly the identifiers a section lost', () => {
    const section = fc.record({ port: fc.constantFrom(0, 4000, 5000), mid: fc.constantFrom('0', '1', 'a'), apts: fc.subarray(['mid m1', 'group g1', 'session s2']) });
    const sdp = fc.record({ session: fc.subarray(['session s1', 'group g0']), sections: fc.array(section, { minLength: 1, maxLength: 3 }) });
    const text = (d: { session: string[]; sections: { port: number; mid: string; apts: string[] }[] }): string =>
      [
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'a=group:BUNDLE 0 1',
        ...d.session.map((a) => `a=aipref:${a}`),
        ...d.sections.flatMap((m) => [`m=audio ${m.port} RTP/AVP 0`, `a=mid:${m.mid}`, ...m.apts.map((a) => `a=aipref:${a}`)]),
      ].join('\r\n') + '\r\n';
    const scope = (d: Parameters<typeof text>[0]) => buildNegotiatedScope({ caller: { party: 'caller', frame: 1, sdp: parseSdp(text(d)).sdp }, callee: null, offerer: 'caller', headers: [] });
    fc.assert(
      fc.property(sdp, sdp, (a, b) => {
        expect(diffScopes(scope(a), scope(a)).unchanged).toBe(true);
        const before = scope(a);
        const after = scope(b);
        const diff = diffScopes(before, after);
        const lost = before.sections.flatMap((s) => s.apts.map((x) => `${s.index}:${x.id}`)).filter((k) => {
          const [i, id] = k.split(':');
          return !(after.sections[Number(i)]?.apts ?? []).some((x) => x.id === id);
        });
        expect(diff.removed.map((r) => `${r.index}:${r.id}`).sort()).toEqual([...new Set(lost)].sort());
      }),
      RUNS,
    );
  });
});
