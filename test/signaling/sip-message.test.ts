import { describe, expect, test } from 'vitest';
import { aiPrefBodyParts, firstHeader, headerValues, parseSipMessage, sdpBodyOf } from '../../src/signaling/sip-message.js';
import { looksLikeSip } from '../../src/signaling/looks-like-sip.js';
import { bytesOf, parseText, sipText } from './sip-fixtures.js';

const INVITE = sipText(
  [
    'INVITE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds , SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1',
    'Max-Forwards: 70',
    'To: Bob <sip:bob@example.com>',
    'From: "Alice, A." <sip:alice@example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    'CSeq: 314159 INVITE',
    'Contact: <sip:alice@pc33.example.com>',
    'Content-Type: application/sdp',
  ],
  'v=0\r\n',
);

describe('parseSipMessage: start lines and well-known headers', () => {
  test('the SIP-Version in any case (RFC 3261 §7.1), a Content-Length with leading zeros (1*DIGIT)', () => {
    const lower = parseText(INVITE.replace('SIP/2.0\r\n', 'sip/2.0\r\n').replace('Content-Length: 5', 'Content-Length: 0000000000005'));
    expect(lower.errors).toEqual([]);
    expect(lower.message).toMatchObject({ kind: 'request', method: 'INVITE', contentLength: 5 });
    expect(sdpBodyOf(lower.message)).toBe('v=0\r\n');
    const b = bytesOf(sipText(['Sip/2.0 200 OK', 'Call-ID: x@y', 'CSeq: 1 INVITE', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>;tag=2', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1']));
    expect(parseSipMessage(b, 0, b.length).message).toMatchObject({ kind: 'response', status: 200 });
    // and the datagram classifier takes both for SIP
    expect(looksLikeSip(b, 0, b.length)).toBe(true);
    const request = bytesOf('INVITE sip:bob@example.com sip/2.0\r\n\r\n');
    expect(looksLikeSip(request, 0, request.length)).toBe(true);
  });

  test('request fields', () => {
    const { message: m, errors } = parseText(INVITE);
    expect(errors).toEqual([]);
    expect(m).toMatchObject({
      kind: 'request',
      method: 'INVITE',
      requestUri: 'sip:bob@example.com',
      status: 0,
      callId: 'a84b4c76e66710@pc33.example.com',
      fromTag: '1928301774',
      fromUri: 'sip:alice@example.com',
      toTag: null,
      toUri: 'sip:bob@example.com',
      cseq: { seq: 314159, method: 'INVITE' },
      viaBranch: 'z9hG4bK776asdhds',
      contentType: 'application/sdp',
      contentLength: 5,
    });
    expect(headerValues(m, 'via')).toHaveLength(2);
    expect(sdpBodyOf(m)).toBe('v=0\r\n');
    expect(m.byteLength).toBe(bytesOf(INVITE).length);
  });

  test('response fields', () => {
    const { message: m } = parseText(
      sipText(['SIP/2.0 180 Ringing', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:a@x>;tag=a1', 'To: <sip:b@y>;tag=b2', 'Call-ID: c1', 'CSeq: 1 INVITE']),
    );
    expect(m).toMatchObject({ kind: 'response', status: 180, reason: 'Ringing', method: '', fromTag: 'a1', toTag: 'b2', body: new Uint8Array(0) });
  });

  test('compact forms and mixed-case names are stored as lowercased full names', () => {
    const { message: m } = parseText(
      sipText(['OPTIONS sip:x SIP/2.0', 'v: SIP/2.0/TCP h;BRANCH=z9hG4bKc', 'f: <sip:a@x>;TAG=t1', 't: <sip:b@x>', 'i: compact-1', 'CSEQ: 7 OPTIONS', 'k: timer', 'm: <sip:a@h>', 'o: dialog', 'x: 1800', 'c: text/plain'], 'hi'),
    );
    expect(m.headers.map((h) => h.name)).toEqual(['via', 'from', 'to', 'call-id', 'cseq', 'supported', 'contact', 'event', 'session-expires', 'content-type', 'content-length']);
    expect(m).toMatchObject({ callId: 'compact-1', fromTag: 't1', viaBranch: 'z9hG4bKc', contentType: 'text/plain', contentLength: 2 });
  });

  test('folded header lines are joined with one space', () => {
    const { message: m } = parseText(
      sipText(['MESSAGE sip:x SIP/2.0', 'Subject: I know you\'re there,', '   pick up the phone', '\t and talk to me!', 'From: <sip:a@x>;tag=1', 'Call-ID: f', 'CSeq: 1 MESSAGE']),
    );
    expect(firstHeader(m, 'subject')!.value).toBe("I know you're there, pick up the phone and talk to me!");
  });

  test('lists split on commas outside quotes and <>, several instances kept in order', () => {
    const { message: m } = parseText(
      sipText([
        'INVITE sip:x SIP/2.0',
        'Route: <sip:p1@x;lr>, <sip:p2@x;lr;a=1,2>',
        'Route: "q, r" <sip:p3@x>',
        'Allow: INVITE,ACK , BYE',
        'From: <sip:a@x>;tag=1',
        'Call-ID: f',
        'CSeq: 1 INVITE',
      ]),
    );
    expect(headerValues(m, 'route')).toEqual(['<sip:p1@x;lr>', '<sip:p2@x;lr;a=1,2>', '"q, r" <sip:p3@x>']);
    expect(headerValues(m, 'allow')).toEqual(['INVITE', 'ACK', 'BYE']);
  });

  test('leading CRLFs are skipped (RFC 3261 §7.5)', () => {
    const { message: m } = parseText('\r\n\r\n' + INVITE);
    expect(m.method).toBe('INVITE');
  });

  test('bare LF line endings are tolerated', () => {
    const { message: m } = parseText(INVITE.replace(/\r\n/g, '\n').replace('Content-Length: 5', 'Content-Length: 4'));
    expect(m.callId).toBe('a84b4c76e66710@pc33.example.com');
    expect(sdpBodyOf(m)).toBe('v=0\n');
  });

  test('Content-Length shorter than the datagram: the rest is not body', () => {
    const text = INVITE + 'trailing junk';
    const b = bytesOf(text);
    const r = parseSipMessage(b, 0, b.length);
    expect(new TextDecoder().decode(r.message!.body)).toBe('v=0\r\n');
  });

  test('parses at an offset within a larger buffer', () => {
    const inner = bytesOf(INVITE);
    const b = new Uint8Array(inner.length + 20);
    b.set(inner, 10);
    const r = parseSipMessage(b, 10, inner.length);
    expect(r.errors).toEqual([]);
    expect(r.message!.callId).toBe('a84b4c76e66710@pc33.example.com');
  });
});

describe('parseSipMessage: bad input is reported, never thrown', () => {
  const cases: Array<[name: string, text: string, reasons: string[], keeps?: (m: NonNullable<ReturnType<typeof parseSipMessage>['message']>) => void]> = [
    ['empty', '', ['empty-message']],
    ['only CRLFs', '\r\n\r\n', ['empty-message']],
    ['not SIP', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', ['bad-start-line']],
    ['status not 3 digits', 'SIP/2.0 20 OK\r\n\r\n', ['bad-start-line']],
    ['status out of range', sipText(['SIP/2.0 700 Weird', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 1 INVITE']), ['bad-status-code']],
    ['header without colon', sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'garbage line', 'Call-ID: c', 'CSeq: 2 BYE']), ['header-without-colon'], (m) => expect(m.callId).toBe('c')],
    ['bad header name', sipText(['BYE sip:x SIP/2.0', 'Fr om: x', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 2 BYE']), ['bad-header-name']],
    ['no Call-ID', sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'CSeq: 2 BYE']), ['missing-call-id']],
    ['no From tag', sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>', 'Call-ID: c', 'CSeq: 2 BYE']), ['missing-from-tag']],
    ['no CSeq', sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c']), ['missing-cseq']],
    ['bad CSeq', sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: two BYE']), ['bad-cseq'], (m) => expect(m.cseq).toBeNull()],
    ['bad Content-Length', 'BYE sip:x SIP/2.0\r\nFrom: <sip:a@x>;tag=1\r\nCall-ID: c\r\nCSeq: 2 BYE\r\nContent-Length: -3\r\n\r\n', ['bad-content-length']],
    [
      'truncated body keeps what is there',
      'INVITE sip:x SIP/2.0\r\nFrom: <sip:a@x>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 100\r\n\r\nv=0\r\n',
      ['body-truncated'],
      (m) => expect(m.body.length).toBe(5),
    ],
    ['no blank line', 'BYE sip:x SIP/2.0\r\nFrom: <sip:a@x>;tag=1\r\nCall-ID: c\r\nCSeq: 2 BYE', ['no-header-end'], (m) => expect(m.callId).toBe('c')],
  ];
  test.each(cases)('%s', (_name, text, reasons, keeps) => {
    const b = bytesOf(text);
    const r = parseSipMessage(b, 0, b.length);
    expect(r.errors.map((e) => e.reason)).toEqual(reasons);
    if (keeps) keeps(r.message!);
    if (reasons[0] === 'empty-message' || reasons[0] === 'bad-start-line') expect(r.message).toBeNull();
  });

  test('error offsets point into the message', () => {
    const text = sipText(['BYE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'garbage line', 'Call-ID: c', 'CSeq: 2 BYE']);
    const b = bytesOf(text);
    const r = parseSipMessage(b, 0, b.length);
    expect(text.slice(r.errors[0]!.offset).startsWith('garbage line')).toBe(true);
  });

  test('random bytes never throw', () => {
    let seed = 7;
    for (let n = 0; n < 300; n++) {
      const b = new Uint8Array(1 + (n % 200));
      for (let i = 0; i < b.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        b[i] = seed >>> 24;
      }
      if (n % 3 === 0) b.set(bytesOf('INVITE sip:x SIP/2.0\r\n').subarray(0, Math.min(22, b.length)));
      expect(() => parseSipMessage(b, 0, b.length)).not.toThrow();
    }
  });
});

describe('parseSipMessage: multipart bodies (RFC 2046, seed §5.2)', () => {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  const json = '{"apt":"urn:example:apt:1","export":"none"}';
  const body =
    'preamble ignored\r\n' +
    '--boundary42\r\n' +
    'Content-Type: application/sdp\r\n\r\n' +
    sdp +
    '\r\n--boundary42\r\n' +
    'Content-Type: application/aipref+json\r\n' +
    'Content-ID: <apt1@example.com>\r\n\r\n' +
    json +
    '\r\n--boundary42\r\n' +
    'Content-Type: application/aipref+cbor\r\n' +
    'Content-ID: <apt2@example.com>\r\n\r\n' +
    '\u00a1\u0001' +
    '\r\n--boundary42--\r\nepilogue';

  test('SDP, JSON and CBOR parts with their Content-IDs', () => {
    const { message: m, errors } = parseText(
      sipText(['INVITE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 1 INVITE', 'Content-Type: multipart/mixed;boundary="boundary42"'], body),
    );
    expect(errors).toEqual([]);
    expect(m.contentType).toBe('multipart/mixed');
    expect(m.parts.map((p) => [p.contentType, p.contentId])).toEqual([
      ['application/sdp', null],
      ['application/aipref+json', 'apt1@example.com'],
      ['application/aipref+cbor', 'apt2@example.com'],
    ]);
    expect(sdpBodyOf(m)).toBe(sdp);
    const aipref = aiPrefBodyParts(m);
    expect(new TextDecoder().decode(aipref[0]!.bytes)).toBe(json);
    expect([...aipref[1]!.bytes]).toEqual([0xc2, 0xa1, 0x01]);
  });

  test('a boundary that is a prefix of a line in a part is not a delimiter', () => {
    const tricky = '--b1\r\nContent-Type: text/plain\r\n\r\n--b10 is not a delimiter\r\n--b1--\r\n';
    const { message: m, errors } = parseText(sipText(['MESSAGE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 1 MESSAGE', 'Content-Type: multipart/mixed;boundary=b1'], tricky));
    expect(errors).toEqual([]);
    expect(m.parts.map((p) => new TextDecoder().decode(p.bytes))).toEqual(['--b10 is not a delimiter']);
  });

  test('missing boundary parameter and missing close delimiter are reported', () => {
    const noBoundary = parseText(sipText(['INVITE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 1 INVITE', 'Content-Type: multipart/mixed'], body));
    expect(noBoundary.errors).toEqual(['bad-multipart']);
    const unclosed = body.slice(0, body.indexOf('\r\n--boundary42--'));
    const r = parseText(sipText(['INVITE sip:x SIP/2.0', 'From: <sip:a@x>;tag=1', 'Call-ID: c', 'CSeq: 1 INVITE', 'Content-Type: multipart/mixed; boundary=boundary42'], unclosed));
    expect(r.errors).toEqual(['bad-multipart']);
    expect(r.message.parts).toHaveLength(3);
  });
});
