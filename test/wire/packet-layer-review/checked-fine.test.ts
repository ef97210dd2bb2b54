/**
 * Packet layers below RTP/RTCP/SIP (SPEC §7, §8) checked against tshark (4.0) and found fine on
 * the current code; kept as regression tests. tshark parts are skipped when it is not installed.
 *
 *  - a priority-only 802.1Q tag inside 802.1ad, big-endian ns pcap;
 *  - 802.3 length + LLC/SNAP carrying IPv6; LINKTYPE_IPV4 (228), LINKTYPE_IPV6 (229), DLT 14.
 *  - IPv4 fragments with options (IHL 7) on the first fragment only, arriving last-first.
 *  - UDP length shorter than the IP payload: the trailing bytes are not SIP.
 *  - IPv6 fragments whose unfragmentable parts differ (HBH / HBH+DST+RT / none); AH before UDP.
 *  - IPv4 fragments of one datagram spread over two pcapng sections of different byte order,
 *    three interfaces (µs/ns/2^-10 with if_tsoffset, one IDB added after a packet): reassembled
 *    at the frame tshark names, with its time.
 *  - 60 random IPv4/IPv6 datagrams fragmented at random sizes, shuffled, interleaved, with
 *    duplicates: the SIP frames equal tshark's.
 *  - an IPv6 jumbogram (payload length 0, HBH jumbo option, UDP length 0) of 70 KB of SIP.
 *  - SIP over TCP whose segments are IPv4 fragments (reversed) and IPv6 fragments behind a
 *    destination-options header.
 *  - malformed packets (IHL 4, UDP length 3, VLAN tag cut, IPv6 ext header overrun) among good
 *    ones: replay exits 0, counts them, reports each at its frame and capture time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildIpv4Packet,
  buildIpv6Packet,
  buildTcpSegment,
  buildUdpDatagram,
  fragmentIpv4,
  ipv6FragmentBody,
  parseIpv4,
  parseIpv6,
  TcpFlag,
  wrapEthernet,
  type Ipv6ExtensionHeader,
} from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader, encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader, encodePcapRecord } from '../../../native-free/write.js';
import { concat, inspect, text, tsharkFields, writeFile, writePcap, type Line, hasTshark } from '../helpers.js';


const s4 = parseIpv4('10.0.0.1');
const d4 = parseIpv4('10.0.0.2');
const s6 = parseIpv6('2001:db8::1');
const d6 = parseIpv6('2001:db8::2');
const sipMsg = (id: string, pad = 0, method = 'OPTIONS') =>
  text(
    `${method} sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${id}\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: ${id}@x\r\nCSeq: 1 ${method}\r\nContent-Length: ${pad}\r\n\r\n${'x'.repeat(pad)}`,
  );
const udp4 = (p: Uint8Array) => buildUdpDatagram(s4, d4, 5060, 5060, p);
const udp6 = (p: Uint8Array) => buildUdpDatagram(s6, d6, 5060, 5060, p);

/** [frame, Call-ID] of every SIP line inspect prints */
const oursSip = (file: string) => inspect(file).filter((l: Line) => l.proto === 'sip').map((l: Line) => [l.frame, l.sip[0].callId]);
/** [frame, Call-ID] of every frame tshark dissects SIP in */
const tsharkSip = (file: string) => tsharkFields(file, ['frame.number', 'sip.Call-ID'], ['-Y', 'sip']).map((r) => [Number(r[0]), r[1]]);

function agree(file: string, want: [number, string][]): void {
  expect(oursSip(file)).toEqual(want);
  if (hasTshark) expect(tsharkSip(file)).toEqual(want);
}

describe('link layers and IP headers tshark reads SIP through', () => {
  it('802.3 length + LLC/SNAP (RFC 1042) carrying IPv6', () => {
    const ip = buildIpv6Packet({ src: s6, dst: d6, protocol: 17, payload: udp6(sipMsg('snap6')) });
    const llc = concat(Uint8Array.of(0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd), ip);
    const f = new Uint8Array(14 + llc.length);
    f[0] = 2;
    f[6] = 2;
    new DataView(f.buffer).setUint16(12, llc.length);
    f.set(llc, 14);
    agree(writePcap('plr-snap6.pcap', 1, [{ ts: 1700000000, data: f }]), [[1, 'snap6@x']]);
  });

  it('a priority-only 802.1Q tag (VID 0, PCP 5) inside an 802.1ad tag, in a big-endian nanosecond pcap', () => {
    const ip = buildIpv4Packet({ src: s4, dst: d4, protocol: 17, payload: udp4(sipMsg('prio')) });
    const f = new Uint8Array(22 + ip.length);
    const dv = new DataView(f.buffer);
    f[0] = 2;
    f[6] = 2;
    dv.setUint16(12, 0x88a8);
    dv.setUint16(14, 0x0064);
    dv.setUint16(16, 0x8100);
    dv.setUint16(18, 0xa000);
    dv.setUint16(20, 0x0800);
    f.set(ip, 22);
    const file = writeFile('plr-prio.pcap', concat(encodePcapFileHeader(1, { nanosecond: true, bigEndian: true }), encodePcapRecord(1700000000.123456, f, { nanosecond: true, bigEndian: true })));
    agree(file, [[1, 'prio@x']]);
    expect(inspect(file)[0]!.ts).toBe(1700000000.123456);
  });

  it('LINKTYPE_IPV4 (228), LINKTYPE_IPV6 (229) and DLT 14', () => {
    agree(writePcap('plr-228.pcap', 228, [{ ts: 1700000000, data: buildIpv4Packet({ src: s4, dst: d4, protocol: 17, payload: udp4(sipMsg('l228')) }) }]), [[1, 'l228@x']]);
    agree(writePcap('plr-229.pcap', 229, [{ ts: 1700000000, data: buildIpv6Packet({ src: s6, dst: d6, protocol: 17, payload: udp6(sipMsg('l229')) }) }]), [[1, 'l229@x']]);
    agree(writePcap('plr-14.pcap', 14, [{ ts: 1700000000, data: buildIpv4Packet({ src: s4, dst: d4, protocol: 17, payload: udp4(sipMsg('l14')) }) }]), [[1, 'l14@x']]);
  });

  it('UDP length shorter than the IP payload: the bytes after it are not part of the message', () => {
    const ip = buildIpv4Packet({ src: s4, dst: d4, protocol: 17, payload: concat(udp4(sipMsg('short', 4)), text('GARBAGE')) });
    const file = writePcap('plr-udpshort.pcap', 1, [{ ts: 1700000000, data: wrapEthernet(0x800, ip) }]);
    agree(file, [[1, 'short@x']]);
    expect(inspect(file)[0]!.sip[0].errors ?? []).toEqual([]);
  });

  it('IPv6 with an authentication header before UDP', () => {
    const ah = new Uint8Array(24);
    ah[0] = 17;
    ah[1] = 4; // (4 + 2) × 4 = 24 bytes
    const ip = buildIpv6Packet({ src: s6, dst: d6, protocol: 51, payload: concat(ah, udp6(sipMsg('ah'))) });
    agree(writePcap('plr-ah.pcap', 1, [{ ts: 1700000000, data: wrapEthernet(0x86dd, ip) }]), [[1, 'ah@x']]);
  });

  it('an IPv6 jumbogram: payload length 0, hop-by-hop jumbo option, UDP length 0', () => {
    const body = 'z'.repeat(70000);
    const msg = text(
      `MESSAGE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKj\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: jumbo@x\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const u = udp6(msg);
    new DataView(u.buffer).setUint16(4, 0);
    const hbh = new Uint8Array(8);
    hbh[0] = 17;
    hbh[2] = 0xc2;
    hbh[3] = 4;
    new DataView(hbh.buffer).setUint32(4, 8 + u.length);
    const ip = buildIpv6Packet({ src: s6, dst: d6, protocol: 0, payload: concat(hbh, u), payloadLengthOverride: 0 });
    agree(writePcap('plr-jumbo.pcap', 1, [{ ts: 1700000000, data: wrapEthernet(0x86dd, ip) }]), [[1, 'jumbo@x']]);
  });
});

describe('fragment reassembly agrees with tshark', () => {
  it('IPv4 fragments with options on the first only, last fragment first', () => {
    const u = udp4(sipMsg('v4opt', 300));
    const opts = Uint8Array.of(0x94, 4, 0, 0, 1, 1, 1, 0);
    const parts = [0, 160, 320].map((o, k) =>
      buildIpv4Packet({ src: s4, dst: d4, protocol: 17, id: 77, payload: u.subarray(o, k === 2 ? u.length : o + 160), fragmentOffset: o, moreFragments: k < 2, ...(k === 0 ? { options: opts } : {}) }),
    );
    const file = writePcap('plr-v4opt.pcap', 1, [2, 0, 1].map((k, i) => ({ ts: 1700000000 + i * 0.001, data: wrapEthernet(0x800, parts[k]!) })));
    agree(file, [[3, 'v4opt@x']]);
    expect(inspect(file).find((l) => l.proto === 'sip')!.ts).toBe(1700000000.002);
  });

  it('IPv6 fragments whose unfragmentable parts differ: taken from each fragment', () => {
    const u = udp6(sipMsg('v6unfrag', 300));
    const pieces = [0, 160, 320].map((o, k) => u.subarray(o, k === 2 ? u.length : o + 160));
    const fr = (k: number, ext: Ipv6ExtensionHeader[]) =>
      wrapEthernet(0x86dd, buildIpv6Packet({ src: s6, dst: d6, protocol: 17, payload: pieces[k]!, extensions: [...ext, { type: 44, body: ipv6FragmentBody(k * 160, k < 2, 5) }] }));
    const file = writePcap('plr-v6unfrag.pcap', 1, [
      { ts: 1700000000.1, data: fr(1, [{ type: 0 }]) },
      { ts: 1700000000.2, data: fr(2, []) },
      { ts: 1700000000.3, data: fr(0, [{ type: 0 }, { type: 60 }, { type: 43, body: Uint8Array.of(0, 0, 0, 0, 0, 0) }]) },
    ]);
    agree(file, [[3, 'v6unfrag@x']]);
  });

  it('IPv4 fragments across two pcapng sections (LE then BE), three interfaces and resolutions', () => {
    const u = udp4(sipMsg('sections', 300));
    const parts = [0, 160, 320].map((o, k) =>
      wrapEthernet(0x800, buildIpv4Packet({ src: s4, dst: d4, protocol: 17, id: 9, payload: u.subarray(o, k === 2 ? u.length : o + 160), fragmentOffset: o, moreFragments: k < 2 })),
    );
    const sec = 1700000000n;
    const file = writeFile(
      'plr-sections.pcapng',
      concat(
        encodePcapngSectionHeader(),
        encodePcapngInterface(1),
        encodePcapngInterface(101, { tsresol: 3 }),
        encodePcapngEnhancedPacket(0, sec * 1000000n + 1n, parts[1]!),
        encodePcapngSectionHeader({ bigEndian: true }),
        encodePcapngInterface(1, { bigEndian: true, tsresol: 9 }),
        encodePcapngEnhancedPacket(0, sec * 1000000000n + 2000n, parts[2]!, { bigEndian: true }),
        encodePcapngInterface(1, { bigEndian: true, tsresol: 0x80 | 10, tsoffset: 100 }),
        encodePcapngEnhancedPacket(1, (sec - 100n) * 1024n + 3n, parts[0]!, { bigEndian: true }),
      ),
    );
    agree(file, [[3, 'sections@x']]);
    // 3/1024 s = 0.0029296875 s → …002930 to the microsecond
    expect(inspect(file).find((l) => l.proto === 'sip')!.ts).toBe(1700000000.00293);
    if (hasTshark) expect(tsharkFields(file, ['frame.time_epoch'], ['-Y', 'sip'])).toEqual([['1700000000.002929687']]);
  });

  it('60 random datagrams, fragmented at random sizes, shuffled, interleaved, with duplicates: the frames tshark gives', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const queues: Uint8Array[][] = [];
    for (let d = 0; d < 60; d++) {
      const v6 = rnd(2) === 1;
      const u = v6 ? udp6(sipMsg(`r${d}`, rnd(900))) : udp4(sipMsg(`r${d}`, rnd(900)));
      const step = 8 * (1 + rnd(40));
      const frs: Uint8Array[] = [];
      for (let off = 0; off < u.length; off += step) {
        const end = Math.min(off + step, u.length);
        const p = u.subarray(off, end);
        frs.push(
          v6
            ? wrapEthernet(0x86dd, buildIpv6Packet({ src: s6, dst: d6, protocol: 17, payload: p, extensions: [...(rnd(2) ? [{ type: 0 }] : []), { type: 44, body: ipv6FragmentBody(off, end < u.length, 1000 + d) }] }))
            : wrapEthernet(0x800, buildIpv4Packet({ src: s4, dst: d4, protocol: 17, id: 1000 + d, payload: p, fragmentOffset: off, moreFragments: end < u.length })),
        );
      }
      for (let k = frs.length - 1; k > 0; k--) {
        const j = rnd(k + 1);
        [frs[k], frs[j]] = [frs[j]!, frs[k]!];
      }
      if (rnd(3) === 0) frs.splice(rnd(frs.length), 0, frs[rnd(frs.length)]!);
      queues.push(frs);
    }
    const records: Uint8Array[] = [];
    while (queues.some((q) => q.length > 0)) {
      const live = queues.filter((q) => q.length > 0);
      records.push(live[rnd(Math.min(3, live.length))]!.shift()!);
    }
    const file = writePcap('plr-random-frags.pcap', 1, records.map((data, i) => ({ ts: 1700000000 + i * 0.001, data })));
    const ours = oursSip(file);
    // a datagram small enough for one 'fragment' (offset 0, no MF) is a whole packet: its duplicate is a second SIP line
    expect(ours.length).toBe(61);
    expect(new Set(ours.map((r) => r[1])).size).toBe(60);
    if (hasTshark) expect(ours).toEqual(tsharkSip(file));
  });

  it('SIP over TCP in IPv4 fragments (reversed) and in IPv6 fragments behind destination options', () => {
    const body = 'b'.repeat(300);
    const msg = (id: string) =>
      text(`MESSAGE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKt\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: ${id}@x\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const m4 = msg('tcp4');
    const seg1 = buildTcpSegment(s4, d4, { sport: 40000, dport: 5060, seq: 1000, ack: 1, flags: TcpFlag.PSH, payload: m4.subarray(0, 250) });
    const seg2 = buildTcpSegment(s4, d4, { sport: 40000, dport: 5060, seq: 1250, ack: 1, flags: TcpFlag.PSH, payload: m4.subarray(250) });
    const records = [
      wrapEthernet(0x800, buildIpv4Packet({ src: s4, dst: d4, protocol: 6, id: 1, payload: seg1 })),
      ...fragmentIpv4(buildIpv4Packet({ src: s4, dst: d4, protocol: 6, id: 2, payload: seg2 }), 120)
        .reverse()
        .map((f) => wrapEthernet(0x800, f)),
    ];
    const t6 = buildTcpSegment(s6, d6, { sport: 40001, dport: 5060, seq: 5, ack: 1, flags: TcpFlag.PSH, payload: msg('tcp6') });
    for (const [k, p] of [t6.subarray(0, 240), t6.subarray(240)].entries()) {
      records.push(wrapEthernet(0x86dd, buildIpv6Packet({ src: s6, dst: d6, protocol: 6, payload: p, extensions: [{ type: 60 }, { type: 44, body: ipv6FragmentBody(k * 240, k === 0, 77) }] })));
    }
    const file = writePcap('plr-tcpfrag.pcap', 1, records.map((data, i) => ({ ts: 1700000000 + i * 0.01, data })));
    agree(file, [
      [4, 'tcp4@x'],
      [6, 'tcp6@x'],
    ]);
  });
});

describe('malformed packets in a readable capture (SPEC §8)', () => {
  it('are counted and reported at their frame and capture time; the run goes on', () => {
    const good = wrapEthernet(0x800, buildIpv4Packet({ src: s4, dst: d4, protocol: 17, payload: udp4(sipMsg('m')) }));
    const ihl4 = good.slice();
    ihl4[14] = 0x44;
    const udp3 = good.slice();
    new DataView(udp3.buffer).setUint16(14 + 24, 3);
    const vlanCut = Uint8Array.of(2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0, 5);
    const v6 = buildIpv6Packet({ src: s6, dst: d6, protocol: 17, payload: udp6(sipMsg('m6')), extensions: [{ type: 60 }] });
    v6[41] = 200;
    const records = [good, ihl4, good, udp3, vlanCut, wrapEthernet(0x86dd, v6), good];
    const file = writePcap('plr-malformed.pcap', 1, records.map((data, i) => ({ ts: 1700000000.5 + i * 0.000001, data })));
    const out = mkdtempSync(path.join(os.tmpdir(), 'plr-'));
    const summary = JSON.parse(execFileSync(process.execPath, ['bin/aipref-enforcer.js', 'replay', file, '--out', out, '--json'], { encoding: 'utf8' })) as Line;
    expect(summary).toMatchObject({ packets: 7, sip: 3, malformed: 4 });
    const reports = readFileSync(path.join(out, 'reports.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
    expect(reports.map((r) => [r.type, r.frame, r.ts])).toEqual([
      ['malformed-input', 2, 1700000000.500001],
      ['malformed-input', 4, 1700000000.500003],
      ['malformed-input', 5, 1700000000.500004],
      ['malformed-input', 6, 1700000000.500005],
    ]);
    expect(reports.map((r) => r.detail)).toEqual([
      'frame 2: IPv4 header length 16 below 20 at byte 14 of the record',
      'frame 4: UDP length 3 below 8 at byte 38 of the record',
      'frame 5: VLAN tag cut short: 2 of 4 bytes at byte 14 of the record',
      expect.stringMatching(/^frame 6: IPv6 extension header 60 of 1608 bytes exceeds the \d+ left at byte 55 of the record$/),
    ]);
  });
});
