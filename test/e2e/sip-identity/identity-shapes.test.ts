/**
 * Checks of the SIP-identity review that turned out FINE (regression tests). Each runs one call
 * A → B — INVITE (offer with `a=aipref:session apt-raw`, A's audio SSRC 1111), 200 (answer), ACK,
 * A's SR (frame 4 for UDP), BYE, 200, A's SR again — with 0 and 2 workers (equal lines), and
 * checks: the call is bound (the SR while it runs is `export raw-allowed [apt-raw]`), the export
 * and the binding table carry exactly the Call-ID and tags the signaling carried, the BYE ends the
 * dialog (the SR after it is `drop no-preference` + unbound-stream), and nothing is reported
 * malformed. Shapes: compact forms (i: f: t: m: l: c: v:, with and without space, with space
 * before the colon, RFC 3261 §7.3.1/§7.3.3); display names holding ';' ',' '<' '>' and
 * quoted-pair escapes with a fake `;tag=` inside; `tag` as a URI parameter inside <...> next to
 * the header's tag (§19.1.1/§20.20); From/To without angle brackets (addr-spec: its parameters
 * are header parameters, §20); `;TAG=` / `;Tag=` (parameter names are case-insensitive); SWS
 * around ';' and '=' (spaces and tabs); a quoted parameter value holding ";tag=no"; a Call-ID of
 * every odd legal `word` character with an IPv6 '@host' (§25.1), and one padded with spaces;
 * folded From/To/Call-ID lines (LWS continuation, §7.3.1); CSeq with odd whitespace; a
 * Request-URI with parameters (even `;tag=`); Content-Length absent on UDP (§18.3 / §20.14);
 * LF-only line ends; the 200 to the BYE without tags (reported missing-from-tag, once, naming the
 * frame; the BYE still ends the call); the whole call seen twice through a proxy (extra Via,
 * Max-Forwards 69, Request-URI params); no Call-ID at all (one malformed-input per frame);
 * `bye` in lower case does NOT end the dialog (methods are case-sensitive, §7.1); two calls whose
 * Call-IDs differ only in case are two calls (§8.1.1.4 / §20.8: byte-exact); SIP over TCP with
 * compact forms and a message split over 3 segments, two messages in one segment, a split inside
 * the blank line, a folded Content-Length and one with leading zeros and spaces around ':'.
 * tshark agrees on Call-ID/from.tag/to.tag where its reader follows the grammar (plain, compact,
 * display names, addr-spec, odd Call-ID, folding); it reads no tag for `;TAG=`, `tag = x`, `i :`
 * and a quoted ";tag=" value — the enforcer is right there (RFC 3261 §7.3.1, §25.1 SWS).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { callOf, PLAIN, type Shape } from './call-shapes.js';
import { concat, decided, fromA, fromB, msg, type Outcome, type Pkt, reported, run, srA, TcpConn, tsharkIds } from './identity-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const CID = 'cid-1@10.0.0.1';
const compact = (l: string) =>
  l.replace(/^Call-ID:/, 'i:').replace(/^From:/, 'f:').replace(/^To:/, 't:').replace(/^Contact:/, 'm:').replace(/^Content-Length:/, 'l:').replace(/^Content-Type:/, 'c:').replace(/^Via:/, 'v:');
const edit = (b: Uint8Array, f: (t: string) => string) => new TextEncoder().encode(f(new TextDecoder().decode(b)));

/** bound while it runs, ended by the BYE, exports and bindings carrying `callId`/ft1/tt1 */
function expectCall(o: Outcome, first: number, last: number, callId = CID, extraReports: string[] = []) {
  const dialog = { callId, fromTag: 'ft1', toTag: 'tt1' };
  expect(decided(o)).toEqual([`${first} export raw-allowed [apt-raw]`, `${last} drop no-preference []`]);
  expect(o.exports.map((e) => e.dialog)).toEqual([dialog]);
  expect(o.bindings.map((b) => [b.ssrc, b.dialog, b.via, b.ended])).toEqual([
    [1111, dialog, 'a=ssrc', true],
    [1111, null, null, false],
  ]);
  expect(reported(o)).toEqual([...extraReports, `unbound-stream ${last}`]);
}

const TSHARK_PLAIN = (cid = CID) => [`1|${cid}|ft1|`, `2|${cid}|ft1|tt1`, `3|${cid}|ft1|tt1`, `5|${cid}|ft1|tt1`, `6|${cid}|ft1|tt1`];

const udpShapes: [string, Shape, boolean][] = [
  ['plain', PLAIN, true],
  ['compact forms in every message', { ...PLAIN, line: compact }, true],
  ['compact forms without a space after the colon', { ...PLAIN, line: (l) => compact(l).replace(/^([a-z]):\s*/, '$1:') }, true],
  ['compact forms with a space before the colon', { ...PLAIN, line: (l) => compact(l).replace(/^([a-z]):/, '$1 :') }, false],
  ['display name with ; , < >', { ...PLAIN, from: 'From: "Al;ice, <x>" <sip:a@10.0.0.1>;tag=ft1' }, true],
  ['display name with quoted-pairs and a fake ;tag=', { ...PLAIN, from: 'From: "A\\"l;tag=bad\\\\" <sip:a@10.0.0.1>;tag=ft1' }, true],
  ['tag as a URI parameter and as the header parameter', { ...PLAIN, from: 'From: <sip:a@10.0.0.1;tag=uri>;tag=ft1', to: 'To: <sip:b@10.0.0.2;tag=uri2>', toTagged: 'To: <sip:b@10.0.0.2;tag=uri2>;tag=tt1' }, true],
  ['tag as a URI parameter, with display names', { ...PLAIN, from: 'From: "A" <sip:a@10.0.0.1;tag=uri>;tag=ft1', to: 'To: "B" <sip:b@10.0.0.2;tag=uri2>', toTagged: 'To: "B" <sip:b@10.0.0.2;tag=uri2>;tag=tt1' }, true],
  ['From/To without angle brackets', { ...PLAIN, from: 'From: sip:a@10.0.0.1;tag=ft1', to: 'To: sip:b@10.0.0.2', toTagged: 'To: sip:b@10.0.0.2;tag=tt1' }, true],
  [';TAG= and ;Tag=', { ...PLAIN, from: 'From: <sip:a@10.0.0.1>;TAG=ft1', toTagged: 'To: <sip:b@10.0.0.2>;Tag=tt1' }, false],
  ['SWS around ; and =', { ...PLAIN, from: 'From: "Alice" <sip:a@10.0.0.1> ; tag = ft1', toTagged: 'To: <sip:b@10.0.0.2>\t;\ttag\t=\ttt1' }, false],
  ['a quoted parameter holding ;tag=', { ...PLAIN, from: 'From: <sip:a@10.0.0.1>;x-foo="a;tag=no" ; tag=ft1;y', toTagged: 'To: <sip:b@10.0.0.2>;tag=tt1 ;x' }, false],
  ['Call-ID padded with spaces', { ...PLAIN, callId: 'Call-ID:    cid-1@10.0.0.1   ' }, false],
  ['folded From, To and Call-ID', { ...PLAIN, from: 'From: "Alice"\r\n <sip:a@10.0.0.1>\r\n\t;tag=ft1', toTagged: 'To:\r\n <sip:b@10.0.0.2>;tag=tt1', callId: 'Call-ID:\r\n cid-1@10.0.0.1' }, true],
  ['CSeq with odd whitespace', { ...PLAIN, byeCseq: 'CSeq:   2\t  BYE  ' }, true],
  ['Request-URI with parameters', { ...PLAIN, byeStart: 'BYE sip:b@10.0.0.2:5060;transport=udp;lr;tag=zz SIP/2.0' }, true],
];

describe('UDP call shapes: bound, exact identifiers, ended by the BYE', () => {
  for (const [name, shape, tsharkAgrees] of udpShapes) {
    it(name, async () => {
      const o = await run(ws, callOf(shape));
      expectCall(o, 4, 7);
      if (tsharkAgrees) expect(tsharkIds(o.file)).toEqual(TSHARK_PLAIN());
    });
  }

  it('a Call-ID of odd legal word characters with an IPv6 @host', async () => {
    const cid = 'a.b-c!d%e*f_g+h`i\'j~k(l)m<n>o:p\\q"r/s[t]u?v{w}x@[2001:db8::1]';
    const o = await run(ws, callOf({ ...PLAIN, callId: `Call-ID: ${cid}` }));
    expectCall(o, 4, 7, cid);
    expect(tsharkIds(o.file)).toEqual(TSHARK_PLAIN(cid));
  });

  it('Content-Length absent on UDP', async () => {
    const p = callOf(PLAIN).map((x) => (x.sport === 5060 ? ({ ...x, payload: edit(x.payload, (t) => t.replace(/Content-Length: \d+\r\n/, '')) } as Pkt) : x));
    expectCall(await run(ws, p), 4, 7);
  });

  it('LF-only line ends', async () => {
    const lf = (t: string) => t.slice(0, t.indexOf('\r\n\r\n')).replace(/\r\n/g, '\n') + '\n\n' + t.slice(t.indexOf('\r\n\r\n') + 4);
    const p = callOf(PLAIN).map((x) => (x.sport === 5060 ? ({ ...x, payload: edit(x.payload, lf) } as Pkt) : x));
    expectCall(await run(ws, p), 4, 7);
  });

  it('the 200 to the BYE without tags: reported once (frame 6), the BYE still ends the call', async () => {
    const p = callOf(PLAIN);
    p[5] = { ...p[5]!, payload: edit(p[5]!.payload, (t) => t.replace(/;tag=\w+/g, '')) } as Pkt;
    expectCall(await run(ws, p), 4, 7, CID, ['malformed-input 6 frame 6: sip missing-from-tag at byte 67']);
  });

  it('the call seen twice through a proxy (extra Via, Max-Forwards 69, Request-URI parameters)', async () => {
    const a = callOf(PLAIN);
    const hop = (p: Pkt): Pkt =>
      ({
        ...p,
        src: '10.9.9.9',
        payload: edit(p.payload, (t) =>
          t.replace(/(\r\nVia: [^\r]*)/, '\r\nVia: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-proxy$1').replace('Max-Forwards: 70', 'Max-Forwards: 69').replace(/^(\w+) sip:b@10.0.0.2(:5060)?/, '$1 sip:b@10.0.0.2:5060;transport=udp'),
        ),
      }) as Pkt;
    expectCall(await run(ws, [a[0]!, hop(a[0]!), a[1]!, hop(a[1]!), a[2]!, hop(a[2]!), srA(), a[4]!, hop(a[4]!), a[5]!, hop(a[5]!), srA()]), 7, 12);
  });

  it('no Call-ID: one malformed-input per SIP frame, nothing bound', async () => {
    const o = await run(ws, callOf({ ...PLAIN, callId: 'X-Nothing: 1' }));
    expect(decided(o)).toEqual(['4 drop no-preference []', '7 drop no-preference []']);
    expect(reported(o)).toEqual([1, 2, 3].map((f) => `malformed-input ${f} frame ${f}: sip missing-call-id at byte 0`).concat(['unbound-stream 4'], [5, 6].map((f) => `malformed-input ${f} frame ${f}: sip missing-call-id at byte 0`)));
  });

  it('`bye` in lower case is not BYE: the dialog goes on', async () => {
    const o = await run(ws, callOf({ ...PLAIN, byeStart: 'bye sip:b@10.0.0.2:5060 SIP/2.0', byeCseq: 'CSeq: 2 bye' }));
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '7 export raw-allowed [apt-raw]']);
    expect(o.reports).toEqual([]);
  });

  it('Call-IDs differing only in case are two calls: the BYE of one leaves the other', async () => {
    const a = callOf({ ...PLAIN, callId: 'Call-ID: abc@host' });
    const b = callOf({ ...PLAIN, callId: 'Call-ID: ABC@host', from: 'From: <sip:a@10.0.0.1>;tag=ft2', toTagged: 'To: <sip:b@10.0.0.2>;tag=tt2' });
    const o = await run(ws, [a[0]!, a[1]!, a[2]!, b[0]!, b[1]!, b[2]!, srA(), b[4]!, b[5]!, srA(), a[4]!, a[5]!, srA()]);
    expect(decided(o)).toEqual(['7 export raw-allowed [apt-raw]', '10 export raw-allowed [apt-raw]', '13 drop no-preference []']);
    expect(o.exports.map((e) => e.dialog)).toEqual([
      { callId: 'ABC@host', fromTag: 'ft2', toTag: 'tt2' },
      { callId: 'abc@host', fromTag: 'ft1', toTag: 'tt1' },
    ]);
    expect(o.summary.dialogs).toBe(2);
  });
});

describe('other directions and transactions', () => {
  it("the callee's BYE (compact forms, addr-spec To, display name with ';') ends the dialog", async () => {
    const p = callOf({ ...PLAIN, from: 'From: sip:a@10.0.0.1;tag=ft1', toTagged: 'To: "B;x" <sip:b@10.0.0.2>;tag=tt1' });
    const head = (start: string) => [start, 'v: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-b1', 'f: "B;x" <sip:b@10.0.0.2>;tag=tt1', 't: sip:a@10.0.0.1;tag=ft1', 'i: cid-1@10.0.0.1', 'CSeq: 7 BYE'];
    const o = await run(ws, [p[0]!, p[1]!, p[2]!, p[3]!, fromB(msg(head('BYE sip:a@10.0.0.1:5060 SIP/2.0'), null, 'l')), fromA(msg(head('SIP/2.0 200 OK'), null, 'l')), srA()]);
    expectCall(o, 4, 7);
  });

  it('CANCEL and 487 in compact forms end the early dialog', async () => {
    const c = (l: string) => l.replace(/^Call-ID:/, 'i:').replace(/^From:/, 'f:').replace(/^To:/, 't:').replace(/^Via:/, 'v:');
    const p = callOf({ ...PLAIN, line: c });
    const head = (start: string, to: string, cseq: string) => [start, 'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-inv', 'f: "Alice" <sip:a@10.0.0.1>;tag=ft1', to, 'i: cid-1@10.0.0.1', cseq];
    const o = await run(ws, [
      p[0]!,
      fromB(msg(head('SIP/2.0 180 Ringing', 't: <sip:b@10.0.0.2>;tag=tt1', 'CSeq: 1 INVITE'), null, 'l')),
      srA(),
      fromA(msg(head('CANCEL sip:b@10.0.0.2 SIP/2.0', 't: <sip:b@10.0.0.2>', 'CSeq: 1 CANCEL'), null, 'l')),
      fromB(msg(head('SIP/2.0 487 Request Terminated', 't: <sip:b@10.0.0.2>;tag=tt1', 'CSeq: 1 INVITE'), null, 'l')),
      srA(),
    ]);
    expect(decided(o)).toEqual(['3 export raw-allowed [apt-raw]', '6 drop no-preference []']);
    expect(o.exports.map((e) => e.dialog)).toEqual([{ callId: CID, fromTag: 'ft1', toTag: 'tt1' }]);
    expect(reported(o)).toEqual(['scope-transitioned 5', 'unbound-stream 6']);
  });
});

describe('SIP over TCP', () => {
  const tcpCall = (shape: Shape, f: (t: string) => string, split: (m: Uint8Array[], c: TcpConn) => Pkt[]) =>
    split(callOf(shape).filter((p) => p.sport === 5060).map((p) => edit(p.payload, f)), new TcpConn());
  const inOrder = ([inv, ok, ack, bye, ok2]: Uint8Array[], c: TcpConn) => [c.fromA(inv!), c.fromB(ok!), c.fromA(ack!), srA(), c.fromA(bye!), c.fromB(ok2!), srA()];
  const tcpVia = (t: string) => t.replace(/SIP\/2\.0\/UDP/g, 'SIP/2.0/TCP');

  it('compact forms, the INVITE over three segments', async () => {
    const o = await run(ws, tcpCall({ ...PLAIN, line: compact }, tcpVia, ([inv, ok, ack, bye, ok2], c) => [c.fromA(inv!.subarray(0, 150)), c.fromA(inv!.subarray(150, inv!.length - 3)), c.fromA(inv!.subarray(inv!.length - 3)), c.fromB(ok!), c.fromA(ack!), srA(), c.fromA(bye!), c.fromB(ok2!), srA()]));
    expectCall(o, 6, 9);
  });

  it('ACK and BYE in one segment', async () => {
    const o = await run(ws, tcpCall(PLAIN, tcpVia, ([inv, ok, ack, bye, ok2], c) => [c.fromA(inv!), c.fromB(ok!), srA(), c.fromA(concat(ack!, bye!)), c.fromB(ok2!), srA()]));
    expectCall(o, 3, 6);
  });

  it('split inside the blank line; the BYE begins in the ACK segment', async () => {
    const o = await run(ws, tcpCall(PLAIN, tcpVia, ([inv, ok, ack, bye, ok2], c) => {
      const i = Buffer.from(inv!).indexOf('\r\n\r\n') + 2;
      const j = Buffer.from(bye!).indexOf('\r\n\r\n') + 3;
      return [c.fromA(inv!.subarray(0, i)), c.fromA(inv!.subarray(i)), c.fromB(ok!), c.fromA(concat(ack!, bye!.subarray(0, j))), srA(), c.fromA(bye!.subarray(j)), c.fromB(ok2!), srA()];
    }));
    expectCall(o, 5, 8);
  });

  it('folded Content-Length', async () => expectCall(await run(ws, tcpCall(PLAIN, (t) => tcpVia(t).replace('Content-Length: ', 'Content-Length:\r\n   '), inOrder)), 4, 7));
  it('Content-Length with leading zeros and spaces around the colon', async () =>
    expectCall(await run(ws, tcpCall(PLAIN, (t) => tcpVia(t).replace(/Content-Length: (\d+)/, 'Content-Length  :  000$1  '), inOrder)), 4, 7));
  it('folded Call-ID', async () => expectCall(await run(ws, tcpCall(PLAIN, (t) => tcpVia(t).replace('Call-ID: ', 'Call-ID:\r\n\t'), inOrder)), 4, 7));
});
