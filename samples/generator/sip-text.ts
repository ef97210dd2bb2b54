/**
 * SIP messages of a planned call (RFC 3261 over UDP): INVITE with an SDP offer, 100/180/200,
 * ACK, a mid-dialog re-INVITE, BYE/200 — with the `AI-Pref` header of seed §5.1 and, for
 * some calls, a multipart body with an application/aipref+json part (§5.2).
 */
import { catalogStatement } from './apt-catalog.js';
import { aiprefContentId, type AiPrefValue, type CallPlan } from './call-plan.js';

export type SipHeader = readonly [name: string, value: string];

const SIP_DOMAIN_CALLER = 'example.com';
const SIP_DOMAIN_CALLEE = 'example.net';

/** Serialises a message; Content-Length is computed here so it can never be wrong. */
export function formatSipMessage(startLine: string, headers: readonly SipHeader[], body = ''): string {
  const bodyBytes = Buffer.byteLength(body, 'utf8');
  const lines = [startLine, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${bodyBytes}`];
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

export function formatAiPrefValue(v: AiPrefValue): string {
  // Identifiers with ':' are not SIP tokens, so they travel as quoted strings.
  const id = /^[A-Za-z0-9.!%*_+`'~-]+$/.test(v.id) ? v.id : `"${v.id}"`;
  const params = Object.entries(v.params).map(([k, val]) => (k === 'uri' ? `;uri=<${val}>` : `;${k}=${val}`));
  return id + params.join('');
}

export function aiPrefHeaderValue(call: CallPlan): string {
  return call.aiPref.map(formatAiPrefValue).join(', ');
}

function branch(call: CallPlan, cseq: number, method: string, side: 'caller' | 'callee'): string {
  return `z9hG4bK${call.callId.slice(0, 10)}${side === 'caller' ? 'a' : 'b'}${cseq}${method.toLowerCase()}`;
}

function callerUri(call: CallPlan): string {
  return `sip:${call.caller.user}@${SIP_DOMAIN_CALLER}`;
}
function calleeUri(call: CallPlan): string {
  return `sip:${call.callee.user}@${SIP_DOMAIN_CALLEE}`;
}

export interface InviteOptions {
  cseq: number;
  sdp: string;
  /** a re-INVITE carries the To tag and is sent to the callee's Contact */
  inDialog: boolean;
}


function aiprefJsonPart(call: CallPlan): string {
  const statements = call.aiPref.map((v) => ({ id: v.id, ...catalogStatement(v.id) }));
  return JSON.stringify({ version: 1, statements }, null, 2);
}

/** The INVITE body: plain SDP, or SDP plus the APT statements as a multipart/mixed body. */
function inviteBody(call: CallPlan, sdp: string): { contentType: string; body: string } {
  if (call.body === 'sdp') return { contentType: 'application/sdp', body: sdp };
  const boundary = `aipref-${call.callId.slice(0, 12)}`;
  const body = [
    `--${boundary}`,
    'Content-Type: application/sdp',
    '',
    sdp,
    `--${boundary}`,
    'Content-Type: application/aipref+json',
    `Content-ID: <${aiprefContentId(call.index)}>`,
    'Content-Disposition: aipref;handling=optional',
    '',
    aiprefJsonPart(call),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { contentType: `multipart/mixed;boundary=${boundary}`, body };
}

export function buildInvite(call: CallPlan, o: InviteOptions): string {
  const { caller, callee } = call;
  const requestUri = o.inDialog ? `sip:${callee.user}@${callee.address}:5060` : calleeUri(call);
  const { contentType, body } = o.inDialog ? { contentType: 'application/sdp', body: o.sdp } : inviteBody(call, o.sdp);
  const headers: SipHeader[] = [
    ['Via', `SIP/2.0/UDP ${caller.address}:5060;branch=${branch(call, o.cseq, 'INVITE', 'caller')};rport`],
    ['Max-Forwards', '70'],
    ['From', `"Alice ${call.index}" <${callerUri(call)}>;tag=${caller.tag}`],
    ['To', `<${calleeUri(call)}>${o.inDialog ? `;tag=${callee.tag}` : ''}`],
    ['Call-ID', call.callId],
    ['CSeq', `${o.cseq} INVITE`],
    ['Contact', `<sip:${caller.user}@${caller.address}:5060>`],
    ['AI-Pref', aiPrefHeaderValue(call)],
    ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE'],
    ['Supported', 'timer, replaces'],
    ['User-Agent', 'aipref-samples/1.0'],
    ['Content-Type', contentType],
  ];
  return formatSipMessage(`INVITE ${requestUri} SIP/2.0`, headers, body);
}

export interface ResponseOptions {
  status: number;
  reason: string;
  cseq: number;
  method: string;
  /** the request's sender: its Via and tags are echoed */
  requestFrom: 'caller' | 'callee';
  /** 100 Trying goes out before the UAS has picked its tag */
  withToTag: boolean;
  sdp?: string;
  extraHeaders?: readonly SipHeader[];
}

export function buildResponse(call: CallPlan, o: ResponseOptions): string {
  const requester = o.requestFrom === 'caller' ? call.caller : call.callee;
  const responder = o.requestFrom === 'caller' ? call.callee : call.caller;
  const fromHeader =
    o.requestFrom === 'caller'
      ? `"Alice ${call.index}" <${callerUri(call)}>;tag=${call.caller.tag}`
      : `<${calleeUri(call)}>;tag=${call.callee.tag}`;
  const toUri = o.requestFrom === 'caller' ? calleeUri(call) : callerUri(call);
  const headers: SipHeader[] = [
    ['Via', `SIP/2.0/UDP ${requester.address}:5060;branch=${branch(call, o.cseq, o.method, o.requestFrom)};rport=5060;received=${requester.address}`],
    ['From', fromHeader],
    ['To', `<${toUri}>${o.withToTag ? `;tag=${responder.tag}` : ''}`],
    ['Call-ID', call.callId],
    ['CSeq', `${o.cseq} ${o.method}`],
  ];
  // Contact is for dialog-forming responses (RFC 3261 §12.1.1), not for errors.
  if (o.status >= 180 && o.status < 300 && o.method === 'INVITE') headers.push(['Contact', `<sip:${responder.user}@${responder.address}:5060>`]);
  if (o.extraHeaders) headers.push(...o.extraHeaders);
  if (o.sdp !== undefined) headers.push(['Content-Type', 'application/sdp']);
  return formatSipMessage(`SIP/2.0 ${o.status} ${o.reason}`, headers, o.sdp ?? '');
}

/**
 * The ACK of an INVITE. For a 2xx it is a transaction of its own (new branch); for an error
 * response it belongs to the INVITE's transaction and reuses its branch (RFC 3261 §17.1.1.3).
 */
export function buildAck(call: CallPlan, cseq: number, answer: 'success' | 'failure' = 'success'): string {
  const { caller, callee } = call;
  const viaBranch = branch(call, cseq, answer === 'success' ? 'ACK' : 'INVITE', 'caller');
  const headers: SipHeader[] = [
    ['Via', `SIP/2.0/UDP ${caller.address}:5060;branch=${viaBranch};rport`],
    ['Max-Forwards', '70'],
    ['From', `"Alice ${call.index}" <${callerUri(call)}>;tag=${caller.tag}`],
    ['To', `<${calleeUri(call)}>;tag=${callee.tag}`],
    ['Call-ID', call.callId],
    ['CSeq', `${cseq} ACK`],
  ];
  return formatSipMessage(`ACK sip:${callee.user}@${callee.address}:5060 SIP/2.0`, headers);
}

export function buildBye(call: CallPlan, from: 'caller' | 'callee', cseq: number): string {
  const sender = from === 'caller' ? call.caller : call.callee;
  const receiver = from === 'caller' ? call.callee : call.caller;
  const headers: SipHeader[] =
    from === 'caller'
      ? [
          ['From', `"Alice ${call.index}" <${callerUri(call)}>;tag=${call.caller.tag}`],
          ['To', `<${calleeUri(call)}>;tag=${call.callee.tag}`],
        ]
      : [
          ['From', `<${calleeUri(call)}>;tag=${call.callee.tag}`],
          ['To', `"Alice ${call.index}" <${callerUri(call)}>;tag=${call.caller.tag}`],
        ];
  return formatSipMessage(
    `BYE sip:${receiver.user}@${receiver.address}:5060 SIP/2.0`,
    [
      ['Via', `SIP/2.0/UDP ${sender.address}:5060;branch=${branch(call, cseq, 'BYE', from)};rport`],
      ['Max-Forwards', '70'],
      ...headers,
      ['Call-ID', call.callId],
      ['CSeq', `${cseq} BYE`],
      ['Reason', 'Q.850;cause=16;text="Normal call clearing"'],
    ],
  );
}
