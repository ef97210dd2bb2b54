/**
 * Checks of 4c9813e (SIP over TCP framing: one-byte first segment, stray first octet, frames after
 * a 101's empty line, frames begun carried) that came out fine.
 *
 * Not a test here, done by hand: the five real captures in ../shared/captures replayed with the
 * build of 4c9813e~1 and of 4c9813e alone (`replay --json --explain`, workers 0 and 2): stdout,
 * exports, reports and decisions byte-identical. A sweep of heplify_sip_ipv4_tcp.pcap's seven TCP
 * segments (start at each message, no SYN; whole, first byte alone, random 1–120-byte pieces, one
 * random cut; keep-alive probes with octet \n, x, 0x00, 'A', \r, 0x81 before each direction): 92
 * variants read more messages than before (the one-byte first segments), none fewer except those
 * with the 0x81 probe (probe-octet-like-frame.test.ts).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { A, B, seg, sipMsg, TcpFlag, type Rec } from '../tcp-reassembly-review/lab.js';
import { startLines } from '../tcp-suspicions-review/feed.js';
import { wsFrame } from '../transport-review/transport-harness.js';

const P = TcpFlag.PSH | TcpFlag.ACK;
const inv = sipMsg('INVITE', 'one');
const opt = sipMsg('OPTIONS', 'two');

describe('keep-alive probes on an idle direction joined mid-connection', () => {
  for (const probe of ['\n', '\r', 'x', '\0', 'I', 'S'])
    it(`probe octet ${JSON.stringify(probe)} repeated three times, then an INVITE in three segments and an OPTIONS: each read once, whole`, async () => {
      const recs: Rec[] = [];
      for (let i = 0; i < 3; i++) recs.push(seg(A, 999, TcpFlag.ACK, probe, 0, 9000), seg(B, 9000, TcpFlag.ACK, '', 0, 1000));
      const cuts = [0, 5, 40, inv.length];
      for (let k = 0; k < 3; k++) recs.push(seg(A, 1000 + cuts[k]!, P, inv.slice(cuts[k], cuts[k + 1]), 0, 9000));
      recs.push(seg(A, 1000 + inv.length, P, opt, 0, 9000));
      expect(await startLines(recs)).toEqual([[9, ['INVITE one']], [10, ['OPTIONS two']]]);
    });

  it('probe then a plain HTTP request (no Upgrade): the direction is someone else\'s, a SIP start line after it not read', async () => {
    const get = 'GET /status HTTP/1.1\r\nHost: api.example\r\n\r\n';
    for (const probe of ['\n', 'x'])
      expect(await startLines([seg(A, 999, TcpFlag.ACK, probe, 0, 9000), seg(A, 1000, P, get, 0, 9000), seg(A, 1000 + get.length, P, inv, 0, 9000)])).toEqual([]);
  });

  it('probe then a TLS record: nothing read, nothing reported (as before the probe was delivered)', async () => {
    const tls = Uint8Array.from([0x17, 0x03, 0x03, 0x00, 0x20, ...new Array<number>(0x20).fill(0x55)]);
    for (const probe of [0x0a, 0x0d, 0x78])
      expect(await startLines([seg(A, 999, TcpFlag.ACK, Uint8Array.of(probe), 0, 9000), seg(A, 1000, P, tls, 0, 9000), seg(A, 1000 + tls.length, P, inv, 0, 9000)])).toEqual([]);
  });

  it("probe 'x' then a WebSocket Upgrade, its 101 and masked frames: the INVITE read", async () => {
    const get = 'GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n';
    const res = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    const f = wsFrame({ fin: true, opcode: 1, payload: Buffer.from(inv, 'latin1'), mask: true });
    const recs = [seg(A, 999, TcpFlag.ACK, 'x', 0, 9000), seg(A, 1000, P, get, 0, 9000), seg(B, 9000, P, res, 0, 1000 + get.length), seg(A, 1000 + get.length, P, f, 0, 9000 + res.length)];
    expect(await startLines(recs)).toEqual([[4, ['INVITE one']]]);
  });
});

describe('the stray-octet skip does not eat a real first byte', () => {
  for (const m of [sipMsg('INVITE', 'i'), sipMsg('ACK', 'a'), sipMsg('PUBLISH', 'p'), sipMsg('PING', 'x'), 'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: r\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n'])
    it(`'${m[0]}' alone, then '${m.slice(1, 12)}…', no SYN: read whole`, async () => {
      const recs = [seg(A, 1000, P, m.slice(0, 1), 0, 9000), seg(B, 9000, TcpFlag.ACK, '', 0, 1001), seg(A, 1001, P, m.slice(1), 0, 9000), seg(A, 1000 + m.length, P, opt, 0, 9000)];
      const got = await startLines(recs);
      expect(got.map(([f, ms]) => [f, ms.map((s) => s.split(' ')[0])])).toEqual([[3, [m.startsWith('SIP') ? '200' : m.split(' ')[0]]], [4, ['OPTIONS']]]);
    });
});

describe('a frame begun and carried: bounds', () => {
  for (const [name, head] of [
    ['a 64-bit length', [0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0x10, 0]],
    ['a 16-bit length past the budget (65535)', [0x81, 0x7e, 0xff, 0xff]],
    ['a 16-bit length within the budget (16000)', [0x81, 0x7e, 0x3e, 0x80]],
  ] as const)
    it(`${name}, then 17 KiB that is not SIP: given up as not SIP (not pinned undecided), carry bounded`, () => {
      const d = new SipFlowDemux();
      d.push('k', Uint8Array.from(head), 0, head.length);
      // (999-byte segments: the 16000-byte "frame" ends inside one, followed by 'a', which chains to nothing)
      const junk = new Uint8Array(999).fill(0x61);
      for (let i = 0; i < 18; i++) d.push('k', junk, 0, junk.length);
      expect(d.kindOf('k')).toBe('other');
    });

  it('a frame begun within the budget, then a SIP start line in a later segment of text: read as SIP', async () => {
    const head = Uint8Array.of(0x81, 0x7e, 0x3e, 0x80);
    const text = 'tail of something\r\n';
    const recs = [seg(A, 1000, P, head, 0, 9000), seg(A, 1004, P, text + inv, 0, 9000), seg(A, 1004 + text.length + inv.length, P, opt, 0, 9000)];
    expect(await startLines(recs)).toEqual([[2, ['INVITE one']], [3, ['OPTIONS two']]]);
  });
});

describe('the frame-after-empty-line rule on plain SIP joined mid-message', () => {
  it('a multipart body (SDP + ISUP whose bytes chain like frames) after the empty lines: still SIP, the next message read', async () => {
    const isup = '\x01\x00\x01\x00\x01\x00\x01\x00';
    const body = `--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n\r\n--b1\r\nContent-Type: application/isup;version=itu-t92+\r\n\r\n${isup}\r\n--b1--\r\n`;
    const m = sipMsg('INVITE', 'mp', body, 'Content-Type: multipart/mixed;boundary=b1\r\n');
    for (const from of [m.indexOf('CSeq'), m.indexOf('--b1'), m.indexOf('Content-Type: application/isup')]) {
      const tail = m.slice(from);
      expect(await startLines([seg(A, 7000, P, tail, 0, 9000), seg(A, 7000 + tail.length, P, opt, 0, 9000)])).toEqual([[2, ['OPTIONS two']]]);
    }
  });
});

describe('the real TCP capture, joined without its SYN', () => {
  const file = path.resolve(process.cwd(), '../shared/captures/heplify_sip_ipv4_tcp.pcap');
  const rows = () =>
    execFileSync('tshark', ['-r', file, '-Y', 'tcp.len>0', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.payload'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
  const C = { src: '10.33.6.101', dst: '10.33.6.102', sport: 64802, dport: 5060 };
  const S = { src: '10.33.6.102', dst: '10.33.6.101', sport: 5060, dport: 64802 };
  for (const [name, probe, firstAlone] of [
    ["probe '\\n' before each direction", 0x0a, false],
    ["probe 'x' before each direction", 0x78, false],
    ['probe 0x00 before each direction, each first byte alone', 0x00, true],
    ['each message\'s first byte alone', -1, true],
  ] as const)
    it(`${name}: the 7 messages read`, async () => {
      const recs: Rec[] = [];
      const seen = new Set<string>();
      for (const [sport, seq, ack, hex] of rows()) {
        const dir = sport === '64802' ? C : S;
        const pl = Buffer.from(hex!, 'hex');
        if (probe >= 0 && !seen.has(sport!)) recs.push(seg(dir, Number(seq) - 1, TcpFlag.ACK, Uint8Array.of(probe), 0, Number(ack)));
        seen.add(sport!);
        if (firstAlone) recs.push(seg(dir, Number(seq), P, pl.subarray(0, 1), 0, Number(ack)), seg(dir, Number(seq) + 1, P, pl.subarray(1), 0, Number(ack)));
        else recs.push(seg(dir, Number(seq), P, pl, 0, Number(ack)));
      }
      const got = (await startLines(recs)).flatMap(([, m]) => m).map((m) => m.split(' ')[0]);
      expect(got).toEqual(['INVITE', '100', '180', '200', 'ACK', 'BYE', '200']);
    });
});
