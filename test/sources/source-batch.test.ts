import { afterEach, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { LinkType, type RecordBatch } from '../../native-free/types.js';
import { HepListener } from '../../src/sources/hep-listener.js';
import { PacketQueue } from '../../src/sources/packet-queue.js';
import { replayCapture } from '../../src/sources/replay-sender.js';
import { addressBytes, liveRecordBatches, SourcePacketBatcher } from '../../src/sources/source-batch.js';
import type { SourcePacket } from '../../src/sources/source-packet.js';

const CAPTURES = new URL('../../../shared/captures/', import.meta.url).pathname;

interface Seen {
  kind: string;
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: string;
}

function decodeAll(batches: Iterable<RecordBatch>): Seen[] {
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const out: Seen[] = [];
  for (const batch of batches) {
    for (let i = 0; i < batch.count; i++) {
      const kind = decoder.decode(batch, i, view);
      out.push({ kind, ts: view.ts, src: view.src, dst: view.dst, sport: view.sport, dport: view.dport, payload: Buffer.from(view.bytes.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength)).toString('hex') });
    }
  }
  return out;
}

/** The queue's packets as record batches by `batcher`, the queue ended once `total` packets have come. */
async function batchesOf(queue: PacketQueue, total: number, batcher = new SourcePacketBatcher()): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  let received = 0;
  for await (const packets of queue) {
    batches.push(batcher.toBatch(packets));
    received += packets.length;
    if (received === total) queue.end();
  }
  return batches;
}

async function decodeCapture(path: string): Promise<Seen[]> {
  const batches = [];
  for await (const b of readCaptureBatches(path)) batches.push(b);
  return decodeAll(batches).filter((s) => s.kind === 'udp');
}

let listener: HepListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe('live records as record batches', () => {
  it.each(['heplify_sip_ipv6_udp.pcap', 'rtpproxy_rtcp.o.pcap'])('HEP-replayed %s decodes through native-free to the capture’s own datagrams', async (name) => {
    const expected = await decodeCapture(`${CAPTURES}${name}`);
    const queue = new PacketQueue(10_000, 64);
    // (heplify_sip_ipv6_udp's clock stood in 2092: its times are kept as they are)
    listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: queue.push, maxTimeAheadSec: Infinity });
    await replayCapture(`${CAPTURES}${name}`, `hep://127.0.0.1:${listener.udpAddress!.port}`, { speed: 0 });
    const batcher = new SourcePacketBatcher();
    const batches = await batchesOf(queue, expected.length, batcher);
    expect(batches.length).toBeGreaterThan(name.startsWith('rtpproxy') ? 1 : 0);
    expect(decodeAll(batches)).toEqual(expected);
    expect(batcher.frames).toBe(expected.length);
  });

  it('gives SIP over TCP running sequence numbers per direction, so stream reassembly reads it back', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    const base = { ts: 10, sport: 5060, dport: 5060, proto: 'tcp' as const };
    const packets: SourcePacket[] = [
      { ...base, src: '10.0.0.1', dst: '10.0.0.2', payload: text('INVITE sip:b SIP/2.0\r\n\r\n') },
      { ...base, src: '10.0.0.2', dst: '10.0.0.1', payload: text('SIP/2.0 100 Trying\r\n\r\n') },
      { ...base, src: '10.0.0.1', dst: '10.0.0.2', payload: text('ACK sip:b SIP/2.0\r\n\r\n') },
    ];
    const batcher = new SourcePacketBatcher();
    const seen = decodeAll([batcher.toBatch(packets.slice(0, 2)), batcher.toBatch(packets.slice(2))]);
    expect(seen.map((s) => [s.kind, s.src, Buffer.from(s.payload, 'hex').toString()])).toEqual([
      ['tcp', '10.0.0.1', 'INVITE sip:b SIP/2.0\r\n\r\n'],
      ['tcp', '10.0.0.2', 'SIP/2.0 100 Trying\r\n\r\n'],
      ['tcp', '10.0.0.1', 'ACK sip:b SIP/2.0\r\n\r\n'],
    ]);
  });

  it('passes whole IP packets through as they came', () => {
    const ip = buildEthernetIpv4Udp({ src: '192.0.2.9', dst: '192.0.2.10', sport: 7000, dport: 7001, payload: Uint8Array.of(1, 2, 3), link: 'raw' });
    const batch = new SourcePacketBatcher().toBatch([{ ts: 5, src: '127.0.0.1', dst: '127.0.0.1', sport: 1, dport: 2, proto: 'udp', payload: ip, linkType: LinkType.RAW }]);
    expect(decodeAll([batch])).toEqual([{ kind: 'udp', ts: 5, src: '192.0.2.9', dst: '192.0.2.10', sport: 7000, dport: 7001, payload: '010203' }]);
  });

  it('reads address texts of every form a socket or agent gives', () => {
    expect([...addressBytes('192.0.2.1')]).toEqual([192, 0, 2, 1]);
    expect([...addressBytes('::ffff:192.0.2.1')]).toEqual([192, 0, 2, 1]);
    expect([...addressBytes('64:ff9b::192.0.2.1')]).toEqual([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1]);
    expect(addressBytes('fe80::1%eth0')[15]).toBe(1);
    expect([...addressBytes('')]).toEqual([0, 0, 0, 0]);
  });
});

describe('liveRecordBatches', () => {
  it('turns a packet queue into record batches with running frame numbers until the queue ends', async () => {
    const queue = new PacketQueue(100, 2);
    for (const n of [1, 2, 3]) queue.push({ ts: n, src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 'udp', payload: Uint8Array.of(n) });
    queue.end();
    const batches: RecordBatch[] = [];
    for await (const b of liveRecordBatches(queue)) batches.push(b);
    expect(batches.map((b) => [b.firstFrame, b.count])).toEqual([[1, 2], [3, 1]]);
    expect(decodeAll(batches).map((s) => s.payload)).toEqual(['01', '02', '03']);
  });
});

describe('packet queue', () => {
  it('hands out batches of at most maxBatch, counts what overflows, and ends when told', async () => {
    const queue = new PacketQueue(5, 2);
    const p = (n: number): SourcePacket => ({ ts: n, src: '', dst: '', sport: 0, dport: 0, proto: 'udp', payload: new Uint8Array(0) });
    for (let n = 0; n < 7; n++) queue.push(p(n));
    expect([queue.depth, queue.overflowed]).toEqual([5, 2]);
    queue.end();
    queue.push(p(99));
    const batches: number[][] = [];
    for await (const b of queue) batches.push(b.map((x) => x.ts));
    expect(batches).toEqual([[0, 1], [2, 3], [4]]);
  });
});

describe('SIP over TCP replayed as HEP', () => {
  it('arrives as TCP records whose batches reassemble to the capture’s own stream bytes', async () => {
    const path = `${CAPTURES}heplify_sip_ipv4_tcp.pcap`;
    const batchesOfCapture = [];
    for await (const b of readCaptureBatches(path)) batchesOfCapture.push(b);
    const expected = decodeAll(batchesOfCapture).filter((s) => s.kind === 'udp' || (s.kind === 'tcp' && s.payload !== ''));
    const streamOf = (seen: Seen[]): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const s of seen.filter((x) => x.kind === 'tcp')) out[`${s.src}:${s.sport}>${s.dst}:${s.dport}`] = (out[`${s.src}:${s.sport}>${s.dst}:${s.dport}`] ?? '') + s.payload;
      return out;
    };
    expect(Object.keys(streamOf(expected)).length).toBeGreaterThan(0);

    const queue = new PacketQueue();
    listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: queue.push });
    const result = await replayCapture(path, `hep://127.0.0.1:${listener.udpAddress!.port}`, { speed: 0 });
    expect(result.sent).toBe(expected.length);
    const batches = await batchesOf(queue, expected.length);
    const seen = decodeAll(batches);
    expect(streamOf(seen)).toEqual(streamOf(expected));
    expect(seen.filter((s) => s.kind === 'udp')).toEqual(expected.filter((s) => s.kind === 'udp'));
  });
});
