/**
 * RFC 4475 §3.1 torture messages (transcribed; lines joined with CRLF). Strings are byte strings:
 * every character is one byte (latin1), so the UTF-8 and control bytes of the RFC are written as \xNN.
 */
export const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const crlf = (lines: string[]): string => lines.join('\r\n');
const len = (body: string): number => body.length;

export const WSINV_SDP = crlf(['v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.3', 's=-', 'c=IN IP4 192.0.2.4', 't=0 0', 'm=audio 49217 RTP/AVP 0 12', 'm=video 3227 RTP/AVP 31', 'a=rtpmap:31 LPC', '']);

/** §3.1.1.1 wsinv, verbatim (its To carries a tag). */
export const WSINV = crlf([
  'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0',
  'TO :',
  ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
  'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>',
  '  ;',
  '  tag = 98asjd8',
  'MaX-fOrWaRdS: 0068',
  'Call-ID: wsinv.ndaksdj@192.0.2.1',
  'Content-Length   : 150',
  'cseq: 0009',
  '  INVITE',
  'Via  : SIP  /   2.0',
  ' /UDP',
  '    192.0.2.2;rport;branch=390skdjuw',
  's :',
  'NewFangledHeader:   newfangled value',
  ' continued newfangled value',
  'UnknownHeaderWithUnusualValue: ;;,,;;,;',
  'Content-Type: application/sdp',
  'Route:',
  ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
  'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
  '  branch  =   z9hG4bK9ikj8  ,',
  ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
  ' z9hG4bK30239',
  'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =',
  '      newvalue ;',
  '  secondparam ; q = 0.33',
  '',
  WSINV_SDP,
]);

/** §3.1.1.2 intmeth */
export const INTMETH = crlf([
  "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0",
  "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~",
  'To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7F" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@example.com>',
  "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xD1\x80\xD0\xB0\xD0\xB1\xD0\xBE\xD1\x82\xD0\xB0\xD1\x8E\xD1\x89\xD0\xB8\xD0\xB9\";tag=_token~1'+`*%!-.",
  'Call-ID: intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{',
  "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~",
  'Max-Forwards: 255',
  "extensionHeader-!.%*+_`'~:\xEF\xBB\xBF\xE5\xA4\xA7\xE5\x81\x9C\xE9\x9B\xBB",
  'Content-Length: 0',
  '',
  '',
]);

export const ESC01_SDP = crlf(['v=0', 'o=mia 2890844526 2890844526 IN IP4 host.example.com', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 49170 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', '']);
/** §3.1.1.3 esc01 (an initial INVITE: no To tag; `C:` compact Content-Type in capitals) */
export const ESC01 = crlf([
  'INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0',
  'To: sip:%75se%72@example.com',
  'From: <sip:I%20have%20spaces@example.net>;tag=938',
  'Max-Forwards: 87',
  'i: esc01.239409asdfakjkn23onasd0-3234',
  'CSeq: 234234 INVITE',
  'Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw',
  'C: application/sdp',
  'Contact:',
  '  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>',
  `Content-Length: ${len(ESC01_SDP)}`,
  '',
  ESC01_SDP,
]);

/** §3.1.1.4 esc02 */
export const ESC02 = crlf([
  'RE%47IST%45R sip:registrar.example.com SIP/2.0',
  'To: "%Z%45" <sip:resource@example.com>',
  'From: "%Z%45" <sip:resource@example.com>;tag=f232jadfj23',
  'Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf',
  'Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK209%fzsnel234',
  'CSeq: 29344 RE%47IST%45R',
  'Max-Forwards: 70',
  'Contact: <sip:alias1@host1.example.com>',
  'C%6Fntact: <sip:alias2@host2.example.com>',
  'Contact: <sip:alias3@host3.example.com>',
  'l: 0',
  '',
  '',
]);

/** §3.1.1.6 lwsdisp */
export const LWSDISP = crlf([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:user@example.com',
  'From: caller<sip:caller@example.com>;tag=323',
  'Max-Forwards: 70',
  'Call-ID: lwsdisp.1234abcd@funky.example.com',
  'CSeq: 60 OPTIONS',
  'Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw',
  'l: 0',
  '',
  '',
]);

export const DBLREQ_SDP = crlf(['v=0', 'o=- 3149328700 3149328700 IN IP4 192.0.2.15', 's=-', 'c=IN IP4 192.0.2.15', 't=0 0', 'm=audio 49217 RTP/AVP 0 12', 'm=video 3227 RTP/AVP 31', 'a=rtpmap:31 LPC', '']);
/** §3.1.1.8 dblreq: a REGISTER then, inside the same datagram, an INVITE that must be ignored */
export const DBLREQ = crlf([
  'REGISTER sip:example.com SIP/2.0',
  'To: sip:j.user@example.com',
  'From: sip:j.user@example.com;tag=43251j3j324',
  'Max-Forwards: 8',
  'I: dblreq.0ha0isndaksdj99sdfafnl3lk233412',
  'Contact: sip:j.user@host.example.com',
  'CSeq: 8 REGISTER',
  'Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492',
  'Content-Length: 0',
  '',
  'INVITE sip:joe@example.com SIP/2.0',
  't: sip:joe@example.com',
  'From: sip:caller@example.net;tag=141334',
  'Max-Forwards: 8',
  'Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15',
  'CSeq: 8 INVITE',
  'Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234',
  'Content-Type: application/sdp',
  `Content-Length: ${len(DBLREQ_SDP)}`,
  '',
  DBLREQ_SDP,
]);

/** §3.1.1.9 semiuri */
export const SEMIURI = crlf([
  'OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0',
  'To: sip:j_user@example.com',
  'From: sip:caller@example.org;tag=33242',
  'Max-Forwards: 3',
  'Call-ID: semiuri.0ha0isndaksdj',
  'CSeq: 8 OPTIONS',
  'Accept: application/sdp, application/pkcs7-mime,',
  '        multipart/mixed, multipart/signed,',
  '        message/sip, message/sipfrag',
  'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw',
  'l: 0',
  '',
  '',
]);

/** §3.1.1.10 transports */
export const TRANSPORTS = crlf([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:user@example.com',
  'From: <sip:caller@example.com>;tag=323',
  'Max-Forwards: 70',
  'Call-ID:  transports.kijh4akdnaqjkwendsasfdj',
  'Accept: application/sdp',
  'CSeq: 60 OPTIONS',
  'Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw',
  'Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf',
  'Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj',
  'Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en',
  'Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee',
  'l: 0',
  '',
  '',
]);

export const UNREASON_SDP = crlf(['v=0', 'o=- 3149329138 3149329165 IN IP4 192.0.2.198', 's=-', 'c=IN IP4 192.0.2.198', 't=0 0', 'm=audio 3456 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', '']);
/** §3.1.1.12 unreason: a 200 with a UTF-8 reason phrase full of odd characters */
export const UNREASON = crlf([
  'SIP/2.0 200 = 2**3 * 5**2 \xD0\xBD\xD0\xBE \xD1\x81\xD1\x82\xD0\xBE \xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD0\xBD\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE \xD0\xB4\xD0\xB5\xD0\xB2\xD1\x8F\xD1\x82\xD1\x8C - \xD0\xBF\xD1\x80\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE\xD0\xB5',
  'Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923',
  'Call-ID: unreason.1234ksdfak3j2erwedfsASdf',
  'CSeq: 35 INVITE',
  'From: sip:user@example.com;tag=11141343',
  'To: sip:user@example.edu;tag=2229',
  `Content-Length: ${len(UNREASON_SDP)}`,
  'Content-Type: application/sdp',
  'Contact: <sip:user@host198.example.com>',
  '',
  UNREASON_SDP,
]);

/** §3.1.1.13 noreason: "SIP/2.0 100 " then CRLF, no reason phrase */
export const NOREASON = crlf([
  'SIP/2.0 100 ',
  'Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe',
  'Call-ID: noreason.asndj203insdf99223ndf',
  'CSeq: 35 INVITE',
  'From: <sip:user@example.com>;tag=39ansfi3',
  'To: <sip:user@example.edu>;tag=902jndnke3',
  'Content-Length: 0',
  'Contact: <sip:user@host105.example.com>',
  '',
  '',
]);

export const SDP152 = crlf(['v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.15', 's=-', 'c=IN IP4 192.0.2.15', 't=0 0', 'm=audio 49217 RTP/AVP 0 12', 'm =video 3227 RTP/AVP 31', 'a=rtpmap:31 LPC', '']);

/** §3.1.2.1 badinv01: empty Via and Contact parameters */
export const BADINV01 = crlf([
  'INVITE sip:user@example.com SIP/2.0',
  'To: sip:j.user@example.com',
  'From: sip:caller@example.net;tag=134161461246',
  'Max-Forwards: 7',
  'Call-ID: badinv01.0ha0isndaksdjasdf3234nas',
  'CSeq: 8 INVITE',
  'Via: SIP/2.0/UDP 192.0.2.15;;,;,,',
  'Contact: "Joe" <sip:joe@example.org>;;;;',
  `Content-Length: ${len(SDP152)}`,
  'Content-Type: application/sdp',
  '',
  SDP152,
]);

/** §3.1.2.2 clerr: Content-Length 9999, a short body */
export const CLERR = crlf([
  'INVITE sip:user@example.com SIP/2.0',
  'Max-Forwards: 80',
  'To: sip:j.user@example.com',
  'From: sip:caller@example.net;tag=93942939o2',
  'Contact: <sip:caller@hungry.example.net>',
  'Call-ID: clerr.0ha0isndaksdjweiafasdk3',
  'CSeq: 8 INVITE',
  'Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523',
  'Content-Type: application/sdp',
  'Content-Length: 9999',
  '',
  crlf(['v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.155', 's=-', 'c=IN IP4 192.0.2.155', 't=0 0', 'm=audio 49217 RTP/AVP 0 12', 'm=video 3227 RTP/AVP 31', 'a=rtpmap:31 LPC', '']),
]);

/** §3.1.2.4 ncl: negative Content-Length */
export const NCL = crlf([
  'INVITE sip:user@example.com SIP/2.0',
  'Max-Forwards: 254',
  'To: sip:j.user@example.com',
  'From: sip:caller@example.net;tag=32394234',
  'Call-ID: ncl.0ha0isndaksdj2193423r542w35',
  'CSeq: 0 INVITE',
  'Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw',
  'Contact: <sip:caller@example53.example.net>',
  'Content-Type: application/sdp',
  'Content-Length: -999',
  '',
  crlf(['v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.53', 's=-', 'c=IN IP4 192.0.2.53', 't=0 0', 'm=audio 49217 RTP/AVP 0 12', 'm=video 3227 RTP/AVP 31', 'a=rtpmap:31 LPC', '']),
]);

/** §3.1.2.5 scalar02: overlarge CSeq, Max-Forwards, Expires */
export const SCALAR02 = crlf([
  'REGISTER sip:example.com SIP/2.0',
  'Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3',
  'To: <sip:user@example.com>',
  'From: <sip:user@example.com>;tag=239232jh3',
  'CSeq: 36893488147419103232 REGISTER',
  'Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32',
  'Max-Forwards: 300',
  'Expires: 1' + '0'.repeat(22),
  'Contact: <sip:user@host129.example.com>',
  '  ;expires=280297596632815',
  'Content-Length: 0',
  '',
  '',
]);

/** §3.1.2.7 quotbal: the To display name's quote never closes */
export const QUOTBAL = crlf([
  'INVITE sip:user@example.com SIP/2.0',
  'To: "Mr. J. User <sip:j.user@example.com>',
  'From: sip:caller@example.net;tag=93334',
  'Max-Forwards: 10',
  'Call-ID: quotbal.aksdj',
  'Contact: <sip:caller@host59.example.net>',
  'CSeq: 8 INVITE',
  'Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234',
  'Content-Type: application/sdp',
  `Content-Length: ${len(SDP152)}`,
  '',
  SDP152,
]);

const invalidStartLine = (startLine: string, id: string) =>
  crlf([
    startLine,
    'To: sip:user@example.com',
    'From: sip:caller@example.net;tag=39291',
    'Max-Forwards: 23',
    `Call-ID: ${id}.1@192.0.2.5`,
    'CSeq: 1 INVITE',
    'Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKkdjuw',
    'Content-Type: application/sdp',
    `Content-Length: ${len(SDP152)}`,
    '',
    SDP152,
  ]);
/** §3.1.2.8 ltgtruri: Request-URI in <> */
export const LTGTRURI = invalidStartLine('INVITE <sip:user@example.com> SIP/2.0', 'ltgtruri');
/** §3.1.2.9 lwsruri: LWS inside the Request-URI */
export const LWSRURI = invalidStartLine('INVITE sip:user@example.com; lr SIP/2.0', 'lwsruri');
/** §3.1.2.10 lwsstart: several SP between the request-line elements */
export const LWSSTART = invalidStartLine('INVITE  sip:user@example.com  SIP/2.0', 'lwsstart');
/** §3.1.2.11 trws: SP after the SIP-Version */
export const TRWS = invalidStartLine('INVITE sip:user@example.com SIP/2.0  ', 'trws');
/** §3.1.2.12 escruri: escaped headers in a SIP Request-URI */
export const ESCRURI = invalidStartLine('INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0', 'escruri');
/** §3.1.2.16 badvers */
export const BADVERS = invalidStartLine('INVITE sip:t.watson@example.org SIP/7.0', 'badvers');

/** §3.1.2.6 insuf: no Call-ID, From, To, Max-Forwards */
export const INSUF = crlf([
  'INVITE sip:user@example.com SIP/2.0',
  'CSeq: 193942 INVITE',
  'Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf',
  'Content-Type: application/sdp',
  `l: ${len(SDP152)}`,
  '',
  SDP152,
]);

/** §3.1.2.17 mismatch01: the CSeq method is not the request's */
export const MISMATCH01 = crlf([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:j.user@example.com',
  'From: sip:caller@example.net;tag=34525',
  'Max-Forwards: 6',
  'Call-ID: mismatch01.dj0234sxdfl3',
  'CSeq: 8 INVITE',
  'Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw',
  'l: 0',
  '',
  '',
]);

/** §3.1.2.? multi01: two Call-IDs, two CSeqs, two Froms, two Tos */
export const MULTI01 = crlf([
  'INVITE sip:user@company.com SIP/2.0',
  'Contact: <sip:caller@host25.example.net>',
  'Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw',
  'Max-Forwards: 70',
  'CSeq: 5 INVITE',
  'Call-ID: multi01.98asdh@192.0.2.1',
  'CSeq: 59 INVITE',
  'Call-ID: multi01.98asdh@192.0.2.2',
  'From: sip:caller@example.com;tag=3413415',
  'To: sip:user@example.com',
  'To: sip:other@example.net',
  'From: sip:caller@example.net;tag=2923420123',
  'Content-Type: application/sdp',
  `l: ${len(SDP152)}`,
  'Contact: <sip:caller@hungry.example.net>',
  'Max-Forwards: 5',
  '',
  SDP152,
]);
