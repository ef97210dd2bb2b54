/**
 * Review of commit 39feb49 (metrics and IPv6 changes): checks that came out fine.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildUdpDatagram, parseIpv6 } from '../../../native-free/frame-builder.js';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import { emptyPolicy } from '../../../src/policy/policy-file.js';
import { endpointText } from '../../../src/sources/source-packet.js';
import { cli, replayLines, Workspace } from '../../e2e/e2e-helpers.js';
import { writeCapture } from '../../e2e/ipv6-review/lib.js';
import { MUTATION_KINDS, mutatedCapture, parsePcap, serializePcap } from '../../fuzz/mutate.js';
import { fragmentedCapture, sipOverTcpCapture } from '../../fuzz/seeds.js';
import { liveService, metric, senderReport, sendAll, sleep } from '../operations-review/ops-helpers.js';
import { tempWithRawPolicy } from '../review/review-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

// 1. The summary's `malformed` is the number of distinct frames that malformed-input reports name
//    (over the whole run), the same with --workers 0 and 2 and with batches of 1, 5 and 1024
//    records — on mutated captures, also with every big datagram IP-fragmented and with SIP moved
//    onto TCP and WebSocket (messages split across segments, so across batches of 1 record).
describe('malformed counts distinct frames whatever the batches', () => {
  it('fuzzed captures, workers 0/2, maxBatchRecords 1/5/1024', async () => {
    const base = parsePcap(new Uint8Array(await readFile(path.resolve('samples/call-small.pcap'))));
    const variants = [fragmentedCapture(base), sipOverTcpCapture(base, false), sipOverTcpCapture(base, true), base];
    for (let seed = 3; seed <= 6; seed++) {
      const { capture } = mutatedCapture(variants[seed % variants.length]!, MUTATION_KINDS, seed, 30, [base]);
      const file = await ws.file(`fz${seed}.pcap`);
      await writeFile(file, serializePcap(capture));
      const seen = new Set<string>();
      for (const [workers, maxBatchRecords] of [[0, 1024], [0, 1], [2, 5]] as const) {
        const r = await replayLines({ capture: file, workers, maxBatchRecords });
        // one per frame named, and one per datagram whose fragments never completed (counted apart since: malformed-lost-fragment-sets-merged)
        const malformed = r.reports.map((t) => JSON.parse(t) as { type: string; frame: number; detail: string }).filter((x) => x.type === 'malformed-input');
        const lost = (d: string) => Number(/ (\d+) more IP fragment sets never completed/.exec(d)?.[1] ?? (/ fragments of id \S+ never completed/.test(d) ? 1 : 0));
        const frames = new Set(malformed.filter((x) => lost(x.detail) === 0).map((x) => x.frame));
        expect(r.result.summary.malformed).toBe(frames.size + malformed.reduce((n, x) => n + lost(x.detail), 0));
        seen.add(JSON.stringify(r.result.summary));
      }
      expect(seen.size).toBe(1);
    }
  }, 120_000);
});

// 2. The progress share: the bytes handed to onProgress never go back, never pass the file's size,
//    and reach the end of the last record (pcap: size − its 16-byte record header) — pcap and
//    pcapng, batches of 3 records.
describe('progress share from file offsets', () => {
  it('pcap and pcapng', async () => {
    const ips = Array.from({ length: 40 }, (_, i) => buildIpv6Sip(i));
    for (const format of ['pcap', 'pcapng'] as const) {
      const file = await writeCapture(ws, ips, 'eth', format);
      const size = (await stat(file)).size;
      const seen: number[] = [];
      await replayCapture({ capture: file, policy: emptyPolicy(), workers: 0, windowSec: 10, explain: false, maxBatchRecords: 3, onProgress: (_p, b) => void seen.push(b), sink: { exports: () => {}, reports: () => {}, decisions: () => {} } });
      expect(seen.length).toBeGreaterThan(5);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
      expect(seen.at(-1)!).toBeLessThanOrEqual(size);
      if (format === 'pcap') expect(seen.at(-1)).toBe(size - 16);
      else expect(seen.at(-1)!).toBeGreaterThan(size - 64);
    }
  });
});

// 3. IPv6 extension headers against tshark: SIP behind hop-by-hop, routing (type 0 and an SRH),
//    destination options, AH, an atomic fragment, Shim6 and a chain of three is read as tshark
//    reads it (udp:sip, port 5060); behind mobility 135, HIP 139 and experimental 253/254 it is
//    walked (RFC 6564 format; tshark stops there, as the README says these are walked); ESP (50)
//    and no-next-header (59) are neither SIP nor malformed; an unassigned 150 and reserved 255 are
//    malformed, one report, tshark shows `data`.
const S = '2001:db8::1';
const D = '2001:db8::2';
function buildIpv6Sip(i: number, chain: { type: number; len?: number; body?: number[] }[] = [], upper = 17): Uint8Array {
  const sip = new TextEncoder().encode(`OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP [${S}]:5060;branch=z9hG4bK${i}\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c${i}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`);
  const udp = upper === 17 ? buildUdpDatagram(parseIpv6(S), parseIpv6(D), 5060, 5060, sip) : new Uint8Array(16);
  const exts = chain.map((h, k) => {
    const b = new Uint8Array(h.len ?? 8);
    b[0] = k + 1 < chain.length ? chain[k + 1]!.type : upper;
    b[1] = h.type === 51 ? b.length / 4 - 2 : h.type === 44 ? 0 : b.length / 8 - 1;
    if (h.body) b.set(h.body, 2);
    return b;
  });
  const extLen = exts.reduce((n, e) => n + e.length, 0);
  const out = new Uint8Array(40 + extLen + udp.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x60000000);
  dv.setUint16(4, extLen + udp.length);
  out[6] = chain.length > 0 ? chain[0]!.type : upper;
  out[7] = 64;
  out.set(parseIpv6(S), 8);
  out.set(parseIpv6(D), 24);
  let o = 40;
  for (const e of exts) {
    out.set(e, o);
    o += e.length;
  }
  out.set(udp, o);
  return out;
}
describe('IPv6 extension headers, compared with tshark', () => {
  const cases: { name: string; ip: Uint8Array; tshark: RegExp; sip: number; malformed: number }[] = [
    { name: 'hop-by-hop', ip: buildIpv6Sip(1, [{ type: 0 }]), tshark: /ipv6\.hopopts:udp:sip/, sip: 1, malformed: 0 },
    { name: 'routing 0', ip: buildIpv6Sip(1, [{ type: 43 }]), tshark: /ipv6\.routing:udp:sip/, sip: 1, malformed: 0 },
    { name: 'SRH', ip: buildIpv6Sip(1, [{ type: 43, len: 24, body: [4, 0, 0, 0, 0, 0] }]), tshark: /ipv6\.routing:udp:sip/, sip: 1, malformed: 0 },
    { name: 'dstopts', ip: buildIpv6Sip(1, [{ type: 60 }]), tshark: /ipv6\.dstopts:udp:sip/, sip: 1, malformed: 0 },
    { name: 'AH', ip: buildIpv6Sip(1, [{ type: 51, len: 16 }]), tshark: /ah:udp:sip/, sip: 1, malformed: 0 },
    { name: 'atomic fragment', ip: buildIpv6Sip(1, [{ type: 44 }]), tshark: /fraghdr:udp:sip/, sip: 1, malformed: 0 },
    { name: 'Shim6', ip: buildIpv6Sip(1, [{ type: 140, body: [0x80, 0, 0, 0, 0, 1] }]), tshark: /shim6:udp:sip/, sip: 1, malformed: 0 },
    { name: 'chain', ip: buildIpv6Sip(1, [{ type: 0 }, { type: 60 }, { type: 43 }]), tshark: /hopopts:ipv6\.dstopts:ipv6\.routing:udp:sip/, sip: 1, malformed: 0 },
    { name: 'mobility', ip: buildIpv6Sip(1, [{ type: 135 }]), tshark: /mipv6/, sip: 1, malformed: 0 },
    { name: 'HIP', ip: buildIpv6Sip(1, [{ type: 139, len: 40 }]), tshark: /hip/, sip: 1, malformed: 0 },
    { name: '253', ip: buildIpv6Sip(1, [{ type: 253 }]), tshark: /ipv6:data/, sip: 1, malformed: 0 },
    { name: '254', ip: buildIpv6Sip(1, [{ type: 254 }]), tshark: /ipv6:data/, sip: 1, malformed: 0 },
    { name: 'ESP', ip: buildIpv6Sip(1, [], 50), tshark: /ipv6:esp/, sip: 0, malformed: 0 },
    { name: 'AH then ESP', ip: buildIpv6Sip(1, [{ type: 51, len: 16 }], 50), tshark: /ah:esp/, sip: 0, malformed: 0 },
    { name: 'no next header', ip: buildIpv6Sip(1, [], 59), tshark: /ipv6:data/, sip: 0, malformed: 0 },
    { name: 'unassigned 150', ip: buildIpv6Sip(1, [], 150), tshark: /ipv6:data/, sip: 0, malformed: 1 },
    { name: 'reserved 255', ip: buildIpv6Sip(1, [], 255), tshark: /ipv6:data/, sip: 0, malformed: 1 },
    { name: 'dstopts then unassigned 200', ip: buildIpv6Sip(1, [{ type: 60 }], 200), tshark: /dstopts:data/, sip: 0, malformed: 1 },
  ];
  it.each(cases)('$name', async ({ ip, tshark, sip, malformed }) => {
    const file = await writeCapture(ws, [ip], 'raw');
    const protocols = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.protocols'], { encoding: 'utf8' }).trim();
    expect(protocols).toMatch(tshark);
    for (const workers of [0, 2]) {
      const r = await replayLines({ capture: file, workers });
      expect(r.result.summary).toMatchObject({ packets: 1, sip, malformed });
      expect(r.reports.filter((t) => t.includes('malformed-input')).length).toBe(malformed);
    }
  });
});

// 4. IPv6 endpoints are written [address]:port: endpointText, inspect's text lines, and the live
//    UDP source's malformed-datagram log and report detail of a peer on ::1; IPv4 stays a:p.
describe('[address]:port', () => {
  it('endpointText and inspect text', async () => {
    expect(endpointText('2001:db8::a', 5060)).toBe('[2001:db8::a]:5060');
    expect(endpointText('::ffff:192.0.2.1', 1)).toBe('[::ffff:192.0.2.1]:1');
    expect(endpointText('10.0.0.1', 5060)).toBe('10.0.0.1:5060');
    const file = await writeCapture(ws, [buildIpv6Sip(7)], 'raw');
    const text = (await cli('inspect', file)).stdout;
    expect(text).toContain('[2001:db8::1]:5060 → [2001:db8::2]:5060');
  });
  it('live UDP on ::1: the malformed datagram peer', async () => {
    const { service, logs } = await liveService({ udp: { host: '::1', port: 0 } });
    try {
      const s = createSocket('udp6');
      await new Promise<void>((resolve, reject) => s.send(Buffer.from('hello, not media'), service.addresses.udp!.port, '::1', (e) => (e ? reject(e) : resolve())));
      s.close();
      for (const end = Date.now() + 15_000; !logs.some((l) => l.event === 'malformed-datagram') && Date.now() < end; ) await sleep(50);
    } finally {
      await service.stop();
    }
    const l = logs.find((x) => x.event === 'malformed-datagram')!;
    expect(String(l.peer)).toMatch(/^\[::1\]:\d+$/);
  });
});

// 5. Live: a full queue's drops are counted in drops_total{queue-overflow} and not as packets;
//    aipref_packets_total{rtcp,malformed} and aipref_packets_read_total end equal to the stop
//    summary (queued = packets + overflowed); the source families: received,
//    kinds (datagram), notes (not-rtp-rtcp-sip), malformed — all `counter`s named *_total with HELP.
describe('live counters', () => {
  it('queue overflow, summary agreement, source families', async () => {
    const { policy } = await tempWithRawPolicy('ccr-pass-');
    const { service, logs } = await liveService({ policyFile: policy, queueCapacity: 4, batchMs: 300, maxBatchRecords: 2 });
    let text = '';
    try {
      await sendAll(service.addresses.udp!.port, [...Array.from({ length: 30 }, (_, i) => senderReport(0x1000 + i)), new TextEncoder().encode('junk junk junk')]);
      // all 31 datagrams read off the socket before the stop (polled up to 15 s: a fixed pause can
      // be too short under a loaded CI, and a datagram not read by the stop is never counted)
      for (const end = Date.now() + 15_000; metric(await service.metrics.text(), 'aipref_source_records_total{source="udp",kind="received"}') < 31 && Date.now() < end; ) await sleep(20);
      await sleep(300);
    } finally {
      await service.stop();
      text = await service.metrics.text();
    }
    const stop = logs.find((l) => l.event === 'stop') as unknown as { summary: { packets: number; rtp: number; rtcp: number; sip: number; malformed: number }; overflowed: number; received: number };
    expect(stop.overflowed).toBeGreaterThan(0);
    expect(metric(text, 'aipref_drops_total{reason="queue-overflow"}')).toBe(stop.overflowed);
    const p = (proto: string) => metric(text, `aipref_packets_total{proto="${proto}"}`);
    expect(p('rtcp')).toBe(stop.summary.rtcp);
    expect(p('malformed')).toBe(stop.summary.malformed);
    expect(metric(text, 'aipref_packets_read_total')).toBe(stop.summary.packets);
    // (the service's `received` counts the records handed to the queue: the junk datagram is not)
    expect(stop.received).toBe(30);
    expect(stop.summary.packets + stop.overflowed).toBe(30);
    expect(metric(text, 'aipref_source_records_total{source="udp",kind="received"}')).toBe(31);
    expect(metric(text, 'aipref_source_record_kinds_total{source="udp",kind="datagram"}')).toBe(31);
    expect(metric(text, 'aipref_source_record_notes_total{source="udp",note="not-rtp-rtcp-sip"}')).toBe(1);
    expect(metric(text, 'aipref_source_malformed_total{source="udp"}')).toBe(1);
    for (const name of ['source_records_total', 'source_record_kinds_total', 'source_record_notes_total', 'source_malformed_total', 'source_unknown_chunks_total', 'source_rtcp_json_dropped_items_total']) {
      expect(text).toMatch(new RegExp(`^# HELP aipref_${name} \\S`, 'm'));
      expect(text).toContain(`# TYPE aipref_${name} counter`);
    }
  }, 30_000);
});
