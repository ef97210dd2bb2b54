/**
 * Metamorphic checks of `replay` that turned out FINE (in-process, workers 0 and 2; the sample
 * policy and an "everything raw" policy: every catalog identifier export=raw, retention 1h, and
 * a raw default). Each transforms a capture and asserts the outputs — exports, reports,
 * decisions (--explain), the binding table and the --json summary — are those of the original
 * under the same mapping (lines compared as multisets: order between lines of one instant is no
 * contract; requestIds left out where frames, times or SSRCs change, since they digest them).
 * Sources: samples/call-small.pcap and a generated capture (seed 1, 6 calls, renegotiations).
 *
 *  1. relabel: IPv4 addresses (IP headers and all SIP/SDP text but Call-ID; SDES CNAMEs), every
 *     media port +1000, every SSRC xor 0x5a5a5a5a (RTP, RTCP incl. report blocks/XR/feedback,
 *     a=ssrc) — and addresses of another length (172.16.100.x), SIP port 5060 → 5080, and an
 *     SSRC mapped to 0 or 0xffffffff;
 *  2. IPv4 → IPv6 everywhere (IP, c=/o= IN IP6, Via/Contact/Request-URI bracketed, received=);
 *     all callers on 127.0.0.1 and all callees on 127.0.0.2 (SIP 5060↔5060 shared by every call);
 *  3. time shift of every record by +1 µs, +123.456789 s, and past 2^31 s (+400 000 000 s):
 *     ts, expiresAt and window bounds shift by exactly that, µs for µs;
 *  4. link layers: Ethernet → 802.1Q, QinQ, raw IP (101), IPv4 (228), SLL, SLL2, BSD null;
 *     pcap → pcapng (µs, ns), pcap ns, big-endian pcap; snap length 2^31−1; every frame padded to
 *     60 bytes and 4 trailer bytes more (the IP total length decides);
 *  5. pcapng: if_tsoffset (+1e9 s, −1e9 s) with the times reduced by it, if_tsresol 2^-20,
 *     Obsolete Packet Blocks, EPB options, two interfaces (Ethernet µs, SLL ns) alternating, two
 *     sections (LE, then BE with raw-IP ns and Ethernet+tsoffset interfaces);
 *  6. every SIP message retransmitted (exact copy) 0.5, 1.5 and 3.5 s later; every RTP packet
 *     duplicated (same time, or 30 ms later); every RTCP compound copied 1 ms later — outputs
 *     unchanged, frames renumbered (only the packets/sip/rtp/rtcp counters grow);
 *  7. interleaving: the sample merged by time with a generated capture whose addresses and APT
 *     identifiers were relabelled (10.5/10.6, bpt-…), and a generated capture merged with a
 *     relabelled copy of itself (same SSRCs, Call-IDs prefixed, 3 ms later): the union of the
 *     two replays, aggregate requestIds included, summaries added;
 *  8. SIP over TCP instead of UDP (handshake, Via …/TCP), each message whole or cut into 1-byte
 *     segments (same time);
 *  9. every IPv4 datagram over 148 bytes fragmented (128-byte fragments), in order or reversed;
 *     ARP, DNS queries and stray 0x80-led UDP between every fourth record; RTCP compounds padded
 *     (P bit, RFC 3550 §6.4.1); RTP packets given padding and a header-extension element whose
 *     id no a=extmap declares;
 * 10. mids renamed consistently (a=mid, a=group, RTP mid extension, SDES MID) to longer, numeric
 *     or swapped names; SIP headers in compact form, upper case, reversed order, folded; SDP
 *     with LF line ends; multipart bodies with a quoted or odd boundary, preamble and epilogue,
 *     parts reversed, transport padding, minified JSON;
 * 11. after a call's BYE, a late copy of its INVITE, 200, ACK or re-INVITE exchange before more
 *     RTCP of that call: the RTCP is judged as without the copies (unbound-stream, no dialog).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APT_CATALOG } from '../../../samples/generator/apt-catalog.js';
import { parsePolicy, type PolicyFile } from '../../../src/policy/policy-file.js';
import { editSample, udp } from '../sample-edits.js';
import { readPcapRecords, SMALL_PCAP, SMALL_POLICY, smallCapture, Workspace } from '../e2e-helpers.js';
import {
  atBody, chunks, decode, fixContentLength, frame, ipPacket, isRtcpPayload, isRtpPayload, isSipPayload, mapCapture, pcapngSections, readPcap, rec, relabel, relink,
  renameRtpMid, renameSdesMid, renameSdpMid, sipOverTcp, writeCap, type Cap, type Dgram, type Link, type Rec,
} from './cap.js';
import { allRawPolicy, compare, firstDiff, mapOut, run, samplePolicy, type Mapping, type Out } from './mm.js';
import { fragmentIpv4, wrapEthernet, buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { writeFile } from 'node:fs/promises';

const ws = new Workspace();
afterAll(() => ws.cleanup());
let GEN = '';
let policies: [string, PolicyFile][] = [];
const baseCache = new Map<string, Out>();
beforeAll(async () => {
  GEN = (await ws.generate(smallCapture(1, 6))).path;
  policies = [['sample', await samplePolicy()], ['raw', allRawPolicy()]];
});
async function base(src: string, pn: string, policy: PolicyFile, workers: number): Promise<Out> {
  const k = `${src}|${pn}|${workers}`;
  if (!baseCache.has(k)) baseCache.set(k, await run(src, policy, workers));
  return baseCache.get(k)!;
}
const zeroCounts = (s: any) => JSON.stringify({ ...s, packets: 0, sip: 0, rtp: 0, rtcp: 0 });

/** Asserts the transformed capture's outputs equal the original's under the mapping. */
async function expectSame(src: string, file: string, m: Mapping, o: { counters?: boolean } = {}): Promise<void> {
  for (const workers of [0, 2])
    for (const [pn, policy] of policies) {
      const b = await base(src, pn, policy, workers);
      const g = await run(file, policy, workers);
      const c = compare(b, g, m, true);
      if (o.counters) c.summary = zeroCounts(b.summary) === zeroCounts(g.summary) ? null : `${JSON.stringify(b.summary)} vs ${JSON.stringify(g.summary)}`;
      expect(c, `${pn} workers ${workers}`).toEqual({ exports: null, reports: null, decisions: null, summary: null, bindings: null });
    }
}
const srcs = () => [['small', SMALL_PCAP], ['gen1', GEN]] as const;
const K = 0x5a5a5a5a;
const ipSame = (a: string) => a.replace(/^10\.1\./, '10.7.').replace(/^10\.2\./, '10.8.');
const shiftCap = (c: Cap, dt: number): Cap => ({ ...c, records: c.records.map((r) => ({ ...r, tus: r.tus + dt })) });

describe('1–2. relabelling', () => {
  for (const [name, src] of [['small', SMALL_PCAP], ['gen1', '']] as const)
    it(`addresses, ports, SSRCs (${name})`, async () => {
      const s = src || GEN;
      const cap = await readPcap(s);
      const file = await writeCap(await ws.file(`relabel-${name}.pcap`), mapCapture(cap, (d, r) => (d ? [rec(relabel(d, { ip: ipSame, port: (p) => p + 1000, ssrc: K }), 'eth', r.tus)] : [r])));
      await expectSame(s, file, { ssrc: (n) => (n ^ K) >>> 0, text: (t) => t.replace(/10\.1\.0\.(\d+)/g, '10.7.0.$1').replace(/10\.2\.0\.(\d+)/g, '10.8.0.$1'), dropRequestId: true });
    });
  it('longer addresses, SIP port 5080, an SSRC mapped to 0 (small)', async () => {
    const cap = await readPcap(SMALL_PCAP);
    const first = decode(cap.records.find((r) => { const d = decode(r, 1); return d !== null && isRtpPayload(d.payload) && !isSipPayload(d.payload); })!, 1)!;
    const k = Buffer.from(first.payload).readUInt32BE(8);
    const ipLong = (a: string) => a.replace(/^10\.1\.0\./, '172.16.100.').replace(/^10\.2\.0\./, '192.168.200.');
    const file = await writeCap(await ws.file('relabel-long.pcap'), mapCapture(cap, (d, r) => (d ? [rec(relabel(d, { ip: ipLong, sipPort: 5080, ssrc: k }), 'eth', r.tus)] : [r])));
    await expectSame(SMALL_PCAP, file, { ssrc: (n) => (n ^ k) >>> 0, text: (t) => t.replace(/10\.1\.0\.(\d)/g, '172.16.100.$1').replace(/10\.2\.0\.(\d)/g, '192.168.200.$1'), dropRequestId: true });
  });
  it('IPv6 everywhere (small)', async () => {
    const v6 = (a: string) => { const [w, x, y, z] = a.split('.').map(Number) as number[]; return `2001:db8:${w!.toString(16)}:${x!.toString(16)}::${y!.toString(16)}:${z!.toString(16)}`; };
    const sip6 = (text: string) => fixContentLength(text.split('\r\n').map((l) => (/^(Call-ID|i)\s*:/i.test(l) ? l : l.replace(/IN IP4 (\d+\.\d+\.\d+\.\d+)/g, (_, a) => `IN IP6 ${v6(a)}`).replace(/(sip:(?:[^@\s>;]+@)?|SIP\/2\.0\/\w+ )(\d+\.\d+\.\d+\.\d+)/g, (_, p, a) => `${p}[${v6(a)}]`).replace(/(received=)(\d+\.\d+\.\d+\.\d+)/g, (_, p, a) => `${p}${v6(a)}`))).join('\r\n'));
    const to6 = (d: Dgram): Dgram => ({ ...d, src: v6(d.src), dst: v6(d.dst), payload: isSipPayload(d.payload) ? Buffer.from(sip6(Buffer.from(d.payload).toString('latin1')), 'latin1') : d.payload });
    const file = await writeCap(await ws.file('v6.pcap'), mapCapture(await readPcap(SMALL_PCAP), (d, r) => (d ? [rec(to6(d), 'eth', r.tus)] : [r])));
    await expectSame(SMALL_PCAP, file, { dropRequestId: true });
  });
});

describe('3. time shifts', () => {
  for (const dt of [1, 123_456_789, 400_000_000_000_000])
    it(`+${dt} µs (small)`, async () => {
      const file = await writeCap(await ws.file(`shift-${dt}.pcap`), shiftCap(await readPcap(SMALL_PCAP), dt));
      await expectSame(SMALL_PCAP, file, { dtUs: dt, dropRequestId: true });
    });
});

describe('4. link layers and file formats', () => {
  for (const l of ['vlan', 'qinq', 'raw', 'ipv4', 'sll', 'sll2', 'null'] as Link[])
    it(`Ethernet → ${l} (small)`, async () => {
      await expectSame(SMALL_PCAP, await writeCap(await ws.file(`link-${l}.pcap`), relink(await readPcap(SMALL_PCAP), l)), {});
    });
  for (const [name, o] of [['pcapng µs', { pcapng: true }], ['pcapng ns', { pcapng: true, nanos: true }], ['pcap ns', { nanos: true }], ['pcap big-endian', { bigEndian: true }], ['snaplen 2^31-1', { snapLen: 0x7fffffff }]] as const)
    it(`${name} (small)`, async () => {
      await expectSame(SMALL_PCAP, await writeCap(await ws.file(`fmt-${name.replace(/\W/g, '_')}`), await readPcap(SMALL_PCAP), o), {});
    });
  it('frames padded to 60 bytes plus 4 trailer bytes (small)', async () => {
    const cap = await readPcap(SMALL_PCAP);
    const padded = { ...cap, records: cap.records.map((r) => { const n = Math.max(60, r.data.length) + 4; const d = new Uint8Array(n).fill(0xee); d.set(r.data); return { tus: r.tus, data: d, origLen: n }; }) };
    await expectSame(SMALL_PCAP, await writeCap(await ws.file('padded.pcap'), padded), {});
  });
});

describe('5. pcapng shapes', () => {
  const one = (c: Cap, f: Record<string, unknown>, x: { obsolete?: boolean; withOptions?: boolean } = {}) => [{ ifaces: [{ linkType: c.linkType, ...f }], records: c.records.map((r) => ({ r, iface: 0, ...x })) }];
  const variants: [string, (c: Cap) => any][] = [
    ['if_tsoffset +1e9 s', (c) => one(c, { tsoffset: 1_000_000_000n })],
    ['if_tsoffset −1e9 s, ns', (c) => one(c, { tsoffset: -1_000_000_000n, tsresol: 9 })],
    ['if_tsresol 2^-20', (c) => one(c, { tsresol: 0x80 | 20 })],
    ['obsolete packet blocks with options', (c) => one(c, {}, { obsolete: true, withOptions: true })],
    ['two interfaces', (c) => { const s = relink(c, 'sll'); return [{ ifaces: [{ linkType: 1 }, { linkType: 113, tsresol: 9 }], records: c.records.map((r, i) => (i % 2 ? { r: s.records[i]!, iface: 1 } : { r, iface: 0 })) }]; }],
    ['two sections LE then BE', (c) => { const h = c.records.length >> 1; const raw = relink(c, 'raw'); return [{ ifaces: [{ linkType: 1 }], records: c.records.slice(0, h).map((r) => ({ r, iface: 0 })) }, { bigEndian: true, ifaces: [{ linkType: 101, tsresol: 9 }, { linkType: 1, tsoffset: 1000n }], records: c.records.slice(h).map((r, i) => (i % 2 ? { r, iface: 1 } : { r: raw.records[h + i]!, iface: 0 })) }]; }],
  ];
  for (const [name, v] of variants)
    it(`${name} (small)`, async () => {
      const file = await ws.file(`ng-${name.replace(/\W/g, '_')}.pcapng`);
      await writeFile(file, pcapngSections(v(await readPcap(SMALL_PCAP))));
      await expectSame(SMALL_PCAP, file, {});
    });
});

/** Records added by time (stable), with old → new frame numbers. */
function insert(cap: Cap, extra: (r: Rec) => Rec[]): { cap: Cap; renumber: Map<number, number> } {
  const all: { r: Rec; orig: number | null; k: number }[] = [];
  cap.records.forEach((r, i) => { all.push({ r, orig: i + 1, k: all.length }); for (const x of extra(r)) all.push({ r: x, orig: null, k: all.length }); });
  all.sort((a, b) => a.r.tus - b.r.tus || a.k - b.k);
  const renumber = new Map<number, number>();
  all.forEach((e, i) => e.orig !== null && renumber.set(e.orig, i + 1));
  return { cap: { ...cap, records: all.map((e) => e.r) }, renumber };
}
const kind = (r: Rec) => { const d = decode(r, 1); return !d ? 'other' : isSipPayload(d.payload) ? 'sip' : isRtcpPayload(d.payload) ? 'rtcp' : isRtpPayload(d.payload) ? 'rtp' : 'other'; };

describe('6. retransmissions and duplicates', () => {
  const cases: [string, (r: Rec) => Rec[]][] = [
    ['SIP copies 0.5, 1.5, 3.5 s later', (r) => (kind(r) === 'sip' ? [500_000, 1_500_000, 3_500_000].map((dt) => ({ ...r, tus: r.tus + dt })) : [])],
    ['RTP duplicated at once and 30 ms later', (r) => (kind(r) === 'rtp' ? [{ ...r }, { ...r, tus: r.tus + 30_000 }] : [])],
    ['RTCP copied 1 ms later', (r) => (kind(r) === 'rtcp' ? [{ ...r, tus: r.tus + 1000 }] : [])],
  ];
  for (const [name, extra] of cases)
    for (const [sn] of srcs())
      it(`${name} (${sn})`, async () => {
        const s = sn === 'small' ? SMALL_PCAP : GEN;
        const { cap, renumber } = insert(await readPcap(s), extra);
        await expectSame(s, await writeCap(await ws.file(`dup-${name.replace(/\W/g, '_')}-${sn}.pcap`), cap), { frame: (f) => renumber.get(f), dropRequestId: true }, { counters: true });
      });
});

describe('7. interleaving independent calls', () => {
  const renameApt = (s: string) => s.replace(/(?<![\w-])apt-/g, 'bpt-').replace(/urn:example:apt:/g, 'urn:example:bpt:');
  const rename = (d: Dgram, callIdPrefix: string): Dgram => {
    const t = Buffer.from(d.payload).toString('latin1');
    const u = isSipPayload(d.payload) ? fixContentLength(t.split('\r\n').map((l) => (/^(Call-ID|i)\s*:/i.test(l) ? l.replace(/:\s*/, `: ${callIdPrefix}`) : renameApt(l))).join('\r\n')) : t.replace(/aiprefapt-/g, 'aiprefbpt-').replace(/aiprefurn:example:apt:/g, 'aiprefurn:example:bpt:');
    return { ...d, payload: Buffer.from(u, 'latin1') };
  };
  async function both(): Promise<[string, PolicyFile][]> {
    const sp = JSON.parse(await readFile(SMALL_POLICY, 'utf8'));
    const dup = (apts: Record<string, unknown>) => ({ ...apts, ...Object.fromEntries(Object.entries(apts).map(([k, v]) => [renameApt(k), v])) });
    const raw: Record<string, unknown> = {};
    for (const e of APT_CATALOG) raw[e.id] = { type: 'domain', export: 'raw', retention: '1h' };
    return [['sample', parsePolicy(JSON.stringify({ ...sp, apts: dup(sp.apts) }), 'p.json')], ['raw', parsePolicy(JSON.stringify({ apts: dup(raw) }), 'r.json')]];
  }
  for (const [an, bn, dt, prefix] of [['small', 'gen1', 0, ''], ['gen1', 'gen1', 3000, 'X']] as const)
    it(`${an} + ${bn} (relabelled${prefix ? ', same SSRCs' : ''})`, async () => {
      const as = an === 'small' ? SMALL_PCAP : GEN;
      const a = await readPcap(as);
      const b0 = await readPcap(GEN);
      const shift = a.records[0]!.tus + dt - b0.records[0]!.tus;
      const ip5 = (x: string) => x.replace(/^10\.1\./, '10.5.').replace(/^10\.2\./, '10.6.');
      const b = mapCapture(b0, (d, r) => (d ? [rec(rename(relabel(d, { ip: ip5 }), prefix), 'eth', r.tus + shift)] : [{ ...r, tus: r.tus + shift }]));
      const bf = await writeCap(await ws.file(`b-${an}-${bn}.pcap`), b);
      const all = [...a.records.map((r, i) => ({ r, s: 0, f: i + 1 })), ...b.records.map((r, i) => ({ r, s: 1, f: i + 1 }))].sort((x, y) => x.r.tus - y.r.tus || x.s - y.s || x.f - y.f);
      const ra = new Map<number, number>(), rb = new Map<number, number>();
      all.forEach((e, i) => (e.s === 0 ? ra : rb).set(e.f, i + 1));
      const mf = await writeCap(await ws.file(`m-${an}-${bn}.pcap`), { ...a, records: all.map((e) => e.r) });
      const srt = (x: any[]) => x.map((y) => JSON.stringify(y)).sort().map((y) => JSON.parse(y));
      const noTelId = (x: any) => (x.type === 'telemetry' ? { ...x, requestId: undefined } : x);
      for (const workers of [0, 2])
        for (const [, policy] of await both()) {
          const A = await run(as, policy, workers), B = await run(bf, policy, workers), M = await run(mf, policy, workers);
          const ea = mapOut(A, { frame: (f) => ra.get(f) }), eb = mapOut(B, { frame: (f) => rb.get(f) });
          for (const k of ['exports', 'reports', 'decisions', 'bindings'] as const) {
            const fix = k === 'exports' ? noTelId : (x: any) => x;
            expect(firstDiff(srt([...ea[k], ...eb[k]].map(fix)), srt(M[k].map(fix))), k).toBeNull();
          }
          expect(M.summary.telemetry).toEqual({ export: A.summary.telemetry.export + B.summary.telemetry.export, aggregate: A.summary.telemetry.aggregate + B.summary.telemetry.aggregate, drop: A.summary.telemetry.drop + B.summary.telemetry.drop });
          expect([M.summary.packets, M.summary.dialogs, M.summary.streams]).toEqual([A.summary.packets + B.summary.packets, A.summary.dialogs + B.summary.dialogs, A.summary.streams + B.summary.streams]);
        }
    });
});

describe('8. SIP over TCP', () => {
  for (const [name, seg] of [['whole messages', (m: Uint8Array) => [m]], ['1-byte segments', chunks(1)], ['header and body apart', atBody]] as const)
    it(`${name} (small)`, async () => {
      const { cap, renumber } = sipOverTcp(await readPcap(SMALL_PCAP), seg);
      await expectSame(SMALL_PCAP, await writeCap(await ws.file(`tcp-${name.replace(/\W/g, '_')}.pcap`), cap), { frame: (f) => renumber.get(f), dropRequestId: true }, { counters: true });
    });
});

describe('9. packet-level equivalents', () => {
  function replaceRecords(cap: Cap, f: (r: Rec, i: number) => Rec[] | null, reverse = false): { cap: Cap; renumber: Map<number, number> } {
    const out: Rec[] = [];
    const renumber = new Map<number, number>();
    cap.records.forEach((r, i) => {
      const x = f(r, i);
      if (x === null) out.push(r);
      else out.push(...(reverse ? [...x].reverse() : x));
      renumber.set(i + 1, out.length);
    });
    return { cap: { ...cap, records: out }, renumber };
  }
  const frag = (r: Rec, i: number): Rec[] | null => {
    const d = decode(r, 1);
    if (!d || r.data.length - 14 <= 148) return null;
    return fragmentIpv4(ipPacket({ ...d, ipId: (i * 7 + 1) & 0xffff }), 128).map((p) => { const data = frame(p, 'eth'); return { tus: r.tus, data, origLen: data.length }; });
  };
  for (const reverse of [false, true])
    it(`IPv4 fragments of 128 bytes${reverse ? ', reversed' : ''} (small)`, async () => {
      const { cap, renumber } = replaceRecords(await readPcap(SMALL_PCAP), frag, reverse);
      await expectSame(SMALL_PCAP, await writeCap(await ws.file(`frag-${reverse}.pcap`), cap), { frame: (f) => renumber.get(f), dropRequestId: true }, { counters: true });
    });
  it('unrelated traffic between the records (small)', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    const { cap, renumber } = replaceRecords(await readPcap(SMALL_PCAP), (r, i) => {
      if (i % 4) return null;
      const mk = (d: Uint8Array) => ({ tus: r.tus, data: d, origLen: d.length });
      const dns = Uint8Array.from([rnd() | 0x80, rnd(), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1]);
      const junk = Uint8Array.from({ length: 40 }, (_, k) => (k === 0 ? 0x80 : rnd()));
      // the original record last, so it keeps the frame the map names
      return [mk(wrapEthernet(0x0806, Uint8Array.from({ length: 28 }, (_, k) => k))), mk(buildEthernetIpv4Udp({ src: '192.0.2.9', dst: '8.8.8.8', sport: 40000 + i, dport: 53, payload: dns })), mk(buildEthernetIpv4Udp({ src: '198.51.100.7', dst: '203.0.113.8', sport: 20000 + 2 * i, dport: 30000 + 2 * i, payload: junk })), r];
    });
    await expectSame(SMALL_PCAP, await writeCap(await ws.file('noise.pcap'), cap), { frame: (f) => renumber.get(f), dropRequestId: true }, { counters: true });
  });
  const payloads = (f: (d: Dgram) => Uint8Array | null) => (cap: Cap) => mapCapture(cap, (d, r) => { const p = d && d.proto === 'udp' && !isSipPayload(d.payload) ? f(d) : null; return p ? [rec({ ...d!, payload: p }, 'eth', r.tus)] : [r]; });
  const padRtcp = (p: Uint8Array) => { let off = 0, last = 0; while (off + 4 <= p.length) { last = off; off += (((p[off + 2]! << 8) | p[off + 3]!) + 1) * 4; } const b = Buffer.concat([Buffer.from(p), Buffer.from([0, 0, 0, 4])]); b[last] = b[last]! | 0x20; b.writeUInt16BE(b.readUInt16BE(last + 2) + 1, last + 2); return b; };
  const rtpPadExt = (id: number) => (p: Uint8Array) => { const b = Buffer.from(p); let out = b; if (!(b[0]! & 0x10)) { const h = 12 + 4 * (b[0]! & 15); out = Buffer.concat([b.subarray(0, h), Buffer.from([0xbe, 0xde, 0, 1, id << 4, 0x2a, 0, 0]), b.subarray(h)]); out[0] = out[0]! | 0x10; } if (!(out[0]! & 0x20)) { out = Buffer.concat([out, Buffer.from([0, 0, 0, 4])]); out[0] = out[0]! | 0x20; } return out; };
  /** the smallest one-byte extension id no a=extmap of the capture declares */
  const freeId = (cap: Cap) => { const used = new Set<number>(); for (const r of cap.records) { const d = decode(r, 1); if (d && isSipPayload(d.payload)) for (const m of Buffer.from(d.payload).toString('latin1').matchAll(/a=extmap:(\d+)/g)) used.add(Number(m[1])); } return [...Array(14).keys()].map((k) => k + 1).find((k) => !used.has(k))!; };
  for (const [name, t] of [['RTCP padded', (_c: Cap) => payloads((d) => (isRtcpPayload(d.payload) ? padRtcp(d.payload) : null))], ['RTP padded, an extension id no a=extmap declares', (c: Cap) => { const pad = rtpPadExt(freeId(c)); return payloads((d) => (isRtpPayload(d.payload) && !isRtcpPayload(d.payload) ? pad(d.payload) : null)); }]] as const)
    for (const [sn] of srcs())
      it(`${name} (${sn})`, async () => {
        const s = sn === 'small' ? SMALL_PCAP : GEN;
        const cap = await readPcap(s);
        await expectSame(s, await writeCap(await ws.file(`pl-${name.replace(/\W/g, '_')}-${sn}.pcap`), t(cap)(cap)), {});
      });
});

describe('10. text-level equivalents', () => {
  it('mids renamed (a → audio-0, v → 1) everywhere (gen1)', async () => {
    const f = (m: string) => ({ a: 'audio-0', v: '1' })[m] ?? m;
    const cap = await readPcap(GEN);
    const ids = new Set<number>();
    for (const r of cap.records) { const d = decode(r, 1); if (d && isSipPayload(d.payload)) renameSdpMid(Buffer.from(d.payload).toString('latin1'), f, ids); }
    const out = mapCapture(cap, (d, r) => {
      if (!d || d.proto !== 'udp') return [r];
      if (isSipPayload(d.payload)) return [rec({ ...d, payload: Buffer.from(renameSdpMid(Buffer.from(d.payload).toString('latin1'), f, new Set()), 'latin1') }, 'eth', r.tus)];
      if (isRtcpPayload(d.payload)) return [rec({ ...d, payload: renameSdesMid(d.payload, f) }, 'eth', r.tus)];
      if (isRtpPayload(d.payload)) return [rec({ ...d, payload: renameRtpMid(d.payload, ids, f) }, 'eth', r.tus)];
      return [r];
    });
    await expectSame(GEN, await writeCap(await ws.file('mids.pcap'), out), { mid: f, text: (s) => s.replace(/m-section (\S+) names/g, (_, m) => `m-section ${f(m)} names`), dropRequestId: true });
  });
  const COMPACT: Record<string, string> = { 'call-id': 'i', from: 'f', to: 't', via: 'v', contact: 'm', 'content-length': 'l', 'content-type': 'c', supported: 'k' };
  const headers = (f: (l: string) => string) => (t: string) => { const i = t.indexOf('\r\n\r\n'); const h = (i < 0 ? t : t.slice(0, i)).split('\r\n'); const out = [h[0], ...h.slice(1).map(f)].join('\r\n'); return fixContentLength(i < 0 ? out : `${out}\r\n\r\n${t.slice(i + 4)}`); };
  const rewrites: [string, (t: string) => string][] = [
    ['compact header names', headers((l) => l.replace(/^([\w-]+)\s*:/, (m, n: string) => (COMPACT[n.toLowerCase()] ? `${COMPACT[n.toLowerCase()]}:` : m)))],
    ['upper-case header names, spaces around colons and semicolons', headers((l) => l.replace(/^([\w-]+)\s*:\s*/, (_, n: string) => `${n.toUpperCase()}  :   `).replace(/;/g, ' ; '))],
    ['Via and AI-Pref folded', headers((l) => (/^(Via|v)\s*:/i.test(l) ? l.replace(/;/, '\r\n\t;') : /^AI-Pref\s*:/i.test(l) ? l.replace(/;/, '\r\n   ;') : l))],
    ['SDP with LF line ends', (t) => { const i = t.indexOf('\r\n\r\n'); return i < 0 || !t.startsWith('v=0', i + 4) ? t : fixContentLength(`${t.slice(0, i)}\r\n\r\n${t.slice(i + 4).replace(/\r\n/g, '\n')}`); }],
    ['multipart: quoted odd boundary, preamble, parts reversed', (t) => {
      const m = /^Content-Type:\s*multipart\/mixed;\s*boundary=([^\r\n;]+)/im.exec(t);
      if (!m) return t;
      const i = t.indexOf('\r\n\r\n');
      const parts = t.slice(i + 4).split(`--${m[1]}`).slice(1, -1).map((p) => p.replace(/^\r\n/, '').replace(/\r\n$/, '')).reverse();
      const nb = "=_a'()+,-./:=?_b";
      const head = t.slice(0, i).replace(m[0], m[0].replace(m[1]!, `"${nb}"`));
      return fixContentLength(`${head}\r\n\r\npreamble\r\n${parts.map((p) => `--${nb}  \r\n${p}\r\n`).join('')}--${nb}--\r\nepilogue`);
    }],
  ];
  for (const [name, rw] of rewrites)
    for (const [sn] of srcs())
      it(`${name} (${sn})`, async () => {
        const s = sn === 'small' ? SMALL_PCAP : GEN;
        const out = mapCapture(await readPcap(s), (d, r) => (d && isSipPayload(d.payload) ? [rec({ ...d, payload: Buffer.from(rw(Buffer.from(d.payload).toString('latin1')), 'latin1') }, 'eth', r.tus)] : [r]));
        await expectSame(s, await writeCap(await ws.file(`txt-${name.replace(/\W/g, '_')}-${sn}.pcap`), out), { dropRequestId: true });
      });
});

describe('11. late copies after a BYE', () => {
  it('change nothing for the RTCP after them', async () => {
    const { records } = await readPcapRecords(SMALL_PCAP);
    const u = (f: number) => udp(records[f - 1]!)!;
    const seen: string[] = [];
    for (const copies of [[], [10], [1], [13], [235], [1, 10, 13], [231, 235, 238]]) {
      const file = await editSample(ws, `late-${copies.join('-')}.pcap`, { after: (f) => (f === 430 ? [...copies.map(u), u(386)] : []) });
      for (const [, policy] of policies) {
        const o = await run(file, policy, 0);
        const fr = 431 + copies.length;
        seen.push(JSON.stringify([o.decisions.filter((x) => x.frame === fr).map(({ frame: _f, ts: _t, ...d }) => d), o.reports.filter((x) => x.frame === fr).map((x) => x.type), o.summary.dialogs]));
      }
    }
    expect(new Set(seen.filter((_, i) => i % 2 === 0)).size).toBe(1);
    expect(new Set(seen.filter((_, i) => i % 2 === 1)).size).toBe(1);
    expect(JSON.parse(seen[0]!)[1]).toEqual(['unbound-stream']);
  });
});
