/**
 * Found by a review of SIP over every transport (differential against UDP), fixed since: WebSocketFrameDecoder.readFrame() drops a whole (inflated) message of only CR/LF as a keep-alive, unparsed and uncounted.
 * Input: the sample call (samples/call-small.pcap) with its SIP carried over WebSocket (RFC 7118,
 * handshake captured, one connection per address pair, client frames masked), and before each SIP
 * message a CRLF keep-alive in a text frame of its own: "\r\n\r\n" from the client, "\r\n" (the
 * pong) from the server — what JsSIP/SIP.js send (keepAliveInterval) and Kamailio's websocket
 * module answers (ws_frame.c: a text frame of exactly CRLF or CRLFCRLF is a SIP-layer ping, answered
 * with CRLF, never handed to the SIP parser). Run with workers 0 and 2.
 * Was: summary "sip":64, "malformed":32, reports "malformed-input":32, each
 *   {"type":"malformed-input","frame":1,"dialog":null,"detail":"frame 1: sip empty-message at byte 0"}.
 * Correct: keep-alives are not SIP messages and not malformed: "sip":32, "malformed":0, no
 *   malformed-input report — the UDP capture's outputs exactly. RFC 7118 §6: the CRLF keep-alive of
 *   RFC 5626 §3.5.1/§4.4.1 is usable over SIP over WebSocket; RFC 3261 §7.5: CRLFs outside a
 *   message are ignored (the TCP framer already skips them: sip-stream.ts). SPEC §6/§8: malformed-input
 *   is for malformed packets, and the sip count is of SIP messages.
 * Fix: src/signaling/websocket-frames.ts, WebSocketFrameDecoder.readFrame(): when a whole (inflated)
 *   message holds only CR/LF bytes, drop it without a result (no parseSipMessage call), as
 *   SipStreamFramer.push() does between messages.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, normalisedReplay, overWs, sample, udpBaseline, wsFrame, writeLabelled } from './transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('SIP over WebSocket with CRLF keep-alives in text frames', () => {
  for (const workers of [0, 2])
    it(`a CRLFCRLF ping / CRLF pong frame before each message (workers ${workers}): no malformed-input`, async () => {
      const { records } = await sample();
      const recs = await overWs(records, {
        frames: (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })],
        before: (client) => [wsFrame({ fin: true, opcode: 1, payload: Buffer.from(client ? '\r\n\r\n' : '\r\n'), mask: client })],
      });
      const { file, labels } = await writeLabelled(ws, `ws-crlf-${workers}.pcap`, recs);
      const got = await normalisedReplay(file, labels, workers);
      const want = await udpBaseline(ws, workers);
      expect(got.reports.filter((r) => (r as { type: string }).type === 'malformed-input')).toEqual([]);
      expect(got.summary).toMatchObject({ sip: 32, malformed: 0 });
      expectSame(got, want);
    });
});
