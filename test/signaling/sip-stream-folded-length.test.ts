/**
 * SIP over TCP framing (RFC 3261 §18.3, §7.3.1). Content-Length = ("Content-Length" / "l")
 * HCOLON 1*DIGIT, HCOLON = *( SP / HTAB ) ":" SWS, SWS = [LWS], LWS = [*WSP CRLF] 1*WSP: the
 * value may be on a folded continuation line. The framer's regex only looked on the header's
 * first line, takes the message as bodiless, and the SDP body (with its a=aipref) is lost as
 * "garbage" — while parseSipMessage itself unfolds the header and reads the length.
 */
import { describe, expect, test } from 'vitest';
import { SipStreamFramer } from '../../src/signaling/sip-stream.js';
import { parseSipMessage, sdpBodyOf } from '../../src/signaling/sip-message.js';
import { bytesOf } from './sip-fixtures.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=aipref:session apt9 export=none\r\nm=audio 4000 RTP/AVP 0\r\n';

function invite(callId: string): string {
  return (
    [
      'INVITE sip:bob@b.example SIP/2.0',
      'Via: SIP/2.0/TCP a.example;branch=z9hG4bK-' + callId,
      'From: <sip:alice@a.example>;tag=a1',
      'To: <sip:bob@b.example>',
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      'Content-Type: application/sdp',
      'Content-Length:',
      `  ${Buffer.byteLength(SDP)}`,
    ].join('\r\n') +
    '\r\n\r\n' +
    SDP
  );
}

describe('SipStreamFramer: folded Content-Length (LWS after HCOLON)', () => {
  test('two such messages on one stream come out whole, bodies included', () => {
    // the message parser itself unfolds the header and reads the length (a valid message)
    const one = bytesOf(invite('c1'));
    expect(parseSipMessage(one, 0, one.length).message!.contentLength).toBe(Buffer.byteLength(SDP));

    const framer = new SipStreamFramer();
    const out = framer.push(bytesOf(invite('c1') + invite('c2')));
    const messages = out.filter((r) => r.message !== null);
    expect(messages.map((r) => r.message!.callId)).toEqual(['c1', 'c2']);
    expect(messages.map((r) => sdpBodyOf(r.message!))).toEqual([SDP, SDP]);
    expect(out.flatMap((r) => r.errors.map((e) => e.reason))).toEqual([]);
  });
});
