/**
 * rtpengine's RTCP JSON (HEPv3 protocol type 5) back to RTCP. `rtpengineJson` below prints a
 * compound the way rtpengine's homer handlers do (daemon/rtcp.c: rtcp_parse walks the
 * compound; homer_sr, homer_rr_list_start, homer_rr, homer_rr_list_end, homer_sdes_list_start,
 * homer_sdes_item, homer_sdes_list_end and homer_finish print), format strings and quirks
 * included; the round trip wire → JSON → rtcpFromJson must decode to the same packets.
 */
import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import type { RtcpPacket, SdesItem } from '../../src/media/rtcp/types.js';
import { HepListener } from '../../src/sources/hep-listener.js';
import { encodeHep, HepProtocol } from '../../src/sources/hep.js';
import { isRtcpJson, rtcpFromJson } from '../../src/sources/rtcp-json.js';
import type { SourcePacket } from '../../src/sources/source-packet.js';
import { receiverReportArb, senderReportArb } from '../media/rtcp-arbitraries.js';

// ---------------------------------------------------------------------------------------------
// rtpengine's printer, after daemon/rtcp.c

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** str_sanitize: trailing spaces and commas go. */
const sanitize = (s: string): string => s.replace(/[ ,]+$/, '');

/** homer_sdes_item's escaping, byte by byte (`char` is signed: bytes over 127 are below ' '). */
function sdesText(bytes: Uint8Array): string {
  const named: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };
  let out = '';
  for (const c of bytes) out += named[c] ?? (c < 0x20 || c > 126 ? '_' : String.fromCharCode(c));
  return out;
}

/** min_packet_sizes of rtcp.c: a shorter packet ends the walk (rtcp_parse's error path, which still sends what was printed). */
const MIN_SIZE: Record<number, number> = { 200: 28, 201: 8, 202: 4, 203: 4, 204: 12, 205: 12, 206: 12, 207: 8 };

/** The JSON rtpengine sends for a compound, or null when it sends nothing (no SR, RR or SDES). */
function rtpengineJson(wire: Uint8Array): string | null {
  let json = '{ ';
  let pos = 0;
  while (wire.length - pos >= 4) {
    const len = (u16(wire, pos + 2) + 1) * 4;
    if (len > wire.length - pos) break;
    if (wire[pos]! >> 6 !== 2) break;
    const count = wire[pos]! & 0x1f;
    const pt = wire[pos + 1]!;
    if (len < (MIN_SIZE[pt] ?? 0)) break;
    if (pt === 200 || pt === 201) {
      if (len < count * 24) break; // rtcp_Xr
      const ssrc = u32(wire, pos + 4);
      let blocks = pos + 8;
      if (pt === 200) {
        const [msw, lsw, ts, packets, octets] = [8, 12, 16, 20, 24].map((o) => u32(wire, pos + o));
        json += `"sender_information":{"ntp_timestamp_sec":${msw},"ntp_timestamp_usec":${lsw},"octets":${octets},"rtp_timestamp":${ts}, "packets":${packets}},`;
        blocks = pos + 28;
      }
      json += `"ssrc":${ssrc},"type":${pt},"report_count":${count},"report_blocks":[`;
      for (let i = 0; i < count; i++) {
        const b = blocks + i * 24;
        const lost = (wire[b + 5]! << 16) | (wire[b + 6]! << 8) | wire[b + 7]!;
        json += `{"source_ssrc":${u32(wire, b)},"highest_seq_no":${u32(wire, b + 8)},"fraction_lost":${wire[b + 4]},"ia_jitter":${u32(wire, b + 12)},"packets_lost":${lost},"lsr":${u32(wire, b + 16)},"dlsr":${u32(wire, b + 20)}},`;
      }
      json = sanitize(json) + '],';
    } else if (pt === 202) {
      json += `"sdes_report_count":${count},"sdes_information": [ `;
      const end = pos + len;
      let at = pos + 4;
      for (let chunk = 0; ; ) {
        if (end - at < 4) break;
        const ssrc = u32(wire, at);
        at += 4;
        while (at < end) {
          const type = wire[at++]!;
          if (type === 0 || at >= end) break;
          const length = wire[at++]!;
          if (end - at < length) break;
          json += `{"sdes_chunk_ssrc":${ssrc},"type":${type},"text":"${sdesText(wire.subarray(at, at + length))}"},`;
          at += length;
        }
        while ((end - at) % 4 !== 0) at++;
        if (++chunk >= count) break;
      }
      json = sanitize(json) + '],';
    }
    pos += len;
  }
  json = sanitize(json) + ' }';
  return json.length > 4 ? json : null;
}

// ---------------------------------------------------------------------------------------------

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function convert(json: string): Uint8Array {
  const r = rtcpFromJson(text(json));
  if (!r.ok) throw new Error(r.reason);
  return r.rtcp;
}

/** SR, RR and SDES (what rtpengine prints) without where they lay in the compound. */
function printable(packets: RtcpPacket[]): Omit<RtcpPacket, 'offset' | 'length'>[] {
  return packets.filter((p) => p.pt === 200 || p.pt === 201 || p.pt === 202).map(({ offset: _o, length: _l, ...rest }) => rest);
}

const SR: RtcpPacketInput = {
  pt: 200,
  ssrc: 0x11223344,
  ntpSec: 3_913_056_000,
  ntpFrac: 0x8000_0001, // ~0.5 s: far beyond a microsecond count
  rtpTs: 0xffff_fff0,
  packetCount: 1234,
  octetCount: 197_440,
  reports: [{ ssrc: 0xdeadbeef, fractionLost: 255, cumulativeLost: -1, highestSeq: 0x0001_ffff, jitter: 17, lsr: 0x1234_5678, dlsr: 65_536 }],
};
const RR: RtcpPacketInput = {
  pt: 201,
  ssrc: 0xfedcba98,
  reports: [
    { ssrc: 1, fractionLost: 0, cumulativeLost: -0x80_0000, highestSeq: 0xffff_ffff, jitter: 0xffff_ffff, lsr: 0, dlsr: 0 },
    { ssrc: 2, fractionLost: 64, cumulativeLost: 0x7f_ffff, highestSeq: 70_000, jitter: 3, lsr: 9, dlsr: 10 },
  ],
};
const SDES: RtcpPacketInput = {
  pt: 202,
  ssrc: 0x11223344,
  chunks: [
    {
      ssrc: 0x11223344,
      items: [
        { type: 1, text: 'alice@192.0.2.1' },
        { type: 12, text: '0' },
        { type: 8, prefix: 'aipref', value: 'apt:example/no-ai-1' },
        { type: 7, text: 'quote " backslash \\ tab \t newline \n' },
      ],
    },
    { ssrc: 0x55667788, items: [{ type: 1, text: 'bob@198.51.100.2' }] },
  ],
};

describe('rtcpFromJson: the compound rtpengine printed, decoded as the wire one', () => {
  const cases: [string, RtcpPacketInput[]][] = [
    ['SR + SDES (CNAME, MID, PRIV aipref, escaped NOTE; two chunks)', [SR, SDES]],
    ['RR with extreme values + SDES', [RR, SDES]],
    ['SR followed by RR: rtpengine repeats "ssrc", "type", "report_blocks" in one object', [SR, RR, SDES]],
    ['RR followed by SR: the SR\'s "sender_information" starts a new packet', [RR, SR]],
    ['two SDES packets', [RR, SDES, { ...SDES, chunks: [{ ssrc: 9, items: [{ type: 2, text: 'name' }] }] }]],
    ['RR without report blocks', [{ pt: 201, ssrc: 5, reports: [] }, { pt: 202, ssrc: 5, chunks: [{ ssrc: 5, items: [{ type: 1, text: 'c' }] }] }]],
    ['SDES only (reduced size)', [SDES]],
    ['SDES without chunks', [RR, { pt: 202, ssrc: 0, chunks: [] }]],
  ];
  it.each(cases)('%s', (_name, packets) => {
    const wire = encodeRtcpCompound(packets);
    const json = rtpengineJson(wire)!;
    const back = convert(json);
    expect(decodeRtcpCompound(back)).toEqual(decodeRtcpCompound(wire));
    // the compounds are the encoder's own: the very bytes come back
    expect(back).toEqual(wire);
  });

  it('reads the NTP words as rtpengine prints them (the "usec" field is the fraction word) and the loss as unsigned 24 bits', () => {
    const json = rtpengineJson(encodeRtcpCompound([SR]))!;
    expect(json).toContain('"ntp_timestamp_usec":2147483649');
    expect(json).toContain('"packets_lost":16777215');
    const sr = decodeRtcpCompound(convert(json)).packets[0];
    expect(sr).toMatchObject({ ntpSec: 3_913_056_000, ntpFrac: 0x8000_0001, reports: [{ cumulativeLost: -1 }] });
  });

  it('takes a signed cumulative loss (as other agents print it) too', () => {
    const json = rtpengineJson(encodeRtcpCompound([RR]))!.replace('"packets_lost":8388608', '"packets_lost":-8388608');
    expect(json).toContain('-8388608');
    expect(decodeRtcpCompound(convert(json))).toEqual(decodeRtcpCompound(encodeRtcpCompound([RR])));
  });

  it('reads one packet whatever the order of its keys (heplify, FreeSWITCH scripts) and ignores keys of no packet', () => {
    const json = JSON.stringify({
      type: 200,
      ssrc: 7,
      report_count: 0,
      report_blocks: [],
      report_blocks_xr: { type: 0, id: 0 },
      sdes_ssrc: 0,
      sender_information: { packets: 1, ntp_timestamp_sec: 2, ntp_timestamp_usec: 3, rtp_timestamp: 4, octets: 5 },
    });
    expect(convert(json)).toEqual(encodeRtcpCompound([{ pt: 200, ssrc: 7, ntpSec: 2, ntpFrac: 3, rtpTs: 4, packetCount: 1, octetCount: 5, reports: [] }]));
  });

  it('leaves out BYE, APP, feedback and XR, which rtpengine does not print', () => {
    const wire = encodeRtcpCompound([
      RR,
      SDES,
      { pt: 207, ssrc: RR.ssrc, blocks: [{ bt: 4, ntpSec: 1, ntpFrac: 2 }] },
      { pt: 205, fmt: 1, ssrc: RR.ssrc, senderSsrc: RR.ssrc, mediaSsrc: 1, nacks: [{ pid: 1, blp: 0 }] },
      { pt: 203, ssrc: RR.ssrc, ssrcs: [RR.ssrc] },
    ]);
    expect(convert(rtpengineJson(wire)!)).toEqual(encodeRtcpCompound([RR, SDES]));
    expect(rtpengineJson(encodeRtcpCompound([{ pt: 203, ssrc: 1, ssrcs: [1] }]))).toBeNull();
  });

  it('recovers a PRIV item when its prefix can be told: a length octet printed as "_" is lost, except before "aipref"', () => {
    const long = 'p'.repeat(65); // length octet 65: printed as "A"
    const wire = encodeRtcpCompound([
      RR,
      {
        pt: 202,
        ssrc: 3,
        chunks: [
          {
            ssrc: 3,
            items: [
              { type: 8, prefix: 'AIPref', value: 'apt-9' },
              { type: 8, prefix: 'x-ven', value: 'v' },
              { type: 8, prefix: 'x-vendor', value: 'v' }, // length octet 8: printed as \b
              { type: 8, prefix: long, value: 'w' },
              { type: 1, text: 'c' },
            ],
          },
        ],
      },
    ]);
    const json = rtpengineJson(wire)!;
    expect(json).toContain('"text":"_AIPrefapt-9"');
    expect(json).toContain('"text":"_x-venv"');
    expect(json).toContain('"text":"\\bx-vendorv"');
    const r = rtcpFromJson(text(json));
    expect(r).toMatchObject({ ok: true, droppedItems: 1 });
    if (!r.ok) return;
    const sdes = decodeRtcpCompound(r.rtcp).packets[1];
    expect(sdes).toMatchObject({
      chunks: [{ ssrc: 3, items: [{ type: 8, prefix: 'AIPref', value: 'apt-9' }, { type: 8, prefix: 'x-vendor', value: 'v' }, { type: 8, prefix: long, value: 'w' }, { type: 1, text: 'c' }] }],
    });
  });

  it('gives back what rtpengine printed of text bytes outside printable ASCII: "_"', () => {
    const json = rtpengineJson(encodeRtcpCompound([RR, { pt: 202, ssrc: 3, chunks: [{ ssrc: 3, items: [{ type: 2, text: 'Zoë\u0001' }] }] }]))!;
    expect(json).toContain('"text":"Zo___"'); // ë is two UTF-8 bytes
    expect(decodeRtcpCompound(convert(json)).packets[1]).toMatchObject({ chunks: [{ items: [{ type: 2, text: 'Zo___' }] }] });
  });

  it('every SR, RR and SDES of the sample capture comes back as the capture has it', async () => {
    const decoder = new PacketDecoder();
    const view = createPacketView();
    let compounds = 0;
    for await (const batch of readCaptureBatches(new URL('../../samples/call-small.pcap', import.meta.url).pathname)) {
      for (let i = 0; i < batch.count; i++) {
        if (decoder.decode(batch, i, view) !== 'udp') continue;
        const payload = view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength);
        if (payload[0]! >> 6 !== 2 || payload[1]! < 200 || payload[1]! > 207) continue;
        const json = rtpengineJson(payload);
        if (json === null) continue;
        compounds++;
        const wire = decodeRtcpCompound(payload);
        const back = decodeRtcpCompound(convert(json));
        expect(back.errors).toEqual([]);
        expect(printable(back.packets)).toEqual(printable(wire.packets));
      }
    }
    expect(compounds).toBeGreaterThan(40);
  });
});

describe('rtcpFromJson properties', () => {
  const printableText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
  const itemArb: fc.Arbitrary<SdesItem> = fc.oneof(
    fc.record({ type: fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 14, 200), text: fc.oneof(printableText, fc.constantFrom('\t', '"\\', 'a\nb\r\f\b')) }),
    fc.record({ type: fc.constant(8 as const), prefix: fc.constant('aipref'), value: printableText }),
  );
  // a chunk without items prints nothing, and two chunks of one SSRC in a row read back as one
  const sdesArb = fc
    .array(fc.record({ ssrc: fc.integer({ min: 0, max: 0xffffffff }), items: fc.array(itemArb, { minLength: 1, maxLength: 4 }) }), { maxLength: 5 })
    .filter((chunks) => chunks.every((c, i) => i === 0 || c.ssrc !== chunks[i - 1]!.ssrc))
    .map((chunks) => ({ pt: 202 as const, ssrc: chunks[0]?.ssrc ?? 0, chunks }));
  const compoundArb = fc.array(fc.oneof(senderReportArb, receiverReportArb, sdesArb), { minLength: 1, maxLength: 5 });

  it('wire → rtpengine JSON → RTCP gives the same bytes for any SR/RR/SDES compound', () => {
    fc.assert(
      fc.property(compoundArb, (packets) => {
        const wire = encodeRtcpCompound(packets);
        expect(convert(rtpengineJson(wire)!)).toEqual(wire);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever the payload', () => {
    const mutated = compoundArb.chain((packets) => {
      const json = rtpengineJson(encodeRtcpCompound(packets))!;
      return fc.tuple(fc.constant(json), fc.nat(json.length), fc.nat(json.length), fc.string({ maxLength: 4 }));
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }).map((s) => `{${s}`), fc.json().map((s) => `{"x":${s}}`)), (s) => {
        const r = rtcpFromJson(text(s));
        if (!r.ok) expect(r.reason).not.toBe('');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(mutated, ([json, a, b, insert]) => {
        const r = rtcpFromJson(text(json.slice(0, Math.min(a, b)) + insert + json.slice(Math.max(a, b))));
        if (!r.ok) expect(r.reason).not.toBe('');
      }),
      { numRuns: 500 },
    );
  });
});

describe('rtcpFromJson: an object that cannot be read says why', () => {
  const sr = rtpengineJson(encodeRtcpCompound([SR]))!;
  const cases: [string, string | Uint8Array, string][] = [
    ['not JSON', '{ "ssrc": 1,', 'bad JSON: expected a member name at character 12'],
    ['text after the object', '{} x', 'bad JSON: text after the JSON value at character 3'],
    ['not UTF-8', Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x7d), 'payload is not UTF-8 text'],
    ['nothing to send', '{ }', 'no SR, RR or SDES in the object'],
    ['missing field', sr.replace('"lsr":305419896,', ''), 'report 1 report_blocks[0]: no "lsr"'],
    ['SSRC out of range', sr.replace('"ssrc":287454020', '"ssrc":4294967296'), 'report 1 "ssrc": a number is not an integer -2147483648..4294967295'],
    ['fraction out of range', sr.replace('"fraction_lost":255', '"fraction_lost":256'), '"fraction_lost": a number is not an integer 0..255'],
    ['loss out of range', sr.replace('"packets_lost":16777215', '"packets_lost":16777216'), '"packets_lost": a number is not an integer -8388608..16777215'],
    ['not an integer', sr.replace('"octets":197440', '"octets":1.5'), 'sender_information "octets": a number is not an integer'],
    ['a string for a number', sr.replace('"ia_jitter":17', '"ia_jitter":"17"'), '"ia_jitter": a string is not an integer'],
    ['report count and blocks differ', sr.replace('"report_count":1', '"report_count":2'), '"report_count" does not match its 1 report blocks'],
    ['unknown report type', sr.replace('"type":200', '"type":202'), '"type" is neither 200 (SR) nor 201 (RR)'],
    ['SR without sender information', sr.replace(/"sender_information":\{[^}]*\},/, ''), 'an SR (type 200) without an object "sender_information"'],
    ['sender information alone', '{"sender_information":{}}', 'report 1: no "ssrc"'],
    ['SDES item type 0', '{"sdes_report_count":1,"sdes_information":[{"sdes_chunk_ssrc":1,"type":0,"text":"x"}]}', 'SDES 1 sdes_information[0] "type": a number is not an integer 1..255'],
    ['SDES text over 255 bytes', `{"sdes_information":[{"sdes_chunk_ssrc":1,"type":1,"text":"${'x'.repeat(256)}"}]}`, 'SDES 1 sdes_information[0] "text" is over the 255 bytes'],
    ['too many report blocks', `{"ssrc":1,"type":201,"report_blocks":[${Array(32).fill('{}').join(',')}]}`, '32 report blocks do not fit the 5-bit count'],
    ['nested too deep', `{"x":${'['.repeat(40)}${']'.repeat(40)}}`, 'nested deeper than 16'],
  ];
  it.each(cases)('%s', (_name, json, reason) => {
    const r = rtcpFromJson(typeof json === 'string' ? text(json) : json);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('tells a JSON payload from binary RTCP by its first non-space byte', () => {
    expect(isRtcpJson(text(' \r\n\t{}'))).toBe(true);
    expect(isRtcpJson(encodeRtcpCompound([RR]))).toBe(false);
    expect(isRtcpJson(text('   '))).toBe(false);
    expect(isRtcpJson(text('[1]'))).toBe(false);
  });
});

describe('HEP listener and protocol type 5', () => {
  let listener: HepListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  async function send(payloads: Uint8Array[]): Promise<{ got: SourcePacket[]; malformed: string[]; listener: HepListener }> {
    const got: SourcePacket[] = [];
    const malformed: string[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const seen = () => void (got.length + malformed.length === payloads.length && done());
    listener = await HepListener.start({
      host: '127.0.0.1',
      udpPort: 0,
      onPacket: (p) => (got.push(p), seen()),
      onMalformed: (reason, peer) => (malformed.push(`${peer}: ${reason}`), seen()),
    });
    const sock = createSocket('udp4');
    for (const payload of payloads) {
      const frame = encodeHep({ ipVersion: 4, ipProtocol: 17, src: '192.0.2.1', dst: '192.0.2.2', sport: 30001, dport: 40001, tsSeconds: 1, tsMicroseconds: 0, protocolType: HepProtocol.RTCP, payload });
      await new Promise<void>((r) => sock.send(frame, listener!.udpAddress!.port, '127.0.0.1', () => r()));
    }
    await all;
    sock.close();
    return { got, malformed, listener };
  }

  it('hands on rtpengine JSON as the RTCP it describes and binary RTCP as it came; a bad object is one malformed line', async () => {
    const wire = encodeRtcpCompound([SR, SDES]);
    const withLostPriv = encodeRtcpCompound([RR, { pt: 202, ssrc: 1, chunks: [{ ssrc: 1, items: [{ type: 8, prefix: 'x', value: 'y' }] }] }]);
    const { got, malformed, listener } = await send([text(rtpengineJson(wire)!), wire, text(rtpengineJson(withLostPriv)!), text('{"ssrc":1,"type":201}')]);
    expect(got.map((p) => p.payload)).toEqual([wire, wire, encodeRtcpCompound([RR, { pt: 202, ssrc: 1, chunks: [{ ssrc: 1, items: [] }] }])]);
    expect(got.every((p) => p.hepProtocol === 5 && p.proto === 'udp' && p.sport === 30001)).toBe(true);
    expect(malformed).toEqual([expect.stringMatching(/^udp:127\.0\.0\.1:\d+: HEPv3 RTCP JSON \(protocol type 5\): report 1: no "report_blocks"$/)]);
    expect(listener.counters).toMatchObject({ received: 4, malformed: 1, byKind: { 'hep:rtcp': 3, 'rtcp-json': 2, 'rtcp-json-dropped-items': 1 } });
  });
});
