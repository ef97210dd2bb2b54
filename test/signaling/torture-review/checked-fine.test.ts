/**
 * RFC 4475 §3.1 torture messages as they affect the enforcer: what was checked and found right.
 * Parser-level checks read the RFC's messages verbatim; e2e checks put torture-shaped messages into
 * UDP datagrams of a small pcap (test/e2e/hand-built-calls.ts) and replay it; tshark is the oracle
 * for fields it can read.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { replayCall, THREE } from '../../e2e/hand-built-calls.js';
import { looksLikeSip } from '../../../src/signaling/looks-like-sip.js';
import { firstHeader, headerValues, parseSipMessage, sdpBodyOf } from '../../../src/signaling/sip-message.js';
import { CALL, decided, malformed, msg, ok200, reportsOf, sdpOf, srOfA, torturedCall, tsharkFields } from './torture-calls.js';
import * as T from './torture-messages.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const parse = (text: string) => {
  const b = T.latin1(text);
  return parseSipMessage(b, 0, b.length);
};

describe('RFC 4475 §3.1.1 valid messages are parsed whole', () => {
  it('wsinv: folding, odd spacing and case, escaped quotes, compact v:/m:/s:, LWS around = and ;', () => {
    const r = parse(T.WSINV);
    expect(r.errors).toEqual([]);
    const m = r.message!;
    expect(m).toMatchObject({ kind: 'request', method: 'INVITE', callId: 'wsinv.ndaksdj@192.0.2.1', fromUri: 'sip:jdrosen@example.com', fromTag: '98asjd8', toUri: 'sip:vivekg@chair-dnrc.example.com', toTag: '1918181833n', cseq: { seq: 9, method: 'INVITE' }, viaBranch: '390skdjuw', contentType: 'application/sdp', contentLength: 150 });
    expect(sdpBodyOf(m)).toBe(T.WSINV_SDP);
    expect(headerValues(m, 'via')).toHaveLength(3);
    expect(firstHeader(m, 'newfangledheader')!.value).toBe('newfangled value continued newfangled value');
    expect(headerValues(m, 'contact')).toEqual(['"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33']);
    expect(m.byteLength).toBe(T.latin1(T.WSINV).length);
  });

  it('intmeth: every token character in the method, tag and branch; NUL/BEL/DEL escaped in a quoted display name', () => {
    const r = parse(T.INTMETH);
    expect(r.errors).toEqual([]);
    const method = "!interesting-Method0123456789_*+`.%indeed'~";
    expect(r.message).toMatchObject({ method, cseq: { seq: 139122385, method }, fromTag: "_token~1'+`*%!-.", toTag: null, viaBranch: "z9hG4bK-.!%66*_+`'~", callId: 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{', contentLength: 0 });
    expect(r.message!.toUri).toBe("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com");
  });

  it('esc01: escaped URIs, capital compact C:, a Contact folded onto its next line', () => {
    const r = parse(T.ESC01);
    expect(r.errors).toEqual([]);
    expect(r.message).toMatchObject({ callId: 'esc01.239409asdfakjkn23onasd0-3234', fromTag: '938', toTag: null, contentType: 'application/sdp', contentLength: T.ESC01_SDP.length });
    expect(headerValues(r.message!, 'contact')).toEqual(['<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>']);
    expect(sdpBodyOf(r.message!)).toBe(T.ESC01_SDP);
  });

  it('esc02: an escaped method is not REGISTER and C%6Fntact is not Contact', () => {
    const r = parse(T.ESC02);
    expect(r.errors).toEqual([]);
    expect(r.message!.method).toBe('RE%47IST%45R');
    expect(headerValues(r.message!, 'contact')).toEqual(['<sip:alias1@host1.example.com>', '<sip:alias3@host3.example.com>']);
  });

  it('lwsdisp, semiuri, transports: no LWS before <, ; in the user part, a folded Accept list, five Vias', () => {
    expect(parse(T.LWSDISP)).toMatchObject({ errors: [], message: { fromUri: 'sip:caller@example.com', fromTag: '323' } });
    const semi = parse(T.SEMIURI);
    expect(semi.errors).toEqual([]);
    expect(semi.message!.requestUri).toBe('sip:user;par=u%40example.net@example.com');
    expect(headerValues(semi.message!, 'accept')).toEqual(['application/sdp', 'application/pkcs7-mime', 'multipart/mixed', 'multipart/signed', 'message/sip', 'message/sipfrag']);
    const tr = parse(T.TRANSPORTS);
    expect(tr.errors).toEqual([]);
    expect(headerValues(tr.message!, 'via')).toHaveLength(5);
    expect(tr.message!.viaBranch).toBe('z9hG4bKkdjuw');
    expect(tr.message!.callId).toBe('transports.kijh4akdnaqjkwendsasfdj');
  });

  it('unreason and noreason: a UTF-8 reason phrase, and none at all after "100 "', () => {
    const u = parse(T.UNREASON);
    expect(u.errors).toEqual([]);
    expect(u.message).toMatchObject({ kind: 'response', status: 200, toTag: '2229', contentLength: T.UNREASON_SDP.length });
    expect(u.message!.reason.startsWith('= 2**3 * 5**2 но сто')).toBe(true);
    expect(parse(T.NOREASON)).toMatchObject({ errors: [], message: { kind: 'response', status: 100, reason: '' } });
  });

  it('dblreq: only the first request of the datagram is read; the INVITE after it is left alone (RFC 3261 §18.3)', () => {
    const r = parse(T.DBLREQ);
    expect(r.errors).toEqual([]);
    expect(r.message).toMatchObject({ method: 'REGISTER', callId: 'dblreq.0ha0isndaksdj99sdfafnl3lk233412', byteLength: T.DBLREQ.indexOf('INVITE sip:joe') });
  });
});

describe('RFC 4475 §3.1.2 invalid messages that the parser reports', () => {
  it('clerr, ncl, scalar02, insuf, multi01: each error named, at the right header', () => {
    expect(parse(T.CLERR).errors).toEqual([{ reason: 'body-truncated', offset: T.CLERR.length, detail: 'Content-Length 9999, 154 bytes present' }]);
    expect(parse(T.NCL).errors.map((e) => [e.reason, e.offset])).toEqual([['bad-content-length', T.NCL.indexOf('Content-Length: -999')]]);
    const s = parse(T.SCALAR02);
    expect(s.errors.map((e) => [e.reason, e.offset])).toEqual([['bad-cseq', T.SCALAR02.indexOf('CSeq:')]]);
    expect(s.message!.cseq).toBeNull();
    expect(parse(T.INSUF).errors.map((e) => e.reason)).toEqual(['missing-call-id', 'missing-from-tag']);
    const multi = parse(T.MULTI01);
    expect(multi.errors.map((e) => e.detail)).toEqual(['CSeq given again, the first kept', 'Call-ID given again, the first kept', 'To given again, the first kept', 'From given again, the first kept']);
    expect(multi.errors.map((e) => e.offset)).toEqual([T.MULTI01.indexOf('CSeq: 59'), T.MULTI01.indexOf('Call-ID: multi01.98asdh@192.0.2.2'), T.MULTI01.indexOf('To: sip:other'), T.MULTI01.indexOf('From: sip:caller@example.net')]);
  });

  it('lwsruri, lwsstart, badvers: not SIP to the datagram classifier (tshark agrees), and a bad start line that quotes no Request-URI', () => {
    for (const text of [T.LWSRURI, T.LWSSTART, T.BADVERS]) {
      const b = T.latin1(text);
      expect(looksLikeSip(b, 0, b.length)).toBe(false);
      const r = parseSipMessage(b, 0, b.length);
      expect(r.message).toBeNull();
      expect(r.errors.map((e) => e.reason)).toEqual(['bad-start-line']);
      expect(JSON.stringify(r.errors)).not.toContain('example');
    }
  });
});

// ---- e2e: UDP datagrams in a pcap ----------------------------------------------------------------

const inviteLines = ['INVITE sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtort1', 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', `Call-ID: ${CALL}`, 'CSeq: 1 INVITE', 'Contact: <sip:a@10.0.0.1:5060>', 'AI-Pref: apt-agg;scope=dialog', 'Content-Type: application/sdp'];
const plainInvite = () => msg(inviteLines, sdpOf('a', []), 'Content-Length');

describe('e2e: a tortured but valid call is a dialog, its folded AI-Pref read whole', () => {
  it('wsinv-style INVITE (compact v:/f:/t:/i:/m:/c:/l:, LWS before colons, folded CSeq/From/To) and AI-Pref folded over three lines', async () => {
    const invite = msg(['INVITE sip:b@10.0.0.2 SIP/2.0', 'v:  SIP  / 2.0  / UDP     10.0.0.1:5060   ;', '  branch  =   z9hG4bKtort1', 'f:"J Rosenberg \\\\\\""       <sip:a@10.0.0.1>', '  ;', '  tag = aaa', 't :', ' <sip:b@10.0.0.2>', `i: ${CALL}`, 'cseq: 0001', '  INVITE', 'm: <sip:a@10.0.0.1:5060>', 'AI-Pref:', '  apt-agg ;', '\tscope = dialog', 'c: application/sdp'], sdpOf('a', []));
    const run = await torturedCall(ws, 'wsinv-call', invite);
    expect(decided(run)).toEqual(['4 aggregate aggregated-only']);
    expect(malformed(run)).toEqual([]);
    expect(reportsOf(run).map((r) => [r.type, r.dialog, r.apt])).toEqual([['implicit-binding', { callId: CALL, fromTag: 'aaa', toTag: 'bbb' }, ['apt-agg']]]);
  });

  it('an AI-Pref list folded after its comma gives both identifiers (the stricter decides)', async () => {
    const lines = inviteLines.map((l) => (l.startsWith('AI-Pref') ? 'AI-Pref: apt-raw;scope=dialog,\r\n   apt-agg;scope=dialog' : l));
    const run = await torturedCall(ws, 'folded-list', msg(lines, sdpOf('a', []), 'Content-Length'));
    expect(decided(run)).toEqual(['4 aggregate aggregated-only']);
    expect(malformed(run)).toEqual([]);
  });

  it('tshark reads the compact esc01 INVITE and the compact 200 of the call the same way (Call-ID, tags, CSeq, branch, length)', async () => {
    const fields = ['frame.number', 'sip.Call-ID', 'sip.from.tag', 'sip.to.tag', 'sip.CSeq.seq', 'sip.Via.branch', 'sip.Content-Length'];
    const out = await tsharkFields(ws, 'esc01-tshark', (at) => {
      at(0, T.latin1(T.ESC01), true);
      at(1, ok200(sdpOf('b', [])), false);
    }, fields);
    const esc = parse(T.ESC01).message!;
    const ok = (() => { const b = ok200(sdpOf('b', [])); return parseSipMessage(b, 0, b.length).message!; })();
    expect(out).toEqual([
      ['1', esc.callId, esc.fromTag, '', String(esc.cseq!.seq), esc.viaBranch, String(esc.contentLength)].join('\t'),
      ['2', ok.callId, ok.fromTag, ok.toTag, String(ok.cseq!.seq), ok.viaBranch, String(ok.contentLength)].join('\t'),
    ]);
  });
});

describe('e2e: invalid or extra messages are never taken as a dialog', () => {
  it('dblreq: an INVITE riding after a REGISTER in one datagram makes no dialog (alone in its datagram it would)', async () => {
    const register = T.DBLREQ.slice(0, T.DBLREQ.indexOf('INVITE sip:joe'));
    const both = new Uint8Array([...T.latin1(register), ...plainInvite()]);
    const write = (first: Uint8Array) => (at: (ts: number, p: Uint8Array, fromA: boolean, s?: number, d?: number) => void) => {
      at(0, first, true);
      at(1, srOfA(), true, 4001, 5001);
    };
    const control = await replayCall(ws, 'dblreq-control', write(plainInvite()), THREE);
    expect(decided(control)).toEqual(['2 aggregate aggregated-only']);
    const run = await replayCall(ws, 'dblreq', write(both), THREE);
    expect(decided(run)).toEqual(['2 drop no-preference']);
    expect(malformed(run)).toEqual([]);
  });

  it('insuf: no Call-ID, From or To — two malformed-input reports naming frame 1 and the fault, no dialog, nothing quoted', async () => {
    const run = await replayCall(ws, 'insuf', (at) => {
      at(0, T.latin1(T.INSUF), true);
      at(1, srOfA(), true, 4001, 5001);
    }, THREE);
    expect(malformed(run).map((r) => [r.frame, r.dialog, r.detail])).toEqual([
      [1, null, 'frame 1: sip missing-call-id at byte 0'],
      [1, null, 'frame 1: sip missing-from-tag at byte 0'],
    ]);
    expect(decided(run)).toEqual(['2 drop no-preference']);
  });

  it('lwsstart, trws, badvers request lines with the call\'s headers: the INVITE binds nothing', async () => {
    for (const [name, line] of [['lwsstart', 'INVITE  sip:b@10.0.0.2  SIP/2.0'], ['trws', 'INVITE sip:b@10.0.0.2 SIP/2.0  '], ['badvers', 'INVITE sip:b@10.0.0.2 SIP/7.0'], ['lwsruri', 'INVITE sip:b@10.0.0.2; lr SIP/2.0']] as const) {
      const run = await replayCall(ws, name, (at) => {
        at(0, msg([line, ...inviteLines.slice(1)], sdpOf('a', []), 'Content-Length'), true);
        at(1, srOfA(), true, 4001, 5001);
      }, THREE);
      expect(decided(run), name).toEqual(['2 drop no-preference']);
    }
  });

  it('clerr, ncl, duplicate Call-ID in the INVITE: reported malformed-input at frame 1 under the INVITE early dialog (no To tag yet), never a crash', async () => {
    const sdp = sdpOf('a', []);
    const cases = {
      clerr: [msg([...inviteLines, 'Content-Length: 9999'], sdp, null), 'sip body-truncated at byte'],
      ncl: [msg([...inviteLines, 'Content-Length: -999'], sdp, null), 'sip bad-content-length at byte'],
      multi: [msg([...inviteLines, 'Call-ID: other@x'], sdp, 'Content-Length'), 'sip duplicate-header at byte'],
    } as const;
    for (const [name, [invite, what]] of Object.entries(cases)) {
      const run = await torturedCall(ws, `bad-${name}`, invite);
      const m = malformed(run);
      expect(m.map((r) => [r.frame, r.dialog]), name).toEqual([[1, { callId: CALL, fromTag: 'aaa', toTag: '' }]]);
      expect(m[0]!.detail!.startsWith(`frame 1: ${what}`), name).toBe(true);
    }
  });
});

