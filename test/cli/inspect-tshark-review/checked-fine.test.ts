/**
 * Checks of `inspect` and `bindings` against tshark (4.0) on every real capture in
 * ../shared/captures and on a few hand-built ones, that came out fine:
 * - RTP (every frame of heplify_sip_ipv4_tcp, rtpproxy_rtcp.a with `-d udp.port==2006,rtp`,
 *   rtpproxy_rtcp.o with `-d udp.port==2008,rtp`): ssrc, pt, seq, timestamp, marker, addresses,
 *   ports, capture time to the µs; as many RTP lines as tshark has RTP frames.
 * - RTCP of the real captures (heplify frames 14/17, rtpproxy_rtcp.o frame 158 with
 *   `-d udp.port==2009,rtcp`): packet types, SR sender info (NTP MSW/LSW, RTP ts, counts),
 *   report block fields, SDES CNAME.
 * - rtpproxy_rtcp1.raw wrapped in UDP: inspect gives what rtpproxy's own decode
 *   (rtpproxy_rtcp1.output) and tshark give.
 * - SIP (heplify ipv4/tcp, ipv6/udp, ipip0): Call-ID, tags, CSeq, Content-Type against tshark;
 *   IPv6 endpoints, frame times past 2^31 s (heplify_sip_ipv6_udp goes to 3867576602).
 * - A hand-built compound: RR fraction lost unsigned (255, 128), cumulative lost signed 24-bit
 *   (-1, -8388608, 8388607), extended highest seq with cycles, jitter/LSR/DLSR up to 2^32-1; SDES
 *   two chunks, PRIV aipref, MID/RID/RRID, empty NOTE; NACK pairs, PLI, FIR entries, REMB, APP,
 *   BYE with two SSRCs and a reason. tshark shows a UTF-8 SDES NAME as mojibake; inspect decodes
 *   it as UTF-8, which RFC 3550 §6.5 prescribes (tshark is wrong there, we are right).
 * - TMMBR/TMMBN: tshark 4.0 masks the measured overhead as 8 bits (shows 255 for 511); RFC 5104
 *   §4.2.1.1 gives it 9 bits, as inspect reads it (tshark wrong). An SR with a profile-specific
 *   extension after its report block (RFC 3550 §6.4.1): tshark calls it malformed, inspect
 *   reads it without error (tshark wrong).
 * - SDES PRIV with prefix length 0 and with a prefix running past its item: as tshark.
 * - IPv6 text (RFC 5952) of 17 addresses as tshark writes them (::, ::1, ::2, mapped/compatible
 *   dotted forms, first of equal zero runs, upper-case input).
 * - bindings vs replay --explain: a transport binding made from SDP that spells IPv6 uncompressed
 *   (heplify_sip_ipv6_udp with RTP/RTCP added), the policy's dialogs entry over its default; the
 *   decision names the identifiers the bindings row names (workers 0 and 2); rtpproxy_rtcp.o
 *   unbound under the default; heplify TCP call bound via transport.
 * - inspect --json lines all parse; every line of one proto has the same leading keys.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { cli, sharedCapture, Workspace } from '../../e2e/e2e-helpers.js';
import { hasTshark, inspect, tsharkFields, writePcap } from '../../wire/helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
type Json = Record<string, any>;
const lines = (s: string): Json[] => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);

function pkt(pt: number, count: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = 0x80 | count;
  h[1] = pt;
  h.writeUInt16BE(body.length / 4, 2);
  return Buffer.concat([h, body]);
}
const u32 = (...v: number[]) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32BE(x >>> 0); return b; }));
function block(ssrc: number, fr: number, cum: number, hs: number, j: number, lsr: number, dlsr: number): Buffer {
  return Buffer.concat([u32(ssrc, ((fr << 24) | (cum & 0xffffff)) >>> 0), u32(hs, j, lsr, dlsr)]);
}
function chunk(ssrc: number, items: Buffer[]): Buffer {
  let b = Buffer.concat([u32(ssrc), ...items, Buffer.from([0])]);
  while (b.length % 4) b = Buffer.concat([b, Buffer.from([0])]);
  return b;
}
const item = (t: number, s: Buffer | string) => { const v = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'); return Buffer.concat([Buffer.from([t, v.length]), v]); };
const S = 0x11111111, M = 0x22222222;

function onePacket(name: string, payload: Uint8Array, v6 = false): string {
  const data = v6
    ? buildIpv6Udp({ src: 'fe80::1', dst: '2001:db8::2', sport: 40001, dport: 40003, payload })
    : buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40001, dport: 40003, payload });
  return writePcap(name, 1, [{ ts: 1700000000.25, data }]);
}

describe.skipIf(!hasTshark)('real captures against tshark', () => {
  const rtpCases: [string, string[]][] = [
    ['heplify_sip_ipv4_tcp.pcap', []],
    ['rtpproxy_rtcp.a.pcap', ['-d', 'udp.port==2006,rtp']],
    ['rtpproxy_rtcp.o.pcap', ['-d', 'udp.port==2008,rtp']],
  ];
  for (const [name, extra] of rtpCases) {
    it(`RTP headers, addresses and times of ${name}`, () => {
      const file = sharedCapture(name);
      const mine = new Map(inspect(file).map((l) => [l.frame as number, l]));
      const rows = tsharkFields(file, ['frame.number', 'rtp.ssrc', 'rtp.p_type', 'rtp.seq', 'rtp.timestamp', 'rtp.marker', 'frame.time_epoch', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport'], [...extra, '-Y', 'rtp']);
      expect(rows.length).toBeGreaterThan(60);
      const bad = rows.filter(([f, ssrc, pt, seq, ts, m, t, src, dst, sp, dp]) => {
        const l = mine.get(Number(f));
        return !(l && l.proto === 'rtp' && l.ssrc === Number.parseInt(ssrc!, 16) && l.pt === Number(pt) && l.seq === Number(seq) && l.timestamp === Number(ts) && l.marker === (m === '1' || m === 'True') && Math.abs(l.ts - Number(t)) < 1e-6 && l.src === src && l.dst === dst && l.sport === Number(sp) && l.dport === Number(dp));
      });
      expect(bad).toEqual([]);
      expect([...mine.values()].filter((l) => l.proto === 'rtp').length).toBe(rows.length);
    });
  }

  it('RTCP SR/RR/SDES of the real captures', () => {
    const cases: [string, string[]][] = [['heplify_sip_ipv4_tcp.pcap', []], ['rtpproxy_rtcp.o.pcap', ['-d', 'udp.port==2009,rtcp']]];
    let n = 0;
    for (const [name, extra] of cases) {
      const file = sharedCapture(name);
      const mine = new Map(inspect(file).map((l) => [l.frame as number, l]));
      const rows = tsharkFields(file, ['frame.number', 'rtcp.pt', 'rtcp.senderssrc', 'rtcp.timestamp.ntp.msw', 'rtcp.timestamp.ntp.lsw', 'rtcp.timestamp.rtp', 'rtcp.sender.packetcount', 'rtcp.sender.octetcount', 'rtcp.ssrc.fraction', 'rtcp.ssrc.cum_nr', 'rtcp.ssrc.ext_high', 'rtcp.ssrc.jitter', 'rtcp.ssrc.lsr', 'rtcp.ssrc.dlsr', 'rtcp.sdes.text'], [...extra, '-Y', 'rtcp', '-E', 'occurrence=a', '-E', 'aggregator=,']);
      for (const [f, pts, sender, msw, lsw, rts, pc, oc, fr, cum, hs, j, lsr, dlsr, text] of rows) {
        n++;
        const l = mine.get(Number(f))!;
        expect(l.proto).toBe('rtcp');
        expect(l.packets.map((p: Json) => p.pt).join(',')).toBe(pts);
        const sr = l.packets[0];
        expect([sr.ssrc, sr.ntpSec, sr.ntpFrac, sr.rtpTs, sr.packetCount, sr.octetCount]).toEqual([Number.parseInt(sender!, 16), Number(msw), Number(lsw), Number(rts), Number(pc), Number(oc)]);
        const rb = sr.reports[0];
        if (fr) expect([rb.fractionLost, rb.cumulativeLost, rb.highestSeq, rb.jitter, rb.lsr, rb.dlsr]).toEqual([fr, cum, hs, j, lsr, dlsr].map(Number));
        expect(l.packets[1].chunks[0].items[0].text).toBe(text);
      }
    }
    expect(n).toBe(3);
  });

  it('rtpproxy_rtcp1.raw in UDP: inspect equals rtpproxy_rtcp1.output', () => {
    const file = onePacket('itr-rtcp1.pcap', readFileSync(sharedCapture('rtpproxy_rtcp1.raw')));
    const want = JSON.parse(readFileSync(sharedCapture('rtpproxy_rtcp1.output'), 'utf8')) as Json;
    const [l] = inspect(file);
    expect(l!.errors).toBeUndefined();
    const sr = l!.packets[0];
    const si = want.sender_information;
    expect([sr.pt, sr.ssrc, sr.ntpSec, sr.ntpFrac, sr.rtpTs, sr.packetCount, sr.octetCount]).toEqual([want.type, want.ssrc, si.ntp_timestamp_sec, si.ntp_timestamp_usec, si.rtp_timestamp, si.packets, si.octets]);
    const b = want.report_blocks[0];
    expect(sr.reports).toEqual([{ ssrc: b.source_ssrc, fractionLost: b.fraction_lost, cumulativeLost: b.packets_lost, highestSeq: b.highest_seq_no, jitter: b.ia_jitter, lsr: b.lsr, dlsr: b.dlsr }]);
    expect(l!.packets[1].chunks[0].items).toEqual([{ type: 1, text: '768f0@pjcffd9b.org' }]);
  });

  it('SIP fields, IPv6 endpoints and times past 2^31 s of the heplify captures', () => {
    for (const name of ['heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv6_udp.pcap', 'heplify_ipip0.pcap']) {
      const file = sharedCapture(name);
      const mine = new Map(inspect(file).map((l) => [l.frame as number, l]));
      const rows = tsharkFields(file, ['frame.number', 'sip.Call-ID', 'sip.from.tag', 'sip.to.tag', 'sip.CSeq.seq', 'sip.Content-Type', 'frame.time_epoch', 'ipv6.src', 'ip.src'], ['-Y', 'sip']);
      expect(rows.length).toBeGreaterThan(5);
      for (const [f, callId, from, to, cseq, ctype, t, v6src, v4src] of rows) {
        const l = mine.get(Number(f))!;
        const m = l.sip[0];
        expect([m.callId, m.fromTag, m.toTag ?? '', m.cseq.seq, m.contentType ?? '', l.src]).toEqual([callId, from, to, Number(cseq), ctype, v6src || v4src]);
        expect(Math.abs(l.ts - Number(t))).toBeLessThan(1e-6);
      }
    }
  });
});

describe.skipIf(!hasTshark)('hand-built RTCP against tshark', () => {
  it('report block signs, SDES, NACK/PLI/FIR/REMB/APP/BYE', () => {
    const rr = pkt(201, 3, Buffer.concat([u32(S), block(M, 255, 0xffffff, 0x0003fffe, 0xfffffff0, 0xdeadbeef, 0xffffffff), block(0x33333333, 128, 0x800000, 1, 0, 0, 0), block(0x44444444, 1, 0x7fffff, 65536, 5, 1, 2)]));
    const sd = pkt(202, 2, Buffer.concat([
      chunk(S, [item(1, 'user@host'), item(2, 'Zoë Ünïcode'), item(8, Buffer.concat([Buffer.from([6]), Buffer.from('aipref'), Buffer.from('urn:x:apt:1')])), item(12, 'a0'), item(13, 'hi'), item(14, 'lo'), item(7, '')]),
      chunk(M, [item(1, 'peer')]),
    ]));
    const nack = pkt(205, 1, Buffer.concat([u32(S, M), u32((100 << 16) | 0x8001, 0xffff0000)]));
    const pli = pkt(206, 1, u32(S, M));
    const fir = pkt(206, 4, Buffer.concat([u32(S, 0), u32(M, 7 << 24), u32(0x33333333, 255 << 24)]));
    const remb = pkt(206, 15, Buffer.concat([u32(S, 0), Buffer.from('REMB'), Buffer.from([2, (3 << 2) | 1, 0x23, 0x45]), u32(M, 0x33333333)]));
    const app = pkt(204, 5, Buffer.concat([u32(S), Buffer.from('qak1'), u32(0x01020304)]));
    const bye = pkt(203, 2, Buffer.concat([u32(S, M), Buffer.from([5]), Buffer.from('leave'), Buffer.from([0, 0])]));
    const file = onePacket('itr-rich.pcap', Buffer.concat([rr, sd, nack, pli, fir, remb, app, bye]));
    const [t] = tsharkFields(file, ['rtcp.pt', 'rtcp.ssrc.fraction', 'rtcp.ssrc.cum_nr', 'rtcp.ssrc.ext_high', 'rtcp.ssrc.jitter', 'rtcp.ssrc.dlsr', 'rtcp.rtpfb.nack_pid', 'rtcp.psfb.fir.fci.csn', 'rtcp.psfb.remb.fci.br_mantissa', 'rtcp.psfb.remb.fci.br_exp', 'rtcp.app.name', 'rtcp.sdes.prefix.string'], ['-d', 'udp.port==40003,rtcp', '-E', 'occurrence=a', '-E', 'aggregator=,']);
    const [l] = inspect(file);
    expect(l!.errors).toBeUndefined();
    const p = l!.packets;
    expect(p.map((x: Json) => x.pt).join(',')).toBe(t![0]);
    const r = p[0].reports;
    expect(r.map((b: Json) => b.fractionLost).join(',')).toBe(t![1]);
    expect(r.map((b: Json) => b.cumulativeLost).join(',')).toBe(t![2]); // -1,-8388608,8388607
    expect(r.map((b: Json) => b.highestSeq).join(',')).toBe(t![3]);
    expect(r.map((b: Json) => b.jitter).join(',')).toBe(t![4]);
    expect(r.map((b: Json) => b.dlsr).join(',')).toBe(t![5]);
    // tshark lists each NACK's PID followed by the packets its BLP names lost (RFC 4585 §6.2.1)
    const lost = p[2].nacks.flatMap((n: Json) => [n.pid, ...[...Array(16).keys()].filter((i) => (n.blp >> i) & 1).map((i) => (n.pid + i + 1) & 0xffff)]);
    expect(lost.join(',')).toBe(t![6]);
    expect(p[4].fir.map((f: Json) => f.seq).join(',')).toBe(t![7]);
    expect(p[5].remb.bitrate).toBe(Number(t![8]) * 2 ** Number(t![9]));
    expect(p[6].name).toBe(t![10]);
    expect(p[1].chunks[0].items[2]).toEqual({ type: 8, prefix: t![11], value: 'urn:x:apt:1' });
    // RFC 3550 §6.5: SDES text is UTF-8 (tshark 4.0 prints this NAME as mojibake)
    expect(p[1].chunks[0].items[1]).toEqual({ type: 2, text: 'Zoë Ünïcode' });
    expect(p[1].chunks[0].items.slice(3)).toEqual([{ type: 12, text: 'a0' }, { type: 13, text: 'hi' }, { type: 14, text: 'lo' }, { type: 7, text: '' }]);
    expect(p[7]).toMatchObject({ ssrcs: [S, M], reason: 'leave' });
  });

  it('TMMBN overhead 9 bits (tshark masks 8) and an SR profile extension (tshark: malformed)', () => {
    const fci = (exp: number, man: number, oh: number) => u32(M, ((exp << 26) | (man << 9) | oh) >>> 0);
    const tmmbr = pkt(205, 3, Buffer.concat([u32(S, 0), fci(4, 100000, 40)]));
    const tmmbn = pkt(205, 4, Buffer.concat([u32(S, 0), fci(1, 3, 511)]));
    const sr = pkt(200, 1, Buffer.concat([u32(S, 0x83aa7e80, 0x80000000, 1234, 10, 1600), block(M, 10, 5, 1000, 7, 0x12345678, 0x10000), Buffer.from('EXT1EXT2')]));
    const [l] = inspect(onePacket('itr-tmmb.pcap', Buffer.concat([sr, tmmbr, tmmbn])));
    expect(l!.errors).toBeUndefined();
    expect(l!.packets[0].reports).toHaveLength(1);
    expect(l!.packets[1].tmmb).toEqual([{ ssrc: M, bitrate: 1600000, overhead: 40 }]);
    expect(l!.packets[2].tmmb).toEqual([{ ssrc: M, bitrate: 6, overhead: 511 }]);
  });

  it('IPv6 text as tshark writes it (RFC 5952)', () => {
    const addrs = ['::', '::1', '::2', '1::', '1:0:0:1:0:0:0:1', '1:0:0:0:1:0:0:1', '2001:db8:0:1:1:1:1:1', '::ffff:1.2.3.4', '::1.2.3.4', '::0.1.0.0', '::ffff:0.0.0.0', '64:ff9b::1.2.3.4', 'fe80::1:0:0:0', '2001:DB8::A', '::ffff:0:1.2.3.4', '0:0:0:0:0:1:0:0'];
    const rtpPkt = new Uint8Array(172);
    rtpPkt[0] = 0x80;
    rtpPkt[11] = 1;
    const file = writePcap('itr-v6text.pcap', 1, addrs.map((a, i) => ({ ts: 1700000000 + i, data: buildIpv6Udp({ src: a, dst: '2001:db8::2', sport: 40000 + 2 * i, dport: 50000, payload: rtpPkt }) })));
    expect(inspect(file).map((l) => l.src)).toEqual(tsharkFields(file, ['ipv6.src']).map((r) => r[0]));
  });
});

/** heplify_sip_ipv6_udp.pcap with 5 RTP and an SR from the answerer to the offer's c=/m= (IPv6 spelled uncompressed in the SDP). */
function ipv6CallWithMedia(out: string): void {
  const src = readFileSync(sharedCapture('heplify_sip_ipv6_udp.pcap'));
  const recs: Buffer[] = [];
  for (let at = 24; at + 16 <= src.length; ) {
    const n = src.readUInt32LE(at + 8);
    recs.push(src.subarray(at, at + 16 + n));
    at += 16 + n;
  }
  const rec = (ts: number, data: Uint8Array) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Math.floor(ts), 0);
    h.writeUInt32LE(Math.round((ts % 1) * 1e6), 4);
    h.writeUInt32LE(data.length, 8);
    h.writeUInt32LE(data.length, 12);
    return Buffer.concat([h, data]);
  };
  const extra: Buffer[] = [];
  for (let i = 0; i < 5; i++) {
    const b = Buffer.alloc(172);
    b[0] = 0x80;
    b.writeUInt16BE(100 + i, 2);
    b.writeUInt32BE(0xabcdef01, 8);
    extra.push(rec(1680721833 + i * 0.02, buildIpv6Udp({ src: 'fec0::216:d3ff:fe0d:22c', dst: 'fe80::21a:a0ff:fe07:32e0', sport: 6000, dport: 5008, payload: b })));
  }
  extra.push(rec(1680721833.2, buildIpv6Udp({ src: 'fec0::216:d3ff:fe0d:22c', dst: 'fe80::21a:a0ff:fe07:32e0', sport: 6001, dport: 5009, payload: pkt(200, 0, u32(0xabcdef01, 0xe1000000, 0, 0, 10, 1600)) })));
  writeFileSync(out, Buffer.concat([src.subarray(0, 24), ...recs.slice(0, 4), ...extra, ...recs.slice(4)]));
}

describe('bindings against replay --explain', () => {
  it('IPv6 transport binding: the decision names the bindings row identifiers (workers 0 and 2)', async () => {
    const cap = await ws.file('v6call.pcap');
    ipv6CallWithMedia(cap);
    const policy = await ws.file('p6.json');
    writeFileSync(policy, JSON.stringify({ apts: { d: { type: 'domain', export: 'raw', retention: '1h' }, x: { type: 'user', export: 'aggregated-only', retention: '1h' } }, dialogs: [{ callId: 'c3eF6f58-363323Cd-8058EB88-10300252@fe80:0:0:0:21a:a0ff:fe07:32e0', apt: ['x'] }], default: 'd' }));
    const rows = JSON.parse((await cli('bindings', cap, '--json', '--policy', policy)).stdout) as Json[];
    expect(rows).toEqual([expect.objectContaining({ ssrc: 0xabcdef01, kind: 'audio', via: 'transport', apt: ['x'], ended: true })]);
    for (const workers of ['0', '2']) {
      const out = await ws.file(`o6-${workers}`);
      expect((await cli('replay', cap, '--policy', policy, '--out', out, '--explain', '--workers', workers)).code).toBe(0);
      const d = lines(readFileSync(`${out}/decisions.ndjson`, 'utf8'));
      expect(d).toEqual([expect.objectContaining({ frame: 10, ssrc: 0xabcdef01, decision: 'aggregate', apt: rows[0]!.apt })]);
    }
  });

  it('real captures: every decided SSRC has a row with the same identifiers', async () => {
    const policy = await ws.file('pr.json');
    writeFileSync(policy, JSON.stringify({ apts: { d: { type: 'domain', export: 'raw', retention: '1h' }, a: { type: 'domain', export: 'raw', retention: '1h' } }, dialogs: [{ callId: '158936656982201062716@10.33.6.100', apt: ['a'] }], default: 'd' }));
    for (const [name, want] of [['rtpproxy_rtcp.o.pcap', 2], ['heplify_sip_ipv4_tcp.pcap', 4]] as const) {
      const cap = sharedCapture(name);
      const rows = new Map((JSON.parse((await cli('bindings', cap, '--json', '--policy', policy)).stdout) as Json[]).map((r) => [r.ssrc as number, r]));
      const out = await ws.file(`or-${name}`);
      await cli('replay', cap, '--policy', policy, '--out', out, '--explain', '--workers', '0');
      const d = lines(readFileSync(`${out}/decisions.ndjson`, 'utf8'));
      expect(d).toHaveLength(want);
      for (const x of d) expect(x.apt).toEqual(rows.get(x.ssrc)!.apt);
    }
  });
});

describe('inspect --json shape', () => {
  it('every line of every real capture parses; one proto, one set of leading keys', () => {
    for (const name of ['heplify_ipip0.pcap', 'heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv6_udp.pcap', 'rtpproxy_rtcp.a.pcap', 'rtpproxy_rtcp.o.pcap']) {
      const out = execFileSync(process.execPath, ['bin/aipref-enforcer.js', 'inspect', sharedCapture(name), '--json', '--quiet'], { encoding: 'utf8' });
      const ls = lines(out);
      const shapes = new Map<string, Set<string>>();
      for (const l of ls) {
        expect(Object.keys(l).slice(0, 7)).toEqual(['frame', 'ts', 'src', 'dst', 'sport', 'dport', 'proto']);
        const set = shapes.get(l.proto) ?? new Set<string>();
        set.add(Object.keys(l).join(','));
        shapes.set(l.proto, set);
      }
      for (const [, s] of shapes) expect(s.size).toBe(1);
    }
  });
});
