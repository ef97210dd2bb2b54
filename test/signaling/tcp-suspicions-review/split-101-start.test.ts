/**
 * Found by a review of SIP over WebSocket in captures, fixed since: in a direction not yet decided, frames right after an empty line (the end of the 101's header section the capture began inside) are taken when the header lines before name WebSocket or the frame's payload opens with a SIP start line (src/signaling/sip-flows.ts SipFlowDemux.classify).
 */
/**
 * Input: the sample call (samples/call-small.pcap) carried over SIP over WebSocket (RFC 7118, one
 *   connection per address pair, client frames masked), the capture begun inside each server's
 *   `101 Switching Protocols` (RFC 6455 §4.2.2), which was sent in two segments: no SYN, no GET,
 *   not the 101's first segment; the 101's rest is the server direction's first captured segment
 *   (cut inside the status line, inside a header, inside the closing CRLFCRLF), then the SIP
 *   messages in text frames — also with the 101's rest and the server's first frame in one
 *   segment. Workers 0 and 2. Also packet level: the server sends the INVITE (a call to the
 *   WebSocket client, RFC 7118 §5), after the 101's rest, in its own segment or the same one.
 * Correct: the outcome of the UDP capture (SPEC §7 SIP over WebSocket; §8 results identical
 *   whatever the transport framing): every SIP message read — the INVITE with its AI-Pref
 *   restriction in force on the RTCP SRs that follow.
 * Was: with the 101's rest in a segment of its own, fine (checked-fine.test.ts). With the rest and
 *   the first frame in one segment the frame, neither at a segment start nor a SIP start line, was
 *   passed over: {"sip":29} (each server direction's first message lost), and at packet level the
 *   server's INVITE was never read — its AI-Pref restriction lost, telemetry exported raw.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, messageDeflater, normalisedReplay, overWs, sample, udpBaseline, upgrade, writeLabelled, wsFrame, type Labelled, type WsPlan } from '../transport-review/transport-harness.js';
import { sipMsg, type Rec } from '../tcp-reassembly-review/lab.js';
import { startLines } from './feed.js';
import { tcpOf } from './tcp-of.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const RESPONSE = upgrade(null).response;
const cuts: [string, number][] = [
  ['inside the status line', 12],
  ['inside a header', RESPONSE.indexOf('Sec-WebSocket-Accept') + 8],
  ['inside the last header value', RESPONSE.indexOf('Protocol: sip') + 11],
  ['inside the closing CRLFCRLF', RESPONSE.length - 2],
];

const text: WsPlan['frames'] = (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })];
/** permessage-deflate (RFC 7692) with context takeover, one deflater per direction */
function deflated(): WsPlan['frames'] {
  const d = new Map<string, (b: Uint8Array) => Promise<Uint8Array>>();
  return async (m, client, _f, _i, dir) => {
    if (!d.has(dir)) d.set(dir, messageDeflater(true));
    return [wsFrame({ fin: true, rsv1: true, opcode: 1, payload: await d.get(dir)!(m), mask: client })];
  };
}
const PMD = upgrade('permessage-deflate');

/** The sample over WebSocket, the capture begun after the first `cut` bytes of each 101. */
async function begunInside101(cut: number, coalesce: boolean, compressed = false): Promise<Labelled[]> {
  const { records } = await sample();
  const all = await overWs(records, {
    frames: compressed ? deflated() : text,
    ...(compressed ? { handshake: PMD } : {}),
    handshakeSegments: (b) => (Buffer.from(b).toString('latin1').startsWith('HTTP/') ? [b.subarray(0, cut), b.subarray(cut)] : [b]),
  });
  const out: Labelled[] = [];
  for (const r of all) {
    const t = tcpOf(r.data);
    if (t === null) {
      out.push(r);
      continue;
    }
    const said = Buffer.from(t.payload).toString('latin1');
    // before the capture began: the handshake up to the 101's first segment
    if (t.flags & TcpFlag.SYN || said.startsWith('GET ') || said.startsWith('HTTP/')) continue;
    out.push(r);
  }
  if (!coalesce) return out;
  // the 101's rest goes with the server's next segment (same direction)
  const merged: Labelled[] = [];
  const rests = new Map<string, { at: number; t: NonNullable<ReturnType<typeof tcpOf>> }>();
  for (const r of out) {
    const t = tcpOf(r.data);
    if (t === null) {
      merged.push(r);
      continue;
    }
    const key = `${t.src}:${t.sport}>${t.dst}:${t.dport}`;
    const said = Buffer.from(t.payload).toString('latin1');
    if (said.length > 0 && (RESPONSE.endsWith(said) || PMD.response.endsWith(said)) && !rests.has(key)) {
      rests.set(key, { at: merged.length, t });
      continue;
    }
    const rest = rests.get(key);
    if (rest !== undefined && rest.at >= 0) {
      rest.at = -1;
      merged.push({ ...r, data: buildIpv4Tcp({ ...rest.t, payload: Buffer.concat([rest.t.payload, t.payload]) }) });
      continue;
    }
    merged.push(r);
  }
  return merged;
}

describe('the capture begins inside a 101 sent in two segments', () => {
  for (const [name, cut] of cuts)
    for (const workers of [0, 2])
      it(`cut ${name}, its rest with the first frame: the same as over UDP (workers ${workers})`, async () => {
        const t = await writeLabelled(ws, `in101-${cut}-${workers}.pcap`, await begunInside101(cut, true));
        const got = await normalisedReplay(t.file, t.labels, workers);
        expect(got.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
        expectSame(got, await udpBaseline(ws, workers));
      });

  // compressed frames: the header lines left name WebSocket (a payload that does not open with a start line is no evidence)
  for (const [name, cut] of cuts.slice(0, 2))
    for (const workers of [0, 2])
      it(`permessage-deflate, cut ${name}, its rest with the first frame: the same as over UDP (workers ${workers})`, async () => {
        const t = await writeLabelled(ws, `in101-pmd-${cut}-${workers}.pcap`, await begunInside101(cut, true, true));
        const got = await normalisedReplay(t.file, t.labels, workers);
        expect(got.summary).toMatchObject({ sip: 32, dialogs: 3, malformed: 0 });
        expectSame(got, await udpBaseline(ws, workers));
      });

  it('packet level: the server sends the INVITE in the segment of the 101 rest', async () => {
    const S = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 };
    const invite = wsFrame({ fin: true, opcode: 1, payload: Buffer.from(sipMsg('INVITE', 'one'), 'latin1'), mask: false });
    for (const [, cut] of cuts) {
      const rest = Buffer.from(RESPONSE.slice(cut), 'latin1');
      const P = TcpFlag.PSH | TcpFlag.ACK;
      const together: Rec[] = [{ ts: 1, data: buildIpv4Tcp({ ...S, seq: 5000, ack: 100, flags: P, payload: Buffer.concat([rest, invite]) }) }];
      expect(await startLines(together)).toEqual([[1, ['INVITE one']]]);
    }
  });
});
