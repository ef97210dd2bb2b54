/** Shared builder of the body-statements review: one call whose INVITE carries a multipart body built byte for byte. */
import { type At, CALL, request, response, sdpOf } from '../../e2e/hand-built-calls.js';
import { type Run, rtcpA, run } from '../../e2e/precedence-review/helpers.js';
import type { Workspace } from '../../e2e/e2e-helpers.js';

export { brief, type Run } from '../../e2e/precedence-review/helpers.js';

/** An INVITE from A with `headers` and the given raw body under `contentType`. */
export function rawInvite(headers: string[], contentType: string, body: Uint8Array | string): Uint8Array {
  const bytes = Buffer.from(body);
  const head = [
    'INVITE sip:b@10.0.0.2 SIP/2.0',
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKINVITE1',
    'From: <sip:a@10.0.0.1>;tag=aaa',
    'To: <sip:b@10.0.0.2>',
    `Call-ID: ${CALL}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:a@10.0.0.1:5060>',
    ...headers,
    `Content-Type: ${contentType}`,
    `Content-Length: ${bytes.length}`,
  ];
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), bytes]);
}

/** The call: that INVITE, B's 200 with SDP, the ACK, then one SR from A's audio stream (SSRC 1111, frame 4). */
export function callWith(ws: Workspace, name: string, invite: Uint8Array): Promise<Run> {
  return run(ws, name, (at: At) => {
    at(0, invite, true);
    at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
    at(0.2, request('ACK', 1, null), true);
    rtcpA(at, 1);
  });
}

/** A's SDP offer as the first part of a multipart body with boundary `bnd`. */
export const sdpPart = (): string => `--bnd\r\nContent-Type: application/sdp\r\n\r\n${sdpOf('a', [])}\r\n`;
