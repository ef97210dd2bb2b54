/**
 * Found by a review of SIP over WebSocket, fixed since: a direction's HTTP messages (Content-Length and chunked bodies, 1xx, a 401 and the retried GET) are passed over up to the 101; a request without Upgrade: websocket, or a server going on past a refusal with no HTTP response, makes the connection 'other', unreported (websocket-frames.ts WebSocketFrameDecoder.readHttp, sip-flows.ts SipFlowDemux.framed).
 */
/**
 * An HTTP exchange that is not (yet) the WebSocket Upgrade is taken for it: whatever follows is
 * read as frames.
 *
 * Input: (1) the sample call (samples/call-small.pcap) carried over SIP over WebSocket (RFC 7118),
 *   each connection's handshake answered first `401 Unauthorized` (WWW-Authenticate: Digest,
 *   Content-Length 0), the client then asking again on the same connection with an Authorization
 *   header and the server answering `101 Switching Protocols`; then the SIP messages in text frames
 *   (masked from the client), exactly as in the harness's passing "text frames" case.
 *   (2) the sample call over UDP with a plain HTTP/1.1 exchange beside it (GET /index.html, a
 *   `200 OK` with a 600-byte HTML body) on TCP 80 between two other hosts.
 *   Both with --workers 0 and 2.
 * Was: WebSocketFrameDecoder.skipHandshake() takes the first HTTP message of a direction, whatever
 *   it is, for the Upgrade and reads every byte after it as WebSocket frames. (1) The client's
 *   second GET is read as frames ('G' = 0x47: RSV1, reserved opcode 7), whose lengths swallow the
 *   real frames after it; the server's "HTTP/1.1 101" is read as a frame whose first byte 'H'
 *   (0x48) is a Close — the direction is shut: every SIP message of both directions is lost
 *   (no dialogs, all telemetry `no-preference`), with a stream of bad-websocket-frame reports.
 *   (2) The 200's HTML body is read as frames: malformed-input reports (bad-websocket-frame,
 *   oversized-message of "frame of 4.7e18 bytes") for someone else's web traffic.
 * Correct: tshark reads all 32 SIP messages of capture (1) (`tshark -r f -Y sip`: its HTTP
 *   dissector follows the 401, the second GET and the 101, then WebSocket). RFC 6455 §4.1: "If the status code received from the server is not 101, the client
 *   handles the response per HTTP procedures. In particular, the client might perform
 *   authentication if it receives a 401 status code"; the connection is WebSocket only from the
 *   101 on (§4.2.2); §10.5 (which RFC 7118 §7 points to) lets a server authenticate the client with
 *   HTTP authentication in the handshake. So (1)
 *   must give the UDP sample's outputs (same dialogs, reports, decisions, exports, bindings), and
 *   (2) must add nothing: README "A direction is taken for someone else's traffic (TLS, HTTP; not
 *   reported)".
 * Fix: src/signaling/websocket-frames.ts skipHandshake(): read HTTP messages (their
 *   Content-Length bodies too) until the server's 101 (a response of another status is skipped and
 *   the next one awaited; a client request followed by another "GET " is skipped likewise); share
 *   "upgraded" through WebSocketConnection; a direction whose exchange ends without a 101 (or a
 *   request without `Upgrade: websocket`) is not WebSocket — sip-flows.ts should then take it as
 *   'other', unreported.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { bytesOf, sipText } from '../sip-fixtures.js';
import { buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, identity, normalisedReplay, overWs, sample, udpBaseline, upgrade, writeLabelled, wsFrame, type Labelled } from '../transport-review/transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const plain = upgrade(null);
const authed = {
  // per direction the bytes are what they would be on the wire: the client's two requests, the server's two answers
  request:
    plain.request +
    plain.request.replace('\r\n\r\n', '\r\nAuthorization: Digest username="alice", realm="sip.example.net", nonce="abc", uri="/", response="6629fae49393a05397450978507c4ef1"\r\n\r\n'),
  response:
    'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="sip.example.net", nonce="abc"\r\nContent-Length: 0\r\n\r\n' +
    plain.response,
};

describe('SIP over WebSocket whose handshake was first answered 401', () => {
  for (const workers of [0, 2]) {
    it(`401, then a GET with credentials answered 101 on the same connection: the same as over UDP (workers ${workers})`, async () => {
      const { records } = await sample();
      const frames = (m: Uint8Array, client: boolean) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })];
      const { file, labels } = await writeLabelled(ws, `ws-401-${workers}.pcap`, await overWs(records, { frames, handshake: authed }));
      expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
    });
  }
});

describe('plain HTTP beside a SIP call', () => {
  for (const workers of [0, 2]) {
    it(`a GET answered 200 with an HTML body adds no report (workers ${workers})`, async () => {
      const base = await identity();
      const ts = base[0]!.ts - 0.5;
      const c = { src: '192.0.2.10', dst: '192.0.2.80', sport: 51000, dport: 80, seq: 1000 };
      const s = { src: '192.0.2.80', dst: '192.0.2.10', sport: 80, dport: 51000, seq: 90000 };
      const html = `<!doctype html><html><head><title>Status</title></head><body>${'<p>All systems are running normally.</p>'.repeat(14)}</body></html>\n`;
      const seg = (e: typeof c, text: string): Labelled => {
        const payload = Buffer.from(text, 'latin1');
        const rec = { ts: ts + 0.001 * (e.seq % 7), label: 0, data: buildIpv4Tcp({ ...e, flags: TcpFlag.PSH | TcpFlag.ACK, payload }) };
        e.seq += payload.length;
        return rec;
      };
      const http: Labelled[] = [
        seg(c, 'GET /index.html HTTP/1.1\r\nHost: status.example.net\r\nAccept: text/html\r\n\r\n'),
        seg(s, `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${html.length}\r\n\r\n${html}`),
      ];
      const { file, labels } = await writeLabelled(ws, `http-${workers}.pcap`, [...http, ...base]);
      const got = await normalisedReplay(file, labels, workers);
      expect(got.reports.filter((r) => (r as { type: string }).type === 'malformed-input').map((r) => (r as { detail?: string }).detail)).toEqual([]);
      expectSame(got, await udpBaseline(ws, workers));
    });
  }
});

describe('the HTTP exchange before the frames, unit', () => {
  const OPTIONS = sipText(['OPTIONS sip:bob@x SIP/2.0', 'From: <sip:a@x>;tag=1', 'To: <sip:bob@x>', 'Call-ID: o1', 'CSeq: 1 OPTIONS']);
  const reverse = (k: string) => (k === 'c' ? 's' : 'c');
  const push = (d: SipFlowDemux, k: string, b: Uint8Array | string) => {
    const bytes = typeof b === 'string' ? Uint8Array.from(Buffer.from(b, 'latin1')) : b;
    return d.push(k, bytes, 0, bytes.length).map((r) => r.message?.callId ?? r.errors.map((e) => e.reason).join(','));
  };

  it('a 100 Continue, then a 401 with a chunked body cut across segments, then the 101: the frames after it are read', () => {
    const d = new SipFlowDemux({}, reverse);
    expect(push(d, 'c', upgrade(null).request + upgrade(null).request)).toEqual([]);
    const body = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n\x81\x05abc\r\n10;x=y\r\n\x81\x0eOPTIONS sip:bo\r\n0\r\nX-Trailer: 1\r\n\r\n' + upgrade(null).response;
    for (let at = 0; at < body.length; at += 7) expect(push(d, 's', body.slice(at, at + 7))).toEqual([]);
    expect(push(d, 's', wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: false }))).toEqual(['o1']);
    expect(push(d, 'c', wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: true }))).toEqual(['o1']);
    expect([d.kindOf('c'), d.kindOf('s')]).toEqual(['websocket', 'websocket']);
  });

  it('a refusal followed by bytes that are no HTTP response: both directions other, nothing read', () => {
    const d = new SipFlowDemux({}, reverse);
    expect(push(d, 'c', upgrade(null).request)).toEqual([]);
    expect(push(d, 's', 'HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno!')).toEqual([]);
    expect(d.kindOf('s')).toBe('websocket');
    expect(push(d, 's', wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: false }))).toEqual([]);
    expect(push(d, 'c', wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: true }))).toEqual([]);
    expect([d.kindOf('c'), d.kindOf('s')]).toEqual(['other', 'other']);
    expect(d.end('c', 'FIN')).toBeNull();
  });

  it('a GET without Upgrade: websocket makes the connection other at once, its answer unread', () => {
    const d = new SipFlowDemux({}, reverse);
    expect(push(d, 'c', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toEqual([]);
    expect(d.kindOf('c')).toBe('other');
    expect(push(d, 's', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n\x88\x00')).toEqual([]);
    expect(d.kindOf('s')).toBe('other');
  });
});
