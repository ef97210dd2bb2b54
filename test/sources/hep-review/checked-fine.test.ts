/**
 * HEPv3 input checks that came out fine in the hep-review (regression tests; not repeating
 * test/sources/hep.test.ts, listeners.test.ts, hep-refused-frames.test.ts, rtcp-json*.test.ts).
 */
import { createSocket } from 'node:dgram';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { decodeHep, encodeHep, HepProtocol, type HepEncodeInput } from '../../../src/sources/hep.js';
import { HepListener } from '../../../src/sources/hep-listener.js';
import type { SourcePacket } from '../../../src/sources/source-packet.js';

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
});

const base: HepEncodeInput = {
  ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5062,
  tsSeconds: 1_700_000_000, tsMicroseconds: 250_000, protocolType: HepProtocol.SIP,
  payload: new TextEncoder().encode('OPTIONS sip:a@b SIP/2.0\r\n\r\n'),
};

function chunk(vendor: number, type: number, value: number[]): number[] {
  const len = 6 + value.length;
  return [vendor >> 8, vendor & 0xff, type >> 8, type & 0xff, len >> 8, len & 0xff, ...value];
}

function frameOf(chunks: number[]): Uint8Array {
  const total = 6 + chunks.length;
  return Uint8Array.from([0x48, 0x45, 0x50, 0x33, total >> 8, total & 0xff, ...chunks]);
}

/** Sends datagrams to a fresh UDP listener; what it handed on, refused, and its counters. */
async function sendAll(datagrams: Uint8Array[]): Promise<{ got: SourcePacket[]; malformed: string[]; listener: HepListener }> {
  const got: SourcePacket[] = [];
  const malformed: string[] = [];
  const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: (p) => got.push(p), onMalformed: (reason) => malformed.push(reason) });
  toClose.push(listener);
  const sock = createSocket('udp4');
  toClose.push({ close: () => new Promise<void>((r) => sock.close(() => r())) });
  for (const d of datagrams) await new Promise<void>((r) => sock.send(d, listener.udpAddress!.port, '127.0.0.1', () => r()));
  const deadline = Date.now() + 3000;
  while (listener.counters.received < datagrams.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(listener.counters.received).toBe(datagrams.length);
  return { got, malformed, listener };
}

describe('decodeHep', () => {
  it("another vendor's chunks with generic type numbers (payload 15, IPv4 src 3, time 9) are skipped and counted, not read", () => {
    const good = encodeHep(base);
    const foreign = [...chunk(0x0003, 15, [0x58, 0x58]), ...chunk(0x0003, 3, [1, 2, 3]), ...chunk(0x0003, 9, [0xff])];
    const bytes = frameOf([...good.subarray(6), ...foreign]);
    const r = decodeHep(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.packet).toMatchObject({ src: '10.0.0.1', tsSeconds: 1_700_000_000, unknownChunks: 3 });
    expect(new TextDecoder().decode(r.packet.payload)).toBe('OPTIONS sip:a@b SIP/2.0\r\n\r\n');
  });

  it('unknown generic chunk types (MOS 0x20, TCP flags 0x17) are skipped whatever their length', () => {
    const bytes = frameOf([...encodeHep(base).subarray(6), ...chunk(0, 0x20, [0, 1]), ...chunk(0, 0x17, []), ...chunk(0, 0x1234, [1, 2, 3, 4, 5])]);
    const r = decodeHep(bytes);
    expect(r.ok && r.packet.unknownChunks).toBe(3);
  });

  it('a chunk length below its 6-byte header is an error at that length field, not a loop or a guess', () => {
    const bytes = frameOf([...chunk(0, 9, [0, 0, 0, 1]), 0, 0, 0, 15, 0, 5, 0x41]);
    const r = decodeHep(bytes);
    expect(r).toMatchObject({ ok: false, error: { offset: 6 + 10 + 4, reason: 'chunk length 5 below the 6-byte chunk header' } });
  });

  it('an IPv6 frame without the family chunk takes its IPv6 addresses', () => {
    const v6 = [...Array(15).fill(0), 1];
    const bytes = frameOf([...chunk(0, 5, v6), ...chunk(0, 6, [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 2]), ...chunk(0, 9, [0, 0, 0, 1]), ...chunk(0, 15, [0x41])]);
    const r = decodeHep(bytes);
    expect(r.ok && [r.packet.ipVersion, r.packet.src, r.packet.dst]).toEqual([6, '::1', '2001:db8::2']);
  });
});

describe('HEP listener (UDP)', () => {
  it('HEPv1/HEPv2 datagrams are refused as malformed, each counted with a reason, none handed on', async () => {
    // HEPv2 header: version 2, length, family 2, proto 17, ports, IPv4 addresses, time, capture id, then SIP
    const v2 = Uint8Array.from([2, 28, 2, 17, 0x13, 0xc4, 0x13, 0xc4, 10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, ...new TextEncoder().encode('OPTIONS sip:a SIP/2.0\r\n\r\n')]);
    const v1 = Uint8Array.from([1, ...v2.subarray(1, 16), ...new TextEncoder().encode('OPTIONS sip:a SIP/2.0\r\n\r\n')]);
    const { got, malformed, listener } = await sendAll([v2, v1]);
    expect(got).toEqual([]);
    expect(malformed).toEqual(['HEPv3: at byte 0: not a HEPv3 frame (no "HEP3" magic)', 'HEPv3: at byte 0: not a HEPv3 frame (no "HEP3" magic)']);
    expect(listener.counters).toMatchObject({ received: 2, malformed: 2 });
  });

  it('hands on the capture time with microsecond precision, the correlation id and agent id, and counts skipped chunks', async () => {
    const frame = frameOf([...encodeHep({ ...base, tsMicroseconds: 999_999, correlationId: 'abc@host', captureAgentId: 2001 }).subarray(6), ...chunk(7, 1, [1])]);
    const { got, listener } = await sendAll([frame]);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ ts: 1_700_000_000.999999, correlationId: 'abc@host', captureAgentId: 2001, hepProtocol: 1, proto: 'udp', sport: 5060, dport: 5062 });
    expect(listener.counters.byKind).toMatchObject({ 'hep:sip': 1, 'unknown-chunks': 1 });
  });

  it('JSON in a payload that is not protocol type 5 is handed on as it came (no RTCP conversion)', async () => {
    const json = new TextEncoder().encode('{"ssrc":1,"type":201,"report_count":0,"report_blocks":[]}');
    const { got, malformed } = await sendAll([encodeHep({ ...base, protocolType: HepProtocol.JSON_LOG, payload: json })]);
    expect(malformed).toEqual([]);
    expect(got[0]!.payload).toEqual(json);
  });

  it('a compressed (chunk 16) protocol type 5 JSON payload is inflated, then read back as RTCP', async () => {
    const json = '{ "ssrc": 5, "type": 201, "report_count": 0, "report_blocks": [ ] }';
    const { got, malformed } = await sendAll([encodeHep({ ...base, protocolType: HepProtocol.RTCP, payload: deflateSync(new TextEncoder().encode(json)), compressed: true })]);
    expect(malformed).toEqual([]);
    expect(got).toHaveLength(1);
    expect(got[0]!.payload).toEqual(encodeRtcpCompound([{ pt: 201, ssrc: 5, reports: [] }]));
    expect(decodeRtcpCompound(got[0]!.payload).packets).toMatchObject([{ pt: 201, ssrc: 5 }]);
  });
});
