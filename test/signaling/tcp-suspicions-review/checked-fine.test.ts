/**
 * Checks of the three TCP/WebSocket suspicions that came out fine on the code before their fixes,
 * and checks that the fixes read nothing more than they should.
 *  - A message's first byte alone in a segment, SYN captured: every message read, as over UDP
 *    (the stream is anchored at the SYN, the lone byte is data).
 *  - The capture begun inside a 101 sent in two segments, its rest in a segment of its own: the
 *    frames after it open their own segment and are found there, as over UDP.
 *  - Guards: a SIP direction picked up mid-message whose body (ISUP, RFC 3204) opens like chaining
 *    WebSocket frames right after its header section is still SIP, its next message read; a keep-
 *    alive probe's garbage octet (0x00, or a last byte '\n' or a letter) before the first message
 *    of a direction picked up mid-connection is passed over silently; a garbage octet before a TLS
 *    record still makes the direction someone else's traffic, unreported.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { expectSame, normalisedReplay, overTcp, overWs, sample, udpBaseline, upgrade, writeLabelled, wsFrame, type Labelled, type TcpPlan } from '../transport-review/transport-harness.js';
import { A, B, seg, sipMsg, type Rec } from '../tcp-reassembly-review/lab.js';
import { startLines } from './feed.js';
import { tcpOf } from './tcp-of.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const P = TcpFlag.PSH | TcpFlag.ACK;
const m1 = sipMsg('INVITE', 'one');
const m2 = sipMsg('OPTIONS', 'two');

describe('a message whose first byte travels alone in a segment, SYN captured', () => {
  const firstByteAlone: TcpPlan = { pieces: (m) => [{ from: 0, to: 1 }, { from: 1, to: m.length }] };
  for (const workers of [0, 2])
    it(`the same as over UDP (workers ${workers})`, async () => {
      const { records } = await sample();
      const t = await writeLabelled(ws, `one-byte-syn-${workers}.pcap`, overTcp(records, { ...firstByteAlone, syn: true }));
      expectSame(await normalisedReplay(t.file, t.labels, workers), await udpBaseline(ws, workers));
    });
  it('packet level: INVITE read at the segment of its rest', async () => {
    const recs = [seg(A, 999, TcpFlag.SYN), seg(B, 8999, TcpFlag.SYN | TcpFlag.ACK, '', 0, 1000), seg(A, 1000, P, 'I', 0, 9000), seg(A, 1001, P, m1.slice(1), 0, 9000), seg(A, 1000 + m1.length, P, m2, 0, 9000)];
    expect(await startLines(recs)).toEqual([[4, ['INVITE one']], [5, ['OPTIONS two']]]);
  });
});

describe('the capture begins inside a 101 whose rest has a segment of its own', () => {
  const RESPONSE = upgrade(null).response;
  for (const cut of [12, RESPONSE.indexOf('Sec-WebSocket-Accept') + 8, RESPONSE.length - 2])
    for (const workers of [0, 2])
      it(`cut after ${cut} bytes: the same as over UDP (workers ${workers})`, async () => {
        const { records } = await sample();
        const all = await overWs(records, { frames: (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })], handshakeSegments: (b) => (Buffer.from(b).toString('latin1').startsWith('HTTP/') ? [b.subarray(0, cut), b.subarray(cut)] : [b]) });
        const out: Labelled[] = all.filter((r) => {
          const t = tcpOf(r.data);
          const said = t === null ? '' : Buffer.from(t.payload).toString('latin1');
          return t === null || !(t.flags & TcpFlag.SYN || said.startsWith('GET ') || said.startsWith('HTTP/'));
        });
        const t = await writeLabelled(ws, `in101-own-${cut}-${workers}.pcap`, out);
        expectSame(await normalisedReplay(t.file, t.labels, workers), await udpBaseline(ws, workers));
      });
  it('packet level: the server sends the INVITE in the segment after the 101 rest', async () => {
    const S = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 };
    const invite = wsFrame({ fin: true, opcode: 1, payload: Buffer.from(sipMsg('INVITE', 'one'), 'latin1'), mask: false });
    const rest = Buffer.from(RESPONSE.slice(12), 'latin1');
    const recs: Rec[] = [
      { ts: 1, data: buildIpv4Tcp({ ...S, seq: 5000, ack: 100, flags: P, payload: rest }) },
      { ts: 2, data: buildIpv4Tcp({ ...S, seq: 5000 + rest.length, ack: 100, flags: P, payload: invite }) },
    ];
    expect(await startLines(recs)).toEqual([[2, ['INVITE one']]]);
  });
});

describe('what the fixes must not read', () => {
  it('SIP picked up mid-message, its ISUP body opening like chaining frames after the header section: still SIP', async () => {
    // 01 00: a text frame's first fragment with no payload; chained four times to the segment's end
    const isup = '\x01\x00\x01\x00\x01\x00\x01\x00';
    const info = sipMsg('INFO', 'isup', isup, 'Content-Type: application/isup;version=itu-t92+\r\n');
    const tail = info.slice(info.indexOf('CSeq'));
    const recs = [seg(A, 7000, P, tail, 0, 9000), seg(A, 7000 + tail.length, P, m2, 0, 9000)];
    expect(await startLines(recs)).toEqual([[2, ['OPTIONS two']]]);
  });

  for (const [name, probe] of [
    ['0x00', '\0'],
    ["'\\n' (the last byte sent)", '\n'],
    ["'x' (the last byte sent)", 'x'],
  ] as const)
    it(`a keep-alive probe's octet ${name} before the first message, no SYN: passed over, unreported`, async () => {
      const recs = [seg(A, 999, 0, probe, 0, 9000), seg(B, 9000, TcpFlag.ACK, '', 0, 1000), seg(A, 1000, P, m1, 0, 9000), seg(A, 1000 + m1.length, P, m2, 0, 9000)];
      expect(await startLines(recs)).toEqual([[3, ['INVITE one']], [4, ['OPTIONS two']]]);
    });

  it('a stray octet before a TLS record: someone else\'s traffic, nothing reported', async () => {
    const tls = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40, ...Array<number>(0x40).fill(0x41)]);
    const recs = [seg(A, 999, 0, '\0', 0, 9000), seg(A, 1000, P, tls, 0, 9000), seg(A, 1000 + tls.length, P, Buffer.from(m2, 'latin1'), 0, 9000)];
    expect(await startLines(recs)).toEqual([]);
  });
});
