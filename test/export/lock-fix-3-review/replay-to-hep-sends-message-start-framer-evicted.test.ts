/**
 * Found by a check of 8418f0b, fixed since: a direction the sender's framer evicts (more than
 * DEFAULT_SIP_FLOW_LIMITS.maxFlows followed) lets its held bytes go with it, instead of keeping
 * them to send glued to the direction's next bytes (src/sources/replay-sender.ts replayCapture sendStream).
 */
/**
 * Input: SIP over TCP: direction A (10.0.0.1:40000 → 10.0.0.2:5060) sends the first 60 bytes of
 *   OPTIONS #1; then 20000 other directions send one whole OPTIONS each (the framer follows
 *   20000 at most: A, the least recently active, is evicted, its message reported cut by the
 *   eviction); then A sends the rest of #1 and OPTIONS #2 (second-call) in one segment.
 *   `replayCapture(cap, 'hep://…')` to a UDP socket.
 * Was (observed): the sender's `held` map kept A's 60 bytes (it drops only when it holds 20000
 *   directions itself), and sent them with A's next bytes: one frame with #1 whole and #2, so the
 *   live side reads first-call where the offline replay reported it cut (SipFlowDemux: "eviction:
 *   more than 20000 TCP directions followed") and read A's next bytes afresh, from #2.
 * Correct: 8418f0b, README replay --to: over HEP a direction is framed as the offline replay frames
 *   it, and the bytes of a message it cut are not sent: A's frames hold #2 and none of #1's start.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { replayCapture } from '../../../src/sources/replay-sender.js';
import { DEFAULT_SIP_FLOW_LIMITS } from '../../../src/signaling/sip-flows.js';
import { sip } from '../../cli/round19-fixes-review/tcp-capture.js';
import { hepSink } from './hep-sink.js';

interface Seg {
  ts: number;
  src: [number, number, number, number];
  sport: number;
  seq: number;
  payload: string;
}

/** One Ethernet/IPv4/TCP record (PSH|ACK) to 10.0.0.2:5060, with its pcap record header. */
function record(s: Seg): Uint8Array {
  const payload = Buffer.from(s.payload, 'latin1');
  const b = new Uint8Array(14 + 20 + 20 + payload.length);
  const dv = new DataView(b.buffer);
  b.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6], 0);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  b[ip] = 0x45;
  dv.setUint16(ip + 2, 20 + 20 + payload.length);
  b[ip + 8] = 64;
  b[ip + 9] = 6;
  b.set(s.src, ip + 12);
  b.set([10, 0, 0, 2], ip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += dv.getUint16(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(ip + 10, ~sum & 0xffff);
  const tcp = ip + 20;
  dv.setUint16(tcp, s.sport);
  dv.setUint16(tcp + 2, 5060);
  dv.setUint32(tcp + 4, s.seq >>> 0);
  dv.setUint32(tcp + 8, 9000);
  b[tcp + 12] = 5 << 4;
  b[tcp + 13] = 0x18;
  dv.setUint16(tcp + 14, 65535);
  b.set(payload, tcp + 20);
  return encodePcapRecord(s.ts, b);
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('over HEP a direction the framer evicted does not send the bytes it held with its next ones', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'k-evicted-'));
  dirs.push(dir);
  const cap = path.join(dir, 'evicted.pcap');
  const m1 = sip('OPTIONS sip:first@10.0.0.2 SIP/2.0', 'first-call');
  const m2 = sip('OPTIONS sip:second@10.0.0.2 SIP/2.0', 'second-call');
  const parts: Uint8Array[] = [encodePcapFileHeader(1, { snapLen: 65535 })];
  const a = { src: [10, 0, 0, 1] as [number, number, number, number], sport: 40000 };
  parts.push(record({ ts: 1, ...a, seq: 1000, payload: m1.slice(0, 60) }));
  const others = DEFAULT_SIP_FLOW_LIMITS.maxFlows;
  for (let i = 0; i < others; i++) {
    const msg = `OPTIONS sip:o${i}@10.0.0.2 SIP/2.0\r\nCall-ID: o${i}\r\nContent-Length: 0\r\n\r\n`;
    parts.push(record({ ts: 2, src: [10, 0, 1 + (i >> 8), i & 0xff], sport: 10000 + i, seq: 1, payload: msg }));
  }
  parts.push(record({ ts: 3, ...a, seq: 1060, payload: m1.slice(60) + m2 }));
  await writeFile(cap, Buffer.concat(parts));

  const sink = await hepSink();
  try {
    await replayCapture(cap, `hep://127.0.0.1:${sink.port}`, { speed: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const fromA = sink.frames.filter((f) => f.sport === 40000);
    expect(fromA.some((f) => f.text.includes('second-call'))).toBe(true);
    expect(fromA.filter((f) => f.text.includes('OPTIONS sip:first@'))).toEqual([]);
  } finally {
    sink.close();
  }
}, 120_000);
