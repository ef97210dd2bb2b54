/**
 * Strictness review (2026-12-05): what was checked and found right. The new malformed-input reasons
 * (bad-request-uri, cseq-method-mismatch, unterminated-quote, bad-via, body-truncated discard) do
 * not fire on the real captures nor on SIP as Asterisk, FreeSWITCH, Kamailio/OpenSIPS, Cisco CUBE,
 * Teams Direct Routing and sip.js/JsSIP write it, over UDP, IP fragments, TCP segments and WebSocket.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, replayLines, sharedCapture, SMALL_PCAP, SMALL_POLICY, Workspace } from '../../e2e/e2e-helpers.js';
import { sdpOf } from '../../e2e/hand-built-calls.js';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { parseSipMessage } from '../../../src/signaling/sip-message.js';
import { ANSWERS, INVITES, wire } from './stack-messages.js';
import { ackFor, basicCall, bindingsOf, CALL, decidedOf, malformed, NEW_REASONS, okFor, runCall, tcpIn, type Transport, withPref, wsIn } from './call-shapes.js';
import { wsFrame } from '../transport-review/transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const parse = (b: Uint8Array) => parseSipMessage(b, 0, b.length);
const BOUND = [{ ssrc: 1111, dialog: { callId: CALL, fromTag: 'aaa', toTag: 'bbb' }, apt: ['apt-agg'] }];

describe('real captures: no new malformed-input reasons, tshark agrees the SIP is well formed', () => {
  const files = [...readdirSync(sharedCapture('')).filter((f) => f.endsWith('.pcap')).map(sharedCapture), SMALL_PCAP];
  it.each(files)('%s', async (file) => {
    const run = await replayLines({ capture: file, policy: await loadPolicyFile(SMALL_POLICY), workers: 0, explain: true });
    const details = parseLines<{ type: string; detail?: string }>(run.reports).filter((r) => r.type === 'malformed-input').map((r) => r.detail ?? '');
    expect(details.filter((d) => NEW_REASONS.test(d))).toEqual([]);
    // tshark: no SIP frame is flagged malformed
    const out = execFileSync('tshark', ['-r', file, '-Y', 'sip && _ws.malformed'], { encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });

  it('the one malformed report of heplify_ipip0 is an SDP c= complaint, not a new SIP reason', async () => {
    const run = await replayLines({ capture: sharedCapture('heplify_ipip0.pcap'), policy: await loadPolicyFile(SMALL_POLICY), workers: 0 });
    expect(parseLines<{ type: string; detail?: string }>(run.reports).filter((r) => r.type === 'malformed-input').map((r) => r.detail)).toEqual(['frame 1: sdp bad-connection at line 4 (c=)']);
  });
});

describe('stack-shaped messages parse with no error at all', () => {
  it.each(INVITES)('INVITE: %s', (_n, lines) => {
    const r = parse(wire(lines, sdpOf('a', [])));
    expect(r.errors).toEqual([]);
    expect(r.message!.cseq!.method).toBe('INVITE');
    expect(r.message!.viaBranch).toMatch(/^z9hG4bK/);
  });
  it.each(ANSWERS)('200: %s', (_n, lines) => expect(parse(wire(lines, sdpOf('b', []))).errors).toEqual([]));

  const base = ['From: "Alice" <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>;tag=bbb', `Call-ID: ${CALL}`];
  it.each([
    ['ACK for a 2xx: INVITE CSeq number, method ACK', ['ACK sip:b@10.0.0.2:5060 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bKnew', ...base, 'CSeq: 102 ACK']],
    ['CANCEL: CSeq method CANCEL', ['CANCEL sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKinv', 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', `Call-ID: ${CALL}`, 'CSeq: 102 CANCEL']],
    ['escaped quote and escaped backslash in display names', ['BYE sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb', 'From: "Alice \\"Ace\\" C:\\\\" <sip:a@10.0.0.1>;tag=aaa', 'To: "O\'Brien, \\"Pat\\"" <sip:b@10.0.0.2>;tag=bbb', `Call-ID: ${CALL}`, 'CSeq: 103 BYE']],
    ['IPv6 Request-URI, Via and Contact', ['INFO sip:b@[2001:db8::2]:5060 SIP/2.0', 'Via: SIP/2.0/UDP [2001:db8::1]:5060;rport;branch=z9hG4bKv6;received=2001:db8::1', ...base, 'CSeq: 104 INFO', 'Contact: <sip:a@[2001:db8::1]:5060;transport=udp>']],
    ['Via list with LWS around , and ; and folded, parameters without values', ['OPTIONS sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.9 ; branch=z9hG4bKp ; rport ,\r\n  SIP/2.0/TCP 10.0.0.1:5060 ;received=10.0.0.1; rport=5060 ;branch=z9hG4bKq', 'Route: <sip:10.0.0.9;lr>', ...base, 'CSeq: 105 OPTIONS']],
    ['tel Request-URI and lowercase-method-free CSeq spacing', ['MESSAGE tel:+15551230000;phone-context=example.com SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKm', ...base, 'CSeq:   106    MESSAGE']],
  ] as [string, string[]][])('%s', (_n, lines) => expect(parse(wire(lines)).errors).toEqual([]));

  it('Content-Length 0 with no body, and an ACK over UDP with no Content-Length at all', () => {
    const ack = ['ACK sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa', 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>;tag=bbb', `Call-ID: ${CALL}`, 'CSeq: 1 ACK'];
    expect(parse(wire(ack, '', 0))).toMatchObject({ errors: [], message: { contentLength: 0, body: new Uint8Array(0) } });
    expect(parse(wire(ack, '', null))).toMatchObject({ errors: [], message: { contentLength: null } });
  });

  it('a datagram longer than its Content-Length (trailing CRLFs) is not truncated', () => {
    const b = new Uint8Array([...wire(INVITES[0]![1], sdpOf('a', [])), 13, 10, 13, 10]);
    const r = parse(b);
    expect(r.errors).toEqual([]);
    expect(r.message!.byteLength).toBe(b.length - 4);
  });
});

describe('stack-shaped calls bind to apt-agg with no malformed-input report, on every transport', () => {
  const transports: [string, Transport][] = [['udp', 'udp'], ['tcp 13-byte segments', tcpIn(13)], ['tcp 3-byte segments', tcpIn(3)], ['ws 17-byte segments', wsIn(17)], ['udp in 200-byte IPv4 fragments', { frag: 200 }]];
  for (const [name, lines] of INVITES)
    it.each(transports)(`${name} over %s`, async (tname, t) => {
      const run = await runCall(ws, `${name}-${tname}`.replace(/\W+/g, '-'), basicCall(withPref(lines)), t);
      expect(malformed(run)).toEqual([]);
      expect(bindingsOf(run)).toEqual(BOUND);
      expect(decidedOf(run)).toEqual(['aggregate aggregated-only apt-agg']);
    });

  it.each(ANSWERS)('answer shape: %s', async (name, answer) => {
    const inv = withPref(INVITES[0]![1]).map((l) => (/^cseq:/i.test(l) ? 'CSeq: 1 INVITE' : /^via:/i.test(l) ? 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtort1' : l));
    const run = await runCall(ws, `answer-${name}`.replace(/\W+/g, '-'), basicCall(inv, answer));
    expect(malformed(run)).toEqual([]);
    expect(bindingsOf(run)).toEqual(BOUND);
  });

  it('WebSocket message split into a text frame and a continuation frame', async () => {
    const split = { ws: { frames: (m: Uint8Array, client: boolean) => [wsFrame({ fin: false, opcode: 1, payload: m.subarray(0, 100), mask: client }), wsFrame({ fin: true, opcode: 0, payload: m.subarray(100), mask: client })] } };
    const run = await runCall(ws, 'ws-continuation', basicCall(withPref(INVITES[6]![1])), split);
    expect(malformed(run)).toEqual([]);
    expect(bindingsOf(run)).toEqual(BOUND);
  });

  it('INVITE → 407 → ACK (same CSeq number, method ACK) → INVITE CSeq+1 → 200 → ACK binds the second INVITE', async () => {
    const inv1 = withPref(INVITES[0]![1]);
    const inv2 = inv1.map((l) => (/^cseq:/i.test(l) ? 'CSeq: 103 INVITE' : /^via:/i.test(l) ? 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK0a1b2c3e;rport' : l)).concat([]);
    inv2.splice(inv2.length - 1, 0, 'Proxy-Authorization: Digest username="a", realm="asterisk", nonce="4f3c", uri="sip:b@10.0.0.2", response="00ff", algorithm=MD5');
    const to = inv1.find((l) => l.startsWith('To:'))!;
    const r407 = ['SIP/2.0 407 Proxy Authentication Required', ...inv1.filter((l) => /^(via|from|call-id|cseq):/i.test(l)), `${to};tag=as1f`, 'Proxy-Authenticate: Digest algorithm=MD5, realm="asterisk", nonce="4f3c"'];
    const ack407 = ['ACK sip:b@10.0.0.2 SIP/2.0', inv1.find((l) => l.startsWith('Via:'))!, ...inv1.filter((l) => /^(from|call-id):/i.test(l)), `${to};tag=as1f`, 'CSeq: 102 ACK'];
    const run = await runCall(ws, 'auth-retry', [
      { ts: 0, fromA: true, bytes: wire(inv1, sdpOf('a', [])) },
      { ts: 0.05, fromA: false, bytes: wire(r407, '') },
      { ts: 0.06, fromA: true, bytes: wire(ack407, '') },
      { ts: 0.07, fromA: true, bytes: wire(inv2, sdpOf('a', [])) },
      { ts: 0.1, fromA: false, bytes: wire(okFor(inv2), sdpOf('b', [])) },
      { ts: 0.2, fromA: true, bytes: wire(ackFor(inv2), '') },
    ]);
    expect(malformed(run)).toEqual([]);
    expect(bindingsOf(run)).toEqual(BOUND);
  });

  it('INVITE → 100 → CANCEL (CSeq n CANCEL) → 200 CANCEL → 487 → ACK: no malformed-input', async () => {
    const inv = withPref(INVITES[2]![1]);
    const keep = (re: RegExp) => inv.filter((l) => re.test(l));
    const cancel = ['CANCEL sip:b@10.0.0.2;transport=udp SIP/2.0', ...keep(/^(via|from|to|call-id):/i), 'Max-Forwards: 70', 'CSeq: 93117321 CANCEL'];
    const to = keep(/^to:/i)[0]!;
    const run = await runCall(ws, 'cancel', [
      { ts: 0, fromA: true, bytes: wire(inv, sdpOf('a', [])) },
      { ts: 0.01, fromA: false, bytes: wire(['SIP/2.0 100 Trying', ...keep(/^(via|from|to|call-id|cseq):/i)], '') },
      { ts: 0.3, fromA: true, bytes: wire(cancel, '') },
      { ts: 0.31, fromA: false, bytes: wire(['SIP/2.0 200 OK', ...keep(/^(via|from|call-id):/i), `${to};tag=bbb`, 'CSeq: 93117321 CANCEL'], '') },
      { ts: 0.32, fromA: false, bytes: wire(['SIP/2.0 487 Request Terminated', ...keep(/^(via|from|call-id|cseq):/i), `${to};tag=bbb`], '') },
      { ts: 0.33, fromA: true, bytes: wire(['ACK sip:b@10.0.0.2;transport=udp SIP/2.0', ...keep(/^(via|from|call-id):/i), `${to};tag=bbb`, 'Max-Forwards: 70', 'CSeq: 93117321 ACK'], '') },
    ]);
    expect(malformed(run)).toEqual([]);
    expect(bindingsOf(run)).toEqual([{ ssrc: 1111, dialog: null, apt: [] }]);
  });
});
