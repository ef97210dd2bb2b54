/**
 * Found by a review of the latest changes (WebSocket, offeredMid, counters), fixed since: a CONNECT opens the HTTP exchange, and a 2xx answering it (or one with no length followed by a response) has no body (src/signaling/websocket-frames.ts readHttp, sip-flows.ts classify).
 */
/**
 * Input: the sample call (samples/call-small.pcap) with its SIP carried over SIP over WebSocket
 *   (RFC 7118) through an HTTP proxy, as RFC 6455 §4.1 has a ws:// client do when it is configured
 *   to use one: on each connection the client sends `CONNECT sip.example.net:80 HTTP/1.1` (+Host),
 *   the proxy answers `HTTP/1.1 200 Connection established` with no Content-Length (what Squid,
 *   tinyproxy, Apache mod_proxy_connect send), then the client's Upgrade GET and the server's 101
 *   go through the tunnel, then the SIP messages in text frames. Each HTTP message in its own TCP
 *   segment. Replayed with --workers 0 and 2. (Also the same exchange at SipFlowDemux level.)
 * Was: WebSocketFrameDecoder.readHttp (src/signaling/websocket-frames.ts) takes the server's
 *   `200` for a response whose body runs until the connection closes (body() returns false with
 *   neither Content-Length nor Transfer-Encoding) and refuse()s: the connection is marked
 *   notWebSocket, both directions become 'other', and every SIP message on it is dropped unread
 *   and unreported — no dialogs, all telemetry `no-preference`. With `Content-Length: 0` on the
 *   200 the same capture is read in full, so only the length-less (usual) form is lost.
 * Correct: RFC 9112 §6.3 (rule 2): "Any 2xx (Successful) response to a CONNECT request implies
 *   that the connection will become a tunnel immediately after the empty line that concludes the
 *   header fields" — the 200 has no body; RFC 6455 §4.1 gives exactly this CONNECT exchange for a
 *   client behind a proxy, and the README says the handshake's HTTP messages are passed over up
 *   to the 101, naming the proxy's 407. The outputs must equal the UDP capture's, as for the
 *   plain handshake (websocket-review/checked-fine).
 * Fix: src/signaling/sip-flows.ts classify: take a direction opening with `CONNECT ` as the
 *   HTTP exchange too (like `GET `), and in websocket-frames.ts readHttp note a client CONNECT in
 *   the shared WebSocketConnection; a 2xx response then has no body (also when the server's
 *   direction comes first in capture order: a 2xx with no length whose next bytes are `HTTP/1.`
 *   is the tunnel's, not a body to the close).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { bytesOf, sipText } from '../sip-fixtures.js';
import { expectSame, normalisedReplay, overWs, sample, udpBaseline, upgrade, writeLabelled, wsFrame, type WsPlan } from '../transport-review/transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const CONNECT = 'CONNECT sip.example.net:80 HTTP/1.1\r\nHost: sip.example.net:80\r\nUser-Agent: Mozilla/5.0\r\n\r\n';
const TUNNEL = 'HTTP/1.1 200 Connection established\r\n\r\n';
const text: WsPlan['frames'] = (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })];
/** each HTTP message (the first ends at its first blank line) in a segment of its own */
const perMessage = (b: Uint8Array): Uint8Array[] => {
  const at = Buffer.from(b).indexOf('\r\n\r\n') + 4;
  return [b.subarray(0, at), b.subarray(at)];
};

describe('SIP over WebSocket through an HTTP proxy (CONNECT, 200, then the Upgrade)', () => {
  for (const workers of [0, 2])
    it(`the same outputs as over UDP (workers ${workers})`, async () => {
      const { records } = await sample();
      const plan: WsPlan = { frames: text, handshake: { request: CONNECT + upgrade(null).request, response: TUNNEL + upgrade(null).response }, handshakeSegments: perMessage };
      const { file, labels } = await writeLabelled(ws, `connect-${workers}.pcap`, await overWs(records, plan));
      expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
    });

  it('unit: the frames after the tunnelled 101 are read', () => {
    const OPTIONS = sipText(['OPTIONS sip:bob@x SIP/2.0', 'From: <sip:a@x>;tag=1', 'To: <sip:bob@x>', 'Call-ID: o1', 'CSeq: 1 OPTIONS']);
    const d = new SipFlowDemux({}, (k) => (k === 'c' ? 's' : 'c'));
    const push = (k: string, b: Uint8Array | string) => {
      const bytes = typeof b === 'string' ? Uint8Array.from(Buffer.from(b, 'latin1')) : b;
      return d.push(k, bytes, 0, bytes.length).map((r) => r.message?.callId ?? 'error');
    };
    push('c', CONNECT);
    push('s', TUNNEL);
    push('c', upgrade(null).request);
    push('s', upgrade(null).response);
    expect(push('s', wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: false }))).toEqual(['o1']);
    expect(push('c', wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: true }))).toEqual(['o1']);
  });
});
