/**
 * Found by a review of SIP over every transport (differential against UDP), fixed since: opensWithFrames() takes a chaining Ping/Pong/Close (FIN, RSV clear, payload <= 125) as the sign of WebSocket, and undecided bytes, not segments, are budgeted.
 * Input: the sample call (samples/call-small.pcap) with its SIP carried over WebSocket (RFC 7118;
 * one connection per address pair, client frames masked), the capture having begun after each
 * handshake, and each direction's first captured frames 8 keep-alive control frames, one per
 * segment (the server's Ping, the client's Pong: Kamailio's websocket module default
 * keepalive_mechanism pings idle connections), then the SIP messages as whole text frames.
 * Run with workers 0 and 2.
 * Was: {"sip":0,"dialogs":0,"telemetry":{"export":0,"aggregate":1,"drop":253},"reports":{"unbound-stream":12}}
 *   — the connection is given up as "not SIP" and every later SIP message on it is ignored, silently.
 *   (With 7 control frames first, everything is read: the count of undecided segments decides.)
 * Correct: the UDP capture's outputs: "sip":32, 3 dialogs, "reports":{"binding-conflict":1,
 *   "implicit-binding":2,"scope-removed":2,"scope-transitioned":1}, same exports/decisions/bindings.
 *   RFC 6455 §5.5.2/§5.5.3: Ping and Pong are frames of the connection, carrying no SIP; RFC 7118 §6
 *   names WebSocket Ping frames as the keep-alive of SIP over WebSocket. SPEC §7 (SIP over WebSocket).
 * Fix: src/signaling/sip-flows.ts: classify()/opensWithFrames() only take a text or binary frame
 *   (opcode 1/2) as the sign of WebSocket; a control frame (0x88/0x89/0x8a, FIN set, length ≤ 125,
 *   RFC 6455 §5.5) whose frame chains (frameChains) should classify the direction as WebSocket too
 *   (the decoder already skips control frames), and undecided chunks should not be counted per segment.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, normalisedReplay, overWs, sample, udpBaseline, wsFrame, writeLabelled } from './transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('SIP over WebSocket picked up mid-connection behind Ping/Pong keep-alives', () => {
  for (const workers of [0, 2])
    it(`8 Ping/Pong frames first in each direction (workers ${workers}): the same as over UDP`, async () => {
      const { records } = await sample();
      const recs = await overWs(records, {
        handshake: null,
        frames: (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })],
        before: (client, _f, _i, first) => (first ? Array<Uint8Array>(8).fill(wsFrame({ fin: true, opcode: client ? 0xa : 0x9, payload: Buffer.from('kamailio'), mask: client })) : []),
      });
      const { file, labels } = await writeLabelled(ws, `ws-ping-${workers}.pcap`, recs);
      const got = await normalisedReplay(file, labels, workers);
      const want = await udpBaseline(ws, workers);
      expect(got.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
      expectSame(got, want);
    });
});
