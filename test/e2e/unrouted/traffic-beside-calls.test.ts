/**
 * Checks of traffic that is not the calls' media, mixed into the sample capture as a mirror port
 * or `tcpdump -i any udp` beside a relay carries it, that turned out FINE (workers 0 and 2 give
 * the same lines every time). Baseline of the sample: packets 440, rtp 354, rtcp 54, malformed 0,
 * streams 12, telemetry {export 0, aggregate 59, drop 195}.
 *
 * 1. Non-media UDP off negotiated transports — NTP mode 3 and 4 (first byte 0x23/0x24/0xe3),
 *    syslog (`<134>…`, 514), SNMP v2c get (0x30, 161), mDNS query and response (id 0, 5353), QUIC
 *    v1 Initial packets (first byte 0xc0–0xcf, 443), WireGuard handshake initiation/response
 *    (0x01/0x02, 51820), STUN binding requests to a STUN server (3478/19302), DNS queries and
 *    responses whose id's first byte is outside 128–191, a SIP CRLF keep-alive on 5060 (RFC 5626)
 *    — change no count (rtp, rtcp, malformed, streams, telemetry), make no report or decision,
 *    and leave the binding table as it was. tshark agrees: none of them is RTP/RTCP.
 * 2. RTP of an unrelated call no signaling names (20 packets, seq 1000–1019) and its RTCP (SR +
 *    SDES from the sender, RR from the receiver on port+1): rtp +20, rtcp +2, streams +2, one
 *    `unbound-stream` report per SSRC (at the RTP source's second packet in sequence, RFC 3550 A.1;
 *    the RR's sender at its RTCP), three decisions `drop`/`no-preference`
 *    (SPEC §3 absence is not consent), no export.
 * 3. Late media after BYE on ports the ended call used (RTP + SR of call 0's SSRC after its BYE,
 *    an SR on call 1's RTCP port after its BYE): not bound to the ended dialog; unbound, dropped
 *    `no-preference` (SPEC §5: BYE ends the dialog and its bindings).
 * 4. On a negotiated transport: a QUIC Initial (0xc3) is one `malformed-input` ("… neither RTP nor
 *    RTCP (starts c3 00 00 00)"); a WireGuard message (0x01, in RFC 7983's STUN range) is not
 *    reported. RTP on port+1 of the rtcp-mux call (21107 → 10695, RFC 5761: not in use) is not
 *    bound to that call.
 * 5. `packets` (the summary, in-process and `replay --json` of the CLI) counts every record:
 *    ARP, ICMP, LLDP, IPv6 UDP, a TCP SYN, two IPv4 fragments of one DNS response, an IPv4
 *    header cut short.
 * 6. 1287 random datagrams (first byte 128–191, second often 192–223, small length words) on
 *    call transports and off them: no crash, workers 0 and 2 give identical exports, reports,
 *    decisions and bindings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv4Packet, buildIpv4Tcp, buildIpv6Udp, fragmentIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { cli, parseLines, type PcapRecord, readPcapRecords, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords } from '../e2e-helpers.js';
import type { Udp } from '../sample-edits.js';
import { bothWorkers, dns, hex, insertedFrames, reportsOf, rng, rr, rtp, srSdes, withInserted } from './unrouted-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const BASE = { rtp: 354, rtcp: 54, malformed: 0, streams: 12, telemetry: { export: 0, aggregate: 59, drop: 195 } };
const counts = (s: { rtp: number; rtcp: number; malformed: number; streams: number; telemetry: object }) => ({ rtp: s.rtp, rtcp: s.rtcp, malformed: s.malformed, streams: s.streams, telemetry: s.telemetry });

describe('traffic beside the calls', () => {
  it('1. non-media UDP off negotiated transports changes nothing', async () => {
    const ntp = (first: number, fill: number) => {
      const b = Buffer.alloc(48, fill);
      b[0] = first;
      return b;
    };
    const quic = (first: number) => Buffer.concat([hex(first.toString(16) + '00000001 08 0102030405060708 00 00 4496'), Buffer.alloc(1180, 0x5a)]);
    const off: Udp[] = [
      { src: '10.9.0.10', dst: '10.9.0.123', sport: 123, dport: 123, payload: ntp(0x23, 0) },
      { src: '10.9.0.123', dst: '10.9.0.10', sport: 123, dport: 123, payload: ntp(0x24, 7) },
      { src: '10.9.0.11', dst: '10.9.0.123', sport: 40123, dport: 123, payload: ntp(0xe3, 0) },
      { src: '10.2.0.1', dst: '10.9.0.14', sport: 41000, dport: 514, payload: Buffer.from('<134>1 2026-01-01T00:00:00Z relay rtpengine 123 - - call started') },
      { src: '10.9.0.5', dst: '10.2.0.1', sport: 41001, dport: 161, payload: hex('302902010104067075626c6963a01c02041a2b3c4d020100020100300e300c06082b060102010101000500') },
      { src: '10.2.0.1', dst: '224.0.0.251', sport: 5353, dport: 5353, payload: dns(0, '_sip._udp.local', { flags: 0, qtype: 12 }) },
      { src: '10.9.0.30', dst: '224.0.0.251', sport: 5353, dport: 5353, payload: dns(0, 'printer.local', { flags: 0x8400, answers: ['10.9.0.30'] }) },
      ...[0xc0, 0xc3, 0xcf].map((f, k) => ({ src: '10.1.0.1', dst: '142.250.0.1', sport: 42000 + k, dport: 443, payload: quic(f) })),
      { src: '10.9.0.1', dst: '10.9.0.2', sport: 51820, dport: 51820, payload: Buffer.concat([hex('01000000 11223344'), Buffer.alloc(140, 0x33)]) },
      { src: '10.9.0.2', dst: '10.9.0.1', sport: 51820, dport: 51820, payload: Buffer.concat([hex('02000000 55667788 11223344'), Buffer.alloc(80, 0x44)]) },
      { src: '10.9.0.1', dst: '74.125.0.127', sport: 43000, dport: 19302, payload: hex('0001 0000 2112a442 0102030405060708090a0b0c') },
      { src: '10.2.0.1', dst: '10.9.0.3', sport: 43001, dport: 3478, payload: hex('0001 0000 2112a442 a102030405060708090a0b0c') },
      ...[0x1234, 0x4c01, 0x7fff, 0xc0de, 0xfe01].map((id, k) => ({ src: '10.9.0.10', dst: '10.9.0.53', sport: 50000 + k, dport: 53, payload: dns(id, 'www.example.com', { edns: true }) })),
      ...[0x1234, 0xc0de].map((id, k) => ({ src: '10.9.0.53', dst: '10.9.0.10', sport: 53, dport: 50000 + k, payload: dns(id, 'www.example.com', { flags: 0x8180, answers: ['192.0.2.1'] }) })),
      { src: '10.9.0.9', dst: '10.2.0.1', sport: 5060, dport: 5060, payload: Buffer.from('\r\n\r\n') },
    ];
    const inserts = new Map<number, Udp[]>([
      [30, off.slice(0, 12)],
      [300, off.slice(12)],
    ]);
    const capture = await withInserted(ws, 'inert.pcap', inserts);
    const frames = new Set(insertedFrames(inserts));
    const base = await bothWorkers(SMALL_PCAP);
    const runs = await bothWorkers(capture);
    runs.forEach((r, i) => {
      expect(r.result.summary.packets).toBe(440 + off.length);
      expect(counts(r.result.summary)).toEqual(BASE);
      expect(reportsOf(r).filter((x) => frames.has(x.frame))).toEqual([]);
      expect(parseLines<{ frame: number }>(r.decisions).filter((d) => frames.has(d.frame))).toEqual([]);
      expect(r.result.bindings).toEqual(base[i]!.result.bindings);
      expect(r.exports.length).toBe(base[i]!.exports.length);
    });
    expect(runs[1].reports).toEqual(runs[0].reports);
  });

  it('2. an unrelated call makes unbound streams whose telemetry is dropped', async () => {
    const inserts = new Map<number, Udp[]>();
    for (let i = 0; i < 20; i++) inserts.set(50 + i * 5, [{ src: '10.7.0.1', dst: '10.7.0.2', sport: 40000, dport: 50000, payload: rtp(1000 + i, 160 * i, 0x11223344) }]);
    inserts.set(160, [
      { src: '10.7.0.1', dst: '10.7.0.2', sport: 40001, dport: 50001, payload: srSdes(0x11223344, 3980000000, 3200, 20) },
      { src: '10.7.0.2', dst: '10.7.0.1', sport: 50001, dport: 40001, payload: rr(0x55667788, 0x11223344, 1019) },
    ]);
    const capture = await withInserted(ws, 'unrelated.pcap', inserts);
    const frames = insertedFrames(inserts);
    const runs = await bothWorkers(capture);
    for (const r of runs) {
      const s = r.result.summary;
      expect(counts(s)).toEqual({ ...BASE, rtp: 374, rtcp: 56, streams: 14, telemetry: { export: 0, aggregate: 59, drop: 198 } });
      expect(reportsOf(r).filter((x) => x.type === 'unbound-stream').map((x) => [x.frame, x.ssrc])).toEqual([
        [frames[1], 0x11223344],
        [frames[21], 0x55667788],
      ]);
      const d = parseLines<{ frame: number; ssrc: number; pt: number; decision: string; reason: string }>(r.decisions).filter((x) => frames.includes(x.frame));
      expect(d.map((x) => [x.frame, x.ssrc, x.pt, x.decision, x.reason])).toEqual([
        [frames[20], 0x11223344, 200, 'drop', 'no-preference'],
        [frames[20], 0x11223344, 202, 'drop', 'no-preference'],
        [frames[21], 0x55667788, 201, 'drop', 'no-preference'],
      ]);
      expect(r.result.bindings.filter((b) => b.dialog === null).map((b) => [b.ssrc, b.via])).toEqual([
        [0x11223344, null],
        [0x55667788, null],
      ]);
    }
    expect(runs[1].reports).toEqual(runs[0].reports);
    expect(runs[1].decisions).toEqual(runs[0].decisions);
  });

  it('3. late media after BYE is not bound to the ended dialog', async () => {
    // call 0's BYE is frame 428 (its 200 430), call 1's BYE 429
    const inserts = new Map<number, Udp[]>([
      [
        432,
        [
          { src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: rtp(5000, 99999, 1078747615, 111) },
          { src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: rtp(5001, 100159, 1078747615, 111) },
          { src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: srSdes(1078747615, 3980000000, 3200, 20) },
          { src: '10.1.0.2', dst: '10.2.0.2', sport: 57623, dport: 14531, payload: srSdes(0x12345678, 3980000000, 3200, 20) },
        ],
      ],
    ]);
    const capture = await withInserted(ws, 'late.pcap', inserts);
    const runs = await bothWorkers(capture);
    for (const r of runs) {
      expect(counts(r.result.summary)).toEqual({ ...BASE, rtp: 356, rtcp: 56, streams: 14, telemetry: { export: 0, aggregate: 59, drop: 199 } });
      const d = parseLines<{ frame: number; ssrc: number; decision: string; reason: string; apt: string[] }>(r.decisions).filter((x) => x.frame >= 433 && x.frame <= 436);
      expect(d.map((x) => [x.frame, x.ssrc, x.decision, x.reason, x.apt.length])).toEqual([
        [435, 1078747615, 'drop', 'no-preference', 0],
        [435, 1078747615, 'drop', 'no-preference', 0],
        [436, 0x12345678, 'drop', 'no-preference', 0],
        [436, 0x12345678, 'drop', 'no-preference', 0],
      ]);
      expect(reportsOf(r).filter((x) => x.frame >= 433).map((x) => [x.type, x.frame, x.ssrc])).toEqual([
        ['unbound-stream', 434, 1078747615],
        ['unbound-stream', 436, 0x12345678],
      ]);
    }
    expect(runs[1].reports).toEqual(runs[0].reports);
  });

  it('4. non-RTP on a negotiated transport, and the unused port+1 of an rtcp-mux call', async () => {
    const quic = Buffer.concat([hex('c3 00000001 08 0102030405060708 00 00 4496'), Buffer.alloc(1180, 0x5a)]);
    const inserts = new Map<number, Udp[]>([
      [
        110,
        [
          { src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: quic },
          { src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload: Buffer.concat([hex('01000000 11223344'), Buffer.alloc(140, 0x33)]) },
          { src: '10.1.0.1', dst: '10.2.0.1', sport: 21107, dport: 10695, payload: rtp(1, 1, 0x0badbeef) },
          { src: '10.1.0.1', dst: '10.2.0.1', sport: 21107, dport: 10695, payload: rtp(2, 161, 0x0badbeef) },
        ],
      ],
    ]);
    const capture = await withInserted(ws, 'on-port.pcap', inserts);
    const runs = await bothWorkers(capture);
    for (const r of runs) {
      expect(reportsOf(r).filter((x) => x.frame >= 111 && x.frame <= 114).map((x) => `${x.type}: ${x.detail ?? ''} ${x.ssrc ?? ''}`)).toEqual([
        'malformed-input: frame 111: 1198-byte datagram on a negotiated media transport is neither RTP nor RTCP (starts c3 00 00 00) ',
        'unbound-stream: no dialog binds this stream 195935983',
      ]);
      expect(r.result.bindings.filter((b) => b.ssrc === 0x0badbeef).map((b) => b.dialog)).toEqual([null]);
      expect(r.result.summary.malformed).toBe(1);
    }
    expect(runs[1].reports).toEqual(runs[0].reports);
  });

  it('5. packets counts every record of the capture', async () => {
    const { header, records } = await readPcapRecords(SMALL_PCAP);
    const extra: Uint8Array[] = [
      wrapEthernet(0x0806, hex('0001 0800 06 04 0001 020000000001 0a090001 000000000000 0a090002')),
      wrapEthernet(0x0800, buildIpv4Packet({ src: '10.9.0.1', dst: '10.9.0.2', protocol: 1, payload: hex('0800f7ff 0000 0000') })),
      buildIpv6Udp({ src: 'fd00::1', dst: 'fd00::53', sport: 40000, dport: 53, payload: dns(0x1abc, 'www.example.com', { edns: true }) }),
      buildIpv4Tcp({ src: '10.9.0.1', dst: '10.9.0.2', sport: 40000, dport: 443, seq: 1, flags: 0x02, payload: new Uint8Array(0) }),
      wrapEthernet(0x88cc, hex('0207 04 020000000001 0403 05 657468 0602 0078 0000')),
    ];
    const big = buildEthernetIpv4Udp({ src: '10.9.0.53', dst: '10.9.0.10', sport: 53, dport: 40001, id: 4242, payload: dns(0x1123, 'big.example.com', { flags: 0x8180, answers: Array.from({ length: 120 }, (_, i) => `10.0.${i}.1`) }) });
    for (const f of fragmentIpv4(big.subarray(14), 1000)) extra.push(wrapEthernet(0x0800, f));
    extra.push(wrapEthernet(0x0800, hex('4500 0010 0000 0000 4011 0000 0a090001')));
    const out: PcapRecord[] = [];
    records.forEach((r, i) => {
      out.push(r);
      if (i === 99) extra.forEach((d, k) => out.push({ ts: r.ts + (k + 1) * 1e-6, data: d }));
    });
    const file = await ws.file('mixed.pcap');
    await writePcapRecords(file, header, out);
    expect(out.length).toBe(448);
    for (const r of await bothWorkers(file)) {
      expect(r.result.summary.packets).toBe(448);
      // the cut IPv4 header is the one malformed record
      expect(reportsOf(r).filter((x) => x.type === 'malformed-input').map((x) => x.frame)).toEqual([108]);
    }
    const run = await cli('replay', file, '--policy', SMALL_POLICY, '--out', (await ws.folder()) + '/cli-out', '--json', '--workers', '2');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { packets: number }).packets).toBe(448);
  });

  it('6. random RTP/RTCP-shaped datagrams: workers 0 and 2 agree', async () => {
    const r = rng(7);
    const ends = [
      ['10.1.0.1', 21106, '10.2.0.1', 10694],
      ['10.1.0.2', 57623, '10.2.0.2', 14531],
      ['10.1.0.2', 17518, '10.2.0.2', 26120],
      ['10.9.0.1', 40000, '10.9.0.2', 50000],
    ] as const;
    const inserts = new Map<number, Udp[]>();
    for (let f = 11; f < 440; f++) {
      const list: Udp[] = [];
      for (let k = 0; k < 3; k++) {
        const n = Math.floor(r() * 80);
        const p = Buffer.alloc(n);
        for (let i = 0; i < n; i++) p[i] = Math.floor(r() * 256);
        if (n > 0) p[0] = 0x80 | Math.floor(r() * 64);
        if (n > 1 && r() < 0.5) p[1] = 192 + Math.floor(r() * 32);
        if (n > 3 && r() < 0.5) {
          p[2] = 0;
          p[3] = Math.floor(r() * (n / 4));
        }
        const e = ends[Math.floor(r() * ends.length)]!;
        list.push(r() < 0.5 ? { src: e[0], sport: e[1], dst: e[2], dport: e[3], payload: p } : { src: e[2], sport: e[3], dst: e[0], dport: e[1], payload: p });
      }
      inserts.set(f, list);
    }
    const capture = await withInserted(ws, 'fuzz.pcap', inserts);
    const [a, b] = await bothWorkers(capture);
    expect(a.result.summary.packets).toBe(440 + 3 * 429);
    expect(b.result.summary).toEqual(a.result.summary);
    expect(b.reports).toEqual(a.reports);
    expect(b.decisions).toEqual(a.decisions);
    expect(b.exports).toEqual(a.exports);
    expect(b.result.bindings).toEqual(a.result.bindings);
  });
});

