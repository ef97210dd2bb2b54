/**
 * SIP messages as common stacks emit them (shapes taken from their documented/captured output),
 * for the call A (10.0.0.1, audio 4000, SSRC 1111) → B (10.0.0.2) of test/e2e/hand-built-calls.ts:
 * Call-ID CALL, From tag aaa, To tag bbb. Each is a [name, start line + header lines] pair; `wire`
 * turns lines plus a body into bytes with Content-Length.
 */
import { CALL, sdpOf } from '../../e2e/hand-built-calls.js';

const enc = new TextEncoder();

/** header lines + body → bytes, Content-Length (bytes) appended unless `length` overrides it (null: none) */
export function wire(lines: string[], body = '', length?: number | null): Uint8Array {
  const n = length === undefined ? enc.encode(body).length : length;
  return enc.encode([...lines, ...(n === null ? [] : [`Content-Length: ${n}`]), '', body].join('\r\n'));
}

export const OFFER = sdpOf('a', []);
export const ANSWER = sdpOf('b', []);

/** INVITEs (with the offer) in the shapes of common stacks. */
export const INVITES: [string, string[]][] = [
  [
    'Asterisk chan_sip',
    [
      'INVITE sip:b@10.0.0.2 SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK0a1b2c3d;rport',
      'Max-Forwards: 70',
      'From: "Alice" <sip:a@10.0.0.1>;tag=aaa',
      'To: <sip:b@10.0.0.2>',
      'Contact: <sip:a@10.0.0.1:5060>',
      `Call-ID: ${CALL}`,
      'CSeq: 102 INVITE',
      'User-Agent: Asterisk PBX 16.2.1',
      'Date: Sat, 05 Dec 2026 19:00:00 GMT',
      'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE',
      'Supported: replaces, timer',
      'Content-Type: application/sdp',
    ],
  ],
  [
    'Asterisk pjsip (IPv6 Via/Contact, rport, alias)',
    [
      'INVITE sip:b@10.0.0.2:5060 SIP/2.0',
      'Via: SIP/2.0/UDP [2001:db8::1]:5060;rport;branch=z9hG4bKPj6a1f0c2e-8f9a-4b5c-9d3e-2f1a0b9c8d7e;alias',
      'From: "Alice \\"The Boss\\" A." <sip:a@[2001:db8::1]>;tag=aaa',
      'To: <sip:b@10.0.0.2>',
      'Contact: <sip:a@[2001:db8::1]:5060;ob>',
      `Call-ID: ${CALL}`,
      'CSeq: 27516 INVITE',
      'Allow: OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, INVITE, ACK, BYE, CANCEL, UPDATE, PRACK, MESSAGE, REFER',
      'Supported: 100rel, timer, replaces, norefersub',
      'Session-Expires: 1800',
      'Min-SE: 90',
      'Max-Forwards: 70',
      'User-Agent: Asterisk PBX 18.10.0',
      'Content-Type: application/sdp',
    ],
  ],
  [
    'FreeSWITCH sofia',
    [
      'INVITE sip:b@10.0.0.2;transport=udp SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bKmF3t7a8S0BQeN',
      'Max-Forwards: 69',
      'From: "Extension 1000" <sip:a@10.0.0.1>;tag=aaa',
      'To: <sip:b@10.0.0.2;transport=udp>',
      `Call-ID: ${CALL}`,
      'CSeq: 93117321 INVITE',
      'Contact: <sip:mod_sofia@10.0.0.1:5080>',
      'User-Agent: FreeSWITCH-mod_sofia/1.10.7-release~64bit',
      'Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY',
      'Supported: timer, path, replaces',
      'Allow-Events: talk, hold, conference, refer',
      'Content-Type: application/sdp',
      'Content-Disposition: session',
      'X-FS-Support: update_display,send_info',
      'Remote-Party-ID: "Extension 1000" <sip:1000@10.0.0.1>;party=calling;screen=yes;privacy=off',
    ],
  ],
  [
    'Kamailio/OpenSIPS proxied (two Vias, received/rport filled, lr routes, spaces around ; and ,)',
    [
      'INVITE sip:b@10.0.0.2:5060 SIP/2.0',
      'Record-Route: <sip:10.0.0.9;lr;ftag=aaa;did=a1b.c2d1>',
      'Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK1c2d.5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b.0 , SIP/2.0/UDP 10.0.0.1:5060 ; received=198.51.100.7 ; rport=40312 ; branch=z9hG4bK-524287-1---c0ffee',
      'Via: SIP/2.0/TCP [2001:db8::7]:5060;branch=z9hG4bKabc;received=2001:db8::7;rport=5060',
      'Max-Forwards: 69',
      'Route: <sip:10.0.0.2;lr>, <sip:[2001:db8::9];lr;transport=tcp>',
      'Contact: <sip:a@198.51.100.7:40312;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";expires=3600',
      'To: <sip:b@10.0.0.2>',
      'From: "Alice" <sip:a@10.0.0.1>;tag=aaa',
      `Call-ID: ${CALL}`,
      'CSeq: 1 INVITE',
      'P-Asserted-Identity: "Alice" <sip:+15551230000@10.0.0.1;user=phone>',
      'Content-Type: application/sdp',
    ],
  ],
  [
    'Cisco CUBE',
    [
      'INVITE sip:+15557654321@10.0.0.2:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK3A1F2B',
      'Remote-Party-ID: "Alice" <sip:+15551230000@10.0.0.1>;party=calling;screen=no;privacy=off',
      'From: "Alice" <sip:+15551230000@10.0.0.1>;tag=aaa',
      'To: <sip:+15557654321@10.0.0.2>',
      'Date: Sat, 05 Dec 2026 19:00:00 GMT',
      `Call-ID: ${CALL}`,
      'Supported: 100rel,timer,resource-priority,replaces,sdp-anat',
      'Min-SE:  1800',
      'Cisco-Guid: 1234567890-2345678901-3456789012-4567890123',
      'User-Agent: Cisco-SIPGateway/IOS-16.12.4',
      'Allow: INVITE, OPTIONS, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY, INFO, REGISTER',
      'CSeq: 101 INVITE',
      'Timestamp: 1764961200',
      'Contact: <sip:+15551230000@10.0.0.1:5060>',
      'Expires: 180',
      'Allow-Events: telephone-event',
      'Max-Forwards: 69',
      'Session-Expires:  1800',
      'Content-Type: application/sdp',
      'Content-Disposition: session;handling=required',
    ],
  ],
  [
    'Microsoft Teams Direct Routing (TLS, FQDN Record-Route, X-MS headers)',
    [
      'INVITE sip:+15557654321@sbc.example.com:5061;user=phone;transport=tls SIP/2.0',
      'FROM: <sip:+15551230000@sip.pstnhub.microsoft.com:5061;user=phone;transport=tls>;tag=aaa',
      'TO: <sip:+15557654321@sbc.example.com:5061;user=phone>',
      'CSEQ: 1 INVITE',
      `CALL-ID: ${CALL}`,
      'MAX-FORWARDS: 70',
      'VIA: SIP/2.0/TLS 52.114.75.24:5061;branch=z9hG4bKc4fbd1c0',
      'RECORD-ROUTE: <sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;lr>',
      'CONTACT: <sip:api-du-a-usea.pstnhub.microsoft.com:443/v1/ng/callbacks/1;transport=tls>',
      'CONTENT-TYPE: application/sdp',
      'USER-AGENT: Microsoft.PSTNHub.SIPProxy v.2026.11.3.1 i.USEA.8',
      'X-MS-SBC-HOST: sbc.example.com',
      'ALLOW: INVITE,ACK,OPTIONS,CANCEL,BYE,NOTIFY',
      'SUPPORTED: timer',
      'P-Asserted-Identity: <tel:+15551230000>',
      'X-MS-TenantId: 00000000-0000-0000-0000-000000000000',
    ],
  ],
  [
    'WebRTC sip.js over WSS (.invalid hosts)',
    [
      'INVITE sip:b@10.0.0.2 SIP/2.0',
      'Via: SIP/2.0/WSS 7hkq3b5o9s3c.invalid;branch=z9hG4bK2489914',
      'To: <sip:b@10.0.0.2>',
      'From: "Alice" <sip:a@10.0.0.1>;tag=aaa',
      'CSeq: 2 INVITE',
      `Call-ID: ${CALL}`,
      'Max-Forwards: 70',
      'Contact: <sip:k2vj8w1d@7hkq3b5o9s3c.invalid;transport=ws;ob>',
      'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
      'Supported: outbound',
      'User-Agent: SIP.js/0.21.2',
      'Content-Type: application/sdp',
    ],
  ],
  [
    'WebRTC JsSIP over WSS (Route ;lr, compact-free, Contact with +sip.ice)',
    [
      'INVITE sip:b@10.0.0.2 SIP/2.0',
      'Route: <sip:proxy.example.com:443;transport=wss;lr>',
      'Via: SIP/2.0/WSS 0a1b2c3d4e5f.invalid;branch=z9hG4bK8061712',
      'Max-Forwards: 69',
      'To: <sip:b@10.0.0.2>',
      'From: "Alice" <sip:a@10.0.0.1>;tag=aaa',
      `Call-ID: ${CALL}`,
      'CSeq: 7493 INVITE',
      'Contact: <sip:x1y2z3@0a1b2c3d4e5f.invalid;transport=ws;ob>;+sip.ice',
      'Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY',
      'Supported: ice,replaces,outbound',
      'User-Agent: JsSIP 3.10.0',
      'Content-Type: application/sdp',
    ],
  ],
];

/** 200 OK answers in stack shapes (each echoes the INVITE's Via list, CSeq 1 INVITE as ack()/ok200 in torture-calls use). */
export const ANSWERS: [string, string[]][] = [
  [
    'Asterisk 200 with rport/received filled and IPv6 Contact',
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;rport=5060;received=10.0.0.1;branch=z9hG4bKtort1',
      'Record-Route: <sip:10.0.0.9;lr>',
      'Contact: <sip:b@[2001:db8::2]:5060>',
      'To: <sip:b@10.0.0.2>;tag=bbb',
      'From: "Alice \\"A\\"" <sip:a@10.0.0.1>;tag=aaa',
      `Call-ID: ${CALL}`,
      'CSeq: 1 INVITE',
      'Server: Asterisk PBX 18.10.0',
      'Content-Type: application/sdp',
    ],
  ],
  [
    'Kamailio-forwarded 200 with two Via entries in one header, LWS around , and ;',
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 10.0.0.1:5060 ;branch=z9hG4bKtort1 ;rport=5060 ;received=10.0.0.1 ,  SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bKorig',
      'Record-Route: <sip:10.0.0.9;lr;ftag=aaa>, <sip:[2001:db8::9];r2=on;lr>',
      'To: <sip:b@10.0.0.2>;tag=bbb',
      'From: <sip:a@10.0.0.1>;tag=aaa',
      `Call-ID: ${CALL}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:b@10.0.0.2:5060;transport=udp>',
      'Content-Type: application/sdp',
    ],
  ],
];
