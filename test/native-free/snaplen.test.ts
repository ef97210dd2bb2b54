/**
 * Records the capture's snap length cut (captured length below original length, `tcpdump -s 96`)
 * hold the start of a whole packet: the IP and UDP lengths may run past the captured bytes by
 * as much as was cut, and what was captured is handed on (payloadCut says how much is missing).
 * A length past even the original length, or past the captured bytes of a record nothing was
 * cut from, stays malformed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import {
  buildEthernetIpv4Udp,
  buildIpv4Packet,
  buildIpv4Tcp,
  buildIpv6Packet,
  buildIpv6Udp,
  buildUdpDatagram,
  fragmentIpv4,
  IpProtocol,
  ipv6FragmentBody,
  parseIpv6,
  TcpFlag,
} from '../../native-free/frame-builder.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { LinkType } from '../../native-free/types.js';
import {
  encodePcapFileHeader,
  encodePcapngEnhancedPacket,
  encodePcapngInterface,
  encodePcapngSectionHeader,
  encodePcapRecord,
} from '../../native-free/write.js';
import { concatBytes } from './capture-helpers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { batchOf, decodeAll, text, type TestRecord } from './packet-helpers.js';

const SNAP = "cut by the capture's snap length";
const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => 0x41 + (i % 26));
const eth4 = (n: number) => buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payload: payload(n) });
const setU16 = (b: Uint8Array, at: number, v: number) => {
  b[at] = v >> 8;
  b[at + 1] = v & 0xff;
};
/** decodes with and without the plain-UDP shortcut, which must agree */
const decodeBoth = (records: TestRecord[]) => {
  const fast = decodeAll(records).decoded;
  expect(decodeAll(records, { plainUdpShortcut: false }).decoded).toEqual(fast);
  return fast;
};

describe('a record cut by the snap length', () => {
  it('IPv4/UDP cut at 96 bytes: addresses, ports and the captured payload, with the cut part counted', () => {
    const frame = eth4(172); // 14 + 20 + 8 + 172 = 214 bytes on the wire
    const [d] = decodeBoth([{ data: frame, linkType: LinkType.ETHERNET, capLen: 96 }]);
    expect(d).toMatchObject({ kind: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payloadCut: 172 - 54, error: '' });
    expect(d!.payload).toBe(new TextDecoder('latin1').decode(payload(54)));
  });

  it('a whole record has payloadCut 0, and so has one cut only in its link trailer (an uncaptured FCS)', () => {
    const frame = eth4(20);
    const withFcs = concatBytes(frame, Uint8Array.of(1, 2, 3, 4));
    const [whole, trailer] = decodeBoth([
      { data: frame, linkType: LinkType.ETHERNET },
      { data: withFcs, linkType: LinkType.ETHERNET, capLen: frame.length },
    ]);
    expect(whole).toMatchObject({ kind: 'udp', payloadCut: 0 });
    expect(trailer).toMatchObject({ kind: 'udp', payloadCut: 0, payload: whole!.payload });
  });

  it('cut in the UDP header: malformed, naming the cut', () => {
    const [d] = decodeBoth([{ data: eth4(100), linkType: LinkType.ETHERNET, capLen: 14 + 20 + 4 }]);
    expect(d).toMatchObject({ kind: 'malformed', error: `UDP header ${SNAP}: 4 of 8 bytes`, errorOffset: 34 });
  });

  it('cut in the IPv4 header: malformed, naming the cut', () => {
    const [d] = decodeBoth([{ data: eth4(100), linkType: LinkType.ETHERNET, capLen: 14 + 6 }]);
    expect(d).toMatchObject({ kind: 'malformed', error: `IPv4 header ${SNAP}: 6 of 20 bytes`, errorOffset: 14 });
  });

  it('IPv6/UDP cut: decoded from the captured bytes', () => {
    const frame = buildIpv6Udp({ src: '2001:db8::1', dst: '2001:db8::2', sport: 5004, dport: 5006, payload: payload(200) });
    const [d] = decodeBoth([{ data: frame, linkType: LinkType.ETHERNET, capLen: 14 + 40 + 8 + 12 }]);
    expect(d).toMatchObject({ kind: 'udp', src: '2001:db8::1', dst: '2001:db8::2', sport: 5004, dport: 5006, payloadCut: 188 });
    expect(d!.payload).toHaveLength(12);
  });

  it('IPv6 with an extension header cut: malformed, naming the cut', () => {
    const src = parseIpv6('2001:db8::1');
    const dst = parseIpv6('2001:db8::2');
    const ip = buildIpv6Packet({ src, dst, protocol: IpProtocol.UDP, payload: buildUdpDatagram(src, dst, 1, 2, payload(40)), extensions: [{ type: IpProtocol.DEST_OPTS, body: new Uint8Array(14) }] });
    const [d] = decodeBoth([{ data: ip, linkType: LinkType.RAW, capLen: 40 + 10 }]);
    expect(d).toMatchObject({ kind: 'malformed', error: `IPv6 extension header 60 of 16 bytes ${SNAP}: 10 captured`, errorOffset: 41 });
  });

  it('IPv4-in-IPv4 cut: the inner packet hands on what was captured', () => {
    const inner = buildEthernetIpv4Udp({ src: '192.0.2.1', dst: '192.0.2.2', sport: 7, dport: 9, payload: payload(100), link: 'raw' });
    const outer = buildIpv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: IpProtocol.IPIP, payload: inner });
    const [d] = decodeBoth([{ data: outer, linkType: LinkType.RAW, capLen: 20 + 20 + 8 + 30 }]);
    expect(d).toMatchObject({ kind: 'udp', src: '192.0.2.1', dst: '192.0.2.2', sport: 7, dport: 9, payloadCut: 70 });
  });

  it('a cut IPv4 fragment cannot be reassembled: malformed, saying so', () => {
    const ip = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: payload(300), id: 77, link: 'raw' });
    const [first, second] = fragmentIpv4(ip, 160);
    const { decoded } = decodeAll([
      { data: first!, linkType: LinkType.RAW, capLen: 60 },
      { data: second!, linkType: LinkType.RAW },
    ]);
    expect(decoded[0]).toMatchObject({ kind: 'malformed', errorOffset: 6, error: `IPv4 fragment ${SNAP} (60 of ${first!.length} bytes captured): it cannot be reassembled` });
    expect(decoded[1]!.kind).toBe('pending');
  });

  it('a cut IPv6 fragment cannot be reassembled: malformed, saying so', () => {
    const src = parseIpv6('2001:db8::1');
    const dst = parseIpv6('2001:db8::2');
    const udp = buildUdpDatagram(src, dst, 1, 2, payload(200));
    const ip = buildIpv6Packet({ src, dst, protocol: IpProtocol.UDP, payload: udp.subarray(0, 104), extensions: [{ type: IpProtocol.FRAGMENT, body: ipv6FragmentBody(0, true, 5) }] });
    const [d] = decodeAll([{ data: ip, linkType: LinkType.RAW, capLen: 80 }]).decoded;
    expect(d).toMatchObject({ kind: 'malformed', errorOffset: 42, error: `IPv6 fragment ${SNAP} (40 of 112 payload bytes captured): it cannot be reassembled` });
  });

  it('a cut TCP segment is malformed, naming the cut (its bytes would splice the stream)', () => {
    const seg = buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, seq: 1, flags: TcpFlag.PSH, payload: text('INVITE sip:a@b SIP/2.0\r\n'.repeat(8)) });
    const [d] = decodeAll([{ data: seg, linkType: LinkType.ETHERNET, capLen: 96 }]).decoded;
    expect(d).toMatchObject({ kind: 'malformed', errorOffset: 34, error: `TCP segment ${SNAP}: 62 of ${seg.length - 34} bytes captured, so its data cannot join the stream` });
  });
});

describe('lengths past what was cut stay malformed', () => {
  it('IPv4 total length past the captured bytes of a record nothing was cut from: as before', () => {
    const frame = eth4(40);
    setU16(frame, 16, 200);
    const [d] = decodeBoth([{ data: frame, linkType: LinkType.ETHERNET }]);
    expect(d).toMatchObject({ kind: 'malformed', error: 'IPv4 total length 200 exceeds the 68 bytes captured', errorOffset: 16 });
  });

  it('IPv4 total length past the original length', () => {
    const frame = eth4(100); // 142 bytes on the wire, IP 128
    setU16(frame, 16, 400);
    const [d] = decodeBoth([{ data: frame, linkType: LinkType.ETHERNET, capLen: 96 }]);
    expect(d).toMatchObject({ kind: 'malformed', error: 'IPv4 total length 400 exceeds the 128 bytes on the wire (82 captured)', errorOffset: 16 });
  });

  it('UDP length past the cut IP payload', () => {
    const frame = eth4(100);
    setU16(frame, 38, 300);
    const [d] = decodeBoth([{ data: frame, linkType: LinkType.ETHERNET, capLen: 96 }]);
    expect(d).toMatchObject({ kind: 'malformed', error: 'UDP length 300 exceeds the 108 bytes of the IP payload on the wire (62 captured)', errorOffset: 38 });
  });

  it('IPv6 payload length past the original length', () => {
    const frame = buildIpv6Udp({ src: '2001:db8::1', dst: '2001:db8::2', sport: 1, dport: 2, payload: payload(100), link: 'raw' });
    setU16(frame, 4, 500);
    const [d] = decodeBoth([{ data: frame, linkType: LinkType.RAW, capLen: 80 }]);
    expect(d).toMatchObject({ kind: 'malformed', error: 'IPv6 payload length 500 exceeds the 108 bytes on the wire (40 captured)', errorOffset: 4 });
  });

  it('an original length below the captured one is taken as nothing cut', () => {
    const frame = eth4(40);
    setU16(frame, 16, 200);
    const batch = batchOf([{ data: frame, linkType: LinkType.ETHERNET }]);
    batch.origLen[0] = 10;
    const view = createPacketView();
    expect(new PacketDecoder().decode(batch, 0, view)).toBe('malformed');
    expect(view.error).toBe('IPv4 total length 200 exceeds the 68 bytes captured');
  });
});

describe('read from capture files', () => {
  const decodeFile = async (bytes: Uint8Array) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nf-snaplen-'));
    const file = path.join(dir, 'c.cap');
    try {
      writeFileSync(file, bytes);
      const decoder = new PacketDecoder();
      const view = createPacketView();
      const out: { kind: string; src: string; sport: number; payloadLength: number; payloadCut: number }[] = [];
      for await (const batch of readCaptureBatches(file)) {
        for (let i = 0; i < batch.count; i++) {
          const kind = decoder.decode(batch, i, view);
          out.push({ kind, src: kind === 'udp' ? view.src : '', sport: view.sport, payloadLength: view.payloadLength, payloadCut: view.payloadCut });
        }
      }
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const frame = eth4(172);
  const want = [
    { kind: 'udp', src: '10.0.0.1', sport: 40000, payloadLength: 172, payloadCut: 0 },
    { kind: 'udp', src: '10.0.0.1', sport: 40000, payloadLength: 54, payloadCut: 118 },
  ];

  it('pcap: incl_len below orig_len', async () => {
    const file = concatBytes(encodePcapFileHeader(1), encodePcapRecord(1, frame), encodePcapRecord(2, frame.subarray(0, 96), { origLen: frame.length }));
    expect(await decodeFile(file)).toEqual(want);
  });

  it('pcapng: captured length below original length', async () => {
    const file = concatBytes(
      encodePcapngSectionHeader(),
      encodePcapngInterface(1, { snapLen: 96 }),
      encodePcapngEnhancedPacket(0, 1n, frame),
      encodePcapngEnhancedPacket(0, 2n, frame.subarray(0, 96), { origLen: frame.length }),
    );
    expect(await decodeFile(file)).toEqual(want);
  });
});

describe('fuzz: cut records', () => {
  it('a frame cut anywhere, with a byte changed: the shortcut and the general path agree, nothing throws', () => {
    const frame = eth4(60);
    fc.assert(
      fc.property(fc.nat(frame.length), fc.nat(frame.length - 1), fc.integer({ min: 0, max: 255 }), (capLen, at, value) => {
        const data = frame.slice();
        data[at] = value;
        const [d] = decodeBoth([{ data, linkType: LinkType.ETHERNET, capLen }]);
        if (d!.kind === 'udp') expect(d!.payload.length + d!.payloadCut).toBeLessThanOrEqual(frame.length);
        if (d!.kind === 'malformed') expect(d!.errorOffset).toBeLessThanOrEqual(capLen);
      }),
      { numRuns: 3000 },
    );
  });

  it('an untouched frame cut after its UDP header always decodes, payload + cut = the whole payload', () => {
    const frame = eth4(60);
    fc.assert(
      fc.property(fc.integer({ min: 42, max: frame.length }), (capLen) => {
        const [d] = decodeBoth([{ data: frame, linkType: LinkType.ETHERNET, capLen }]);
        expect(d).toMatchObject({ kind: 'udp', sport: 40000 });
        expect(d!.payload.length).toBe(capLen - 42);
        expect(d!.payload.length + d!.payloadCut).toBe(60);
      }),
    );
  });
});
