/**
 * Checks of SIP over WebSocket (RFC 6455 / 7118 / 7692) that came out FINE. Differential, with the
 * transport-review harness: the sample call (samples/call-small.pcap, 32 SIP messages, 3 dialogs,
 * samples/policy.json) with its SIP re-expressed over WebSocket on TCP; summary, reports,
 * bindings, exports (telemetry request ids aside) and decisions (--explain) must equal the UDP
 * capture's, frames mapped back to the record each new one stands for. Workers 0 and 2.
 * (The control-frame and CRLF keep-alive angles, and the cases listed in
 * ../transport-review/checked-fine.test.ts, are not repeated here.)
 */
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import {
  cutInto, expectSame, mapSip, normalisedReplay, overUdp, overWs, sample, udpBaseline, upgrade, writeLabelled, wsFrame, type Labelled, type WsPlan,
} from '../transport-review/transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const WORKERS = [0, 2];

const text: WsPlan['frames'] = (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })];

/** A deflater per direction with the given LZ77 window (server_max_window_bits / client_max_window_bits). */
function deflatedBits(bits: number, k = 1): WsPlan['frames'] {
  const per = new Map<string, (b: Uint8Array) => Promise<Uint8Array>>();
  const make = () => {
    const d = zlib.createDeflateRaw({ windowBits: bits, memLevel: 8 });
    const got: Buffer[] = [];
    d.on('data', (c: Buffer) => got.push(c));
    return (b: Uint8Array) =>
      new Promise<Uint8Array>((resolve) => {
        d.write(b);
        d.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          const all = Buffer.concat(got.splice(0));
          resolve(all.subarray(0, all.length - 4));
        });
      });
  };
  return async (m, client, _f, _i, dir) => {
    if (!per.has(dir)) per.set(dir, make());
    const c = await per.get(dir)!(m);
    const out: Uint8Array[] = [];
    const step = Math.ceil(c.length / k);
    for (let at = 0, n = 0; at < c.length; at += step, n++) {
      const end = Math.min(c.length, at + step);
      out.push(wsFrame({ fin: end === c.length, rsv1: n === 0, opcode: n === 0 ? 1 : 0, payload: c.subarray(at, end), mask: client }));
      // a Ping between the fragments of a compressed message (control frames are never compressed, RFC 7692 §6.1)
      if (end < c.length) out.push(wsFrame({ fin: true, opcode: 9, payload: Buffer.from('p'), mask: client }));
    }
    return out;
  };
}

const noProtocol = {
  request: upgrade(null).request.replace('Sec-WebSocket-Protocol: sip\r\n', ''),
  response: upgrade(null).response.replace('Sec-WebSocket-Protocol: sip\r\n', ''),
};

const cases: [string, () => WsPlan][] = [
  // RFC 7118 §4 wants "sip" in Sec-WebSocket-Protocol; frames of SIP are still SIP without it (as tshark reads them with the port marked)
  ['101 without Sec-WebSocket-Protocol', () => ({ frames: text, handshake: noProtocol })],
  // the handshake cut inside its CRLFCRLF, 2 bytes then the rest
  ['handshake split inside its blank line', () => ({ frames: text, handshakeSegments: (b: Uint8Array) => [b.subarray(0, b.length - 3), b.subarray(b.length - 3, b.length - 1), b.subarray(b.length - 1)] })],
  // server_max_window_bits / client_max_window_bits = 10: a smaller window referred back to
  ['permessage-deflate, max_window_bits=10, fragmented with a Ping between', () => ({ frames: deflatedBits(10, 3), handshake: upgrade('permessage-deflate; server_max_window_bits=10; client_max_window_bits=10') })],
  ['permessage-deflate, max_window_bits=9, 5-byte segments', () => ({ frames: deflatedBits(9), handshake: upgrade('permessage-deflate; server_max_window_bits=9; client_max_window_bits=9'), segments: cutInto(5) })],
];

describe('SIP over WebSocket equals SIP over UDP', () => {
  for (const [name, mk] of cases)
    for (const workers of WORKERS)
      it(`${name} (workers ${workers})`, async () => {
        const { records } = await sample();
        const { file, labels } = await writeLabelled(ws, `p-${name.replace(/\W+/g, '-')}-${workers}.pcap`, await overWs(records, mk()));
        expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
      });
});

/** Each message's frames in 3 TCP segments, written out of order (third, first, second) and the first retransmitted after. */
async function reorderedMidFrame(compressed: boolean): Promise<Labelled[]> {
  const { records } = await sample();
  const sipFrames = new Set(records.filter((r) => r.sip !== null).map((r) => r.frame));
  const frames = compressed ? deflatedBits(15) : text;
  const out = await overWs(records, {
    frames,
    handshake: compressed ? upgrade('permessage-deflate') : upgrade(null),
    segments: (bytes) => {
      const all = Buffer.concat(bytes);
      const a = Math.floor(all.length / 3);
      return [all.subarray(0, a), all.subarray(a, 2 * a), all.subarray(2 * a)];
    },
  });
  const result: Labelled[] = [];
  for (let i = 0; i < out.length; ) {
    let j = i;
    while (j < out.length && out[j]!.label === out[i]!.label) j++;
    const run = out.slice(i, j);
    if (sipFrames.has(out[i]!.label) && run.length >= 3) {
      const [x, y, z] = run.slice(-3) as [Labelled, Labelled, Labelled];
      result.push(...run.slice(0, -3), z, x, y, x);
    } else result.push(...run);
    i = j;
  }
  return result;
}

describe('TCP out of order and retransmitted in the middle of a frame', () => {
  for (const compressed of [false, true])
    for (const workers of WORKERS)
      it(`${compressed ? 'compressed' : 'plain'} frames, segments 3,1,2 then 1 again (workers ${workers})`, async () => {
        const { file, labels } = await writeLabelled(ws, `ooo-${compressed}-${workers}.pcap`, await reorderedMidFrame(compressed));
        expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
      });
});

describe('RFC 7118 §5.1 broken: message boundaries other than one SIP message per WebSocket message', () => {
  // two SIP messages in one WebSocket message: read as a datagram holding both is (the first read,
  // bytes past its Content-Length dropped, RFC 3261 §18.3) — identical outputs over UDP and WS
  for (const workers of WORKERS)
    it(`an extra OPTIONS after each BYE, in the same WebSocket message / datagram (workers ${workers})`, async () => {
      const { records } = await sample();
      const extra = 'OPTIONS sip:x@example.net SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bKx\r\nFrom: <sip:a@x>;tag=9\r\nTo: <sip:x@example.net>\r\nCall-ID: extra-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
      const two = mapSip(records, (t) => (t.startsWith('BYE ') ? t + extra : t));
      const overW = await writeLabelled(ws, `two-ws-${workers}.pcap`, await overWs(two, { frames: text }));
      const overU = await writeLabelled(ws, `two-udp-${workers}.pcap`, overUdp(two));
      const a = await normalisedReplay(overW.file, overW.labels, workers);
      expectSame(a, await normalisedReplay(overU.file, overU.labels, workers));
      expectSame(a, await udpBaseline(ws, workers));
    });

  // one SIP message (the first INVITE, cut in its SDP body) in two WebSocket messages: the same as
  // the two halves in two datagrams — the cut request reported and read (README: a cut request is
  // reported and read) — but for the stray second half, which only WS reports
  for (const workers of WORKERS)
    it(`the first INVITE in two WebSocket messages equals it in two UDP datagrams (workers ${workers})`, async () => {
      const { records } = await sample();
      const first = records.find((r) => r.sip !== null)!;
      const cutAt = first.sip!.payload.length - 40;
      const wsRecs = await overWs(records, {
        frames: (m, client, frame) =>
          frame === first.frame
            ? [wsFrame({ fin: true, opcode: 1, payload: m.subarray(0, cutAt), mask: client }), wsFrame({ fin: true, opcode: 1, payload: m.subarray(cutAt), mask: client })]
            : [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })],
      });
      const udpRecs: Labelled[] = [];
      for (const r of overUdp(records)) {
        if (r.label !== first.frame) udpRecs.push(r);
        else for (const part of [first.sip!.payload.subarray(0, cutAt), first.sip!.payload.subarray(cutAt)]) udpRecs.push({ ts: r.ts, label: r.label, data: buildEthernetIpv4Udp({ ...first.sip!, payload: part }) });
      }
      const w = await writeLabelled(ws, `split-ws-${workers}.pcap`, wsRecs);
      const u = await writeLabelled(ws, `split-udp-${workers}.pcap`, udpRecs);
      const got = await normalisedReplay(w.file, w.labels, workers);
      const want = await normalisedReplay(u.file, u.labels, workers);
      // both report the cut and the stray half (malformed-input), and otherwise agree
      // over WS the stray second half is a message of a SIP transport: reported (bad-start-line, its
      // bytes not quoted past the first word) and counted as SIP; over UDP it is someone else's datagram
      const stray = got.reports.filter((r) => (r as { dialog: unknown; detail?: string }).dialog === null && /bad-start-line/.test((r as { detail?: string }).detail ?? ''));
      expect(stray).toHaveLength(1);
      expect(want.reports.some((r) => /body-truncated/.test((r as { detail?: string }).detail ?? ''))).toBe(true);
      const s = got.summary as { sip: number; malformed: number; reports: Record<string, number> };
      const t = want.summary as { sip: number; malformed: number; reports: Record<string, number> };
      expect({ ...s, sip: s.sip - 1, malformed: s.malformed - 1, reports: { ...s.reports, 'malformed-input': s.reports['malformed-input']! - 1 } }).toEqual(t);
      expectSame({ ...got, summary: t, reports: got.reports.filter((r) => !stray.includes(r)) }, want);
    });
});
