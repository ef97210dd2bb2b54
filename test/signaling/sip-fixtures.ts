/** Builders for SIP test messages: header lines joined with CRLF, Content-Length computed. */
import { readFile } from 'node:fs/promises';
import type { SipContext } from '../../src/signaling/dialog-events.js';
import { parseSipMessage, type SipMessage, type SipParseResult } from '../../src/signaling/sip-message.js';

const encoder = new TextEncoder();

export function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A message from its start line and header lines; Content-Length is added unless one is given. */
export function sipText(lines: string[], body = ''): string {
  const hasLength = lines.some((l) => /^(content-length|l)\s*:/i.test(l));
  const all = hasLength ? lines : [...lines, `Content-Length: ${encoder.encode(body).length}`];
  return all.join('\r\n') + '\r\n\r\n' + body;
}

export function parseText(text: string): { message: SipMessage; errors: string[] } {
  const b = bytesOf(text);
  const r = parseSipMessage(b, 0, b.length);
  if (!r.message) throw new Error(`fixture did not parse: ${JSON.stringify(r.errors)}`);
  return { message: r.message, errors: r.errors.map((e) => e.reason) };
}

export function sdpText(lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

/** A minimal audio SDP; extra lines are appended at session level or after the m-line. */
export function audioSdp(opts: { ip?: string; port?: number; session?: string[]; media?: string[]; version?: number } = {}): string {
  const ip = opts.ip ?? '192.0.2.1';
  return sdpText([
    'v=0',
    `o=- 1 ${opts.version ?? 1} IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    ...(opts.session ?? []),
    `m=audio ${opts.port ?? 4000} RTP/AVP 0`,
    ...(opts.media ?? []),
  ]);
}

/**
 * A message of a call from alice (tag a1) to bob, parsed: its start line, Call-ID and CSeq
 * ("1 INVITE"); bob's tag, an AI-Pref value, other header lines and an SDP body when given. Requests and responses
 * of one transaction share the Via branch.
 */
export function callMessage(start: string, o: { callId: string; cseq: string; toTag?: string; aiPref?: string; sdp?: string; headers?: string[] }): SipParseResult {
  const bytes = bytesOf(
    sipText(
      [
        start,
        `Via: SIP/2.0/UDP a.example;branch=z9hG4bK-${o.callId}-${o.cseq.replace(' ', '-')}`,
        'From: <sip:alice@a.example>;tag=a1',
        `To: <sip:bob@b.example>${o.toTag ? `;tag=${o.toTag}` : ''}`,
        `Call-ID: ${o.callId}`,
        `CSeq: ${o.cseq}`,
        ...(o.aiPref ? [`AI-Pref: ${o.aiPref}`] : []),
        ...(o.headers ?? []),
        ...(o.sdp ? ['Content-Type: application/sdp'] : []),
      ],
      o.sdp ?? '',
    ),
  );
  return parseSipMessage(bytes, 0, bytes.length);
}

/** Where callMessage's messages are seen: as frame `frame`, over UDP, `frame` seconds after 1000. */
export function udpContext(frame: number): SipContext {
  return { frame, ts: 1000 + frame, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' };
}

/** The callee's 200 answering samples/sip/invite-bundle.sip (its SDP echoed): the offer's statement parts are in force from there. */
export async function sampleInviteAnswer(): Promise<SipParseResult> {
  const invite = await readFile('samples/sip/invite-bundle.sip', 'utf8');
  const [head, sdp] = invite.split('\r\n\r\n') as [string, string];
  const lines = head.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq|Content-Type):/i.test(l)).map((l) => (/^To:/i.test(l) ? `${l};tag=callee1` : l));
  const text = ['SIP/2.0 200 OK', ...lines, `Content-Length: ${Buffer.byteLength(sdp)}`].join('\r\n') + '\r\n\r\n' + sdp;
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
}
