/**
 * A review of the SPEC §8 record contract on the real captures (/work/shared/captures) and on
 * samples/call-small.pcap: what came out fine, kept as regression tests. Everything runs the
 * built CLI (`replay --explain --json`, `inspect --json`, `bindings --json`) and, where it is
 * installed, checks against tshark.
 *
 * - every export/decision/report line has the §8 keys and types (SSRCs unsigned 32-bit integers,
 *   times with at most microsecond precision, frames 1-based integers), on all five real captures
 *   under a raw default and on the sample under samples/policy.json;
 * - summary invariants: decisions = export + aggregate + drop (and per outcome), telemetry export
 *   lines = telemetry.export, items folded into aggregates = telemetry.aggregate, report lines per
 *   type = summary.reports, requestId unique, bindings rows = streams;
 * - expiresAt = ts (aggregate: window start) + the shortest retention of the APTs the line names;
 *   null when no APT names a retention; retention "0" drops with retention-zero;
 * - --workers 0, 1, 2 give byte-identical files and summaries on every real capture;
 * - every decision's and report's frame/ts is tshark's frame.number/frame.time_epoch of the
 *   same packet; the frames decisions name are exactly tshark's RTCP frames;
 * - summary rtp/rtcp/sip agree with tshark (RTP/RTCP heuristics, SIP messages);
 * - inspect RTP headers of the real captures, SR sender info and report blocks of the real
 *   captures and of the sample, and every XR VoIP-metrics block of the sample agree with tshark;
 * - a TCP INVITE split over two segments is inspected and decided at tshark's frames; a pcapng
 *   with a Decryption Secrets Block and packet comments decides as the plain pcap does;
 * - the same with the segments out of order (tshark with tcp.reassemble_out_of_order), frame 17's
 *   RTCP cut into two IPv4 fragments (in order and reversed), and three real captures merged by
 *   mergecap: decisions at tshark's RTCP frames, invariants hold; XR DLRR lrr/dlrr as tshark.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, readPcapRecords, sharedCapture, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords } from '../e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let haveTshark = true;
try {
  execFileSync('tshark', ['-v'], { stdio: 'ignore' });
} catch {
  haveTshark = false;
}

type Json = Record<string, any>;
const lines = (s: string): Json[] => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
const micro = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && Math.abs(Math.round(x * 1e6) - x * 1e6) < 1e-3;
const u32 = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
const us = (x: number | string): number => Math.round(Number(x) * 1e6);

const REAL = ['heplify_sip_ipv4_tcp.pcap', 'heplify_sip_ipv6_udp.pcap', 'heplify_ipip0.pcap', 'rtpproxy_rtcp.a.pcap', 'rtpproxy_rtcp.o.pcap'];
const RAW_DEFAULT = { apts: { op: { type: 'domain', export: 'raw', retention: '1h' } }, default: 'op' };

function tshark(file: string, args: string[], fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, ...args, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  return out.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

interface Run {
  summary: Json;
  exports: Json[];
  reports: Json[];
  decisions: Json[];
  raw: { summary: string; exports: string; reports: string; decisions: string };
}

let n = 0;
async function replay(capture: string, policyJson: unknown, workers = 0, extra: string[] = []): Promise<Run> {
  const policy = await ws.file(`policy-${n}.json`);
  await writeFile(policy, JSON.stringify(policyJson));
  const out = await ws.file(`out-${n++}`);
  const r = await cli('replay', capture, '--policy', policy, '--out', out, '--explain', '--json', '--workers', String(workers), ...extra);
  expect(r.code, r.stderr).toBe(0);
  const read = (f: string) => readFile(path.join(out, f), 'utf8');
  const raw = { summary: r.stdout, exports: await read('exports.ndjson'), reports: await read('reports.ndjson'), decisions: await read('decisions.ndjson') };
  return { summary: JSON.parse(r.stdout) as Json, exports: lines(raw.exports), reports: lines(raw.reports), decisions: lines(raw.decisions), raw };
}

const seconds = (d: string): number => {
  const m = /^(\d+)([smhd]?)$/.exec(d)!;
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
};

/** The §8 shapes and the summary invariants; `retention` gives each APT id's retention in seconds. */
function checkContract(run: Run, retention: (id: string) => number | undefined): void {
  const { summary, exports, reports, decisions } = run;
  for (const k of ['packets', 'rtp', 'rtcp', 'sip', 'malformed', 'streams', 'dialogs']) expect(Number.isInteger(summary[k]), k).toBe(true);
  expect(Object.keys(summary.telemetry).sort()).toEqual(['aggregate', 'drop', 'export']);

  // decisions: one line per item, drops included
  expect(decisions.length).toBe(summary.telemetry.export + summary.telemetry.aggregate + summary.telemetry.drop);
  for (const k of ['export', 'aggregate', 'drop']) expect(decisions.filter((d) => d.decision === k).length, k).toBe(summary.telemetry[k]);
  for (const d of decisions) {
    for (const k of ['frame', 'ts', 'ssrc', 'pt', 'feature', 'decision', 'reason', 'apt']) expect(d, k).toHaveProperty(k);
    expect(Number.isInteger(d.frame) && d.frame >= 1).toBe(true);
    expect(micro(d.ts)).toBe(true);
    expect(u32(d.ssrc)).toBe(true);
    expect(Array.isArray(d.apt)).toBe(true);
    if (d.pt === 205 || d.pt === 206) expect(Number.isInteger(d.fmt)).toBe(true);
    if (d.pt === 207) expect(Number.isInteger(d.block)).toBe(true);
  }

  // exports
  const telemetry = exports.filter((x) => x.type === 'telemetry');
  const aggregates = exports.filter((x) => x.type === 'aggregate');
  expect(telemetry.length + aggregates.length).toBe(exports.length);
  expect(telemetry.length).toBe(summary.telemetry.export);
  expect(aggregates.reduce((a, x) => a + x.stats.items, 0)).toBe(summary.telemetry.aggregate);
  expect(new Set(exports.map((x) => x.requestId)).size).toBe(exports.length);
  for (const x of exports) {
    for (const k of ['type', 'requestId', 'ts', 'expiresAt', 'dialog', 'stream', 'apt', 'decision']) expect(x, k).toHaveProperty(k);
    expect(typeof x.requestId).toBe('string');
    expect(micro(x.ts)).toBe(true);
    if (x.dialog !== null) for (const k of ['callId', 'fromTag', 'toTag']) expect(typeof x.dialog[k], k).toBe('string');
    expect(Object.keys(x.stream).sort()).toEqual(['kind', 'mid', 'ssrc']);
    expect(u32(x.stream.ssrc)).toBe(true);
    if (x.type === 'telemetry') {
      expect(x.decision).toBe('export');
      expect(x).toHaveProperty('item');
      expect(x).not.toHaveProperty('window');
    } else {
      expect(x.decision).toBe('aggregate');
      expect(x).not.toHaveProperty('item');
      expect(micro(x.window.start) && micro(x.window.end)).toBe(true);
      expect(x.window.start).toBeLessThanOrEqual(x.window.end);
      expect(JSON.stringify(x.stats)).not.toMatch(/"ssrc"|"text"/);
    }
    const rets = (x.apt as string[]).map(retention).filter((r): r is number => r !== undefined);
    const base = x.type === 'aggregate' ? x.window.start : x.ts;
    expect(x.expiresAt).toBe(rets.length === 0 ? null : Math.round((base + Math.min(...rets)) * 1e6) / 1e6);
  }

  // reports
  const byType: Record<string, number> = {};
  for (const r of reports) byType[r.type] = (byType[r.type] ?? 0) + 1;
  expect(byType).toEqual(summary.reports);
  expect(summary.malformed).toBe(byType['malformed-input'] ?? 0);
  for (const r of reports) {
    for (const k of ['type', 'ts', 'frame', 'dialog']) expect(r, k).toHaveProperty(k);
    expect(Number.isInteger(r.frame) && r.frame >= 1).toBe(true);
    expect(micro(r.ts)).toBe(true);
    if ('ssrc' in r) expect(u32(r.ssrc)).toBe(true);
    if ('apt' in r) expect(Array.isArray(r.apt)).toBe(true);
    if ('fallback' in r) expect(Array.isArray(r.fallback)).toBe(true);
    if ('mid' in r) expect(typeof r.mid).toBe('string');
  }
}

describe('the record contract on the real captures (raw default, 1 h)', () => {
  const EXPECTED: Record<string, [rtp: number, rtcp: number, sip: number, items: number]> = {
    'heplify_sip_ipv4_tcp.pcap': [66, 2, 7, 4],
    'heplify_sip_ipv6_udp.pcap': [0, 0, 6, 0],
    'heplify_ipip0.pcap': [0, 0, 8, 0],
    'rtpproxy_rtcp.a.pcap': [236, 0, 0, 0],
    'rtpproxy_rtcp.o.pcap': [229, 1, 0, 2],
  };
  for (const file of REAL) {
    it(`${file}: shapes, invariants, workers 0/1/2 identical, bindings rows = streams`, async () => {
      const runs = [await replay(sharedCapture(file), RAW_DEFAULT, 0), await replay(sharedCapture(file), RAW_DEFAULT, 1), await replay(sharedCapture(file), RAW_DEFAULT, 2)];
      for (const r of runs.slice(1)) expect(r.raw).toEqual(runs[0]!.raw);
      const run = runs[0]!;
      checkContract(run, (id) => (id === 'op' ? 3600 : undefined));
      const [rtp, rtcp, sip, items] = EXPECTED[file]!;
      expect([run.summary.rtp, run.summary.rtcp, run.summary.sip, run.decisions.length]).toEqual([rtp, rtcp, sip, items]);
      expect(run.exports.length).toBe(items);

      const policy = await ws.file(`bind-${file}.json`);
      await writeFile(policy, JSON.stringify(RAW_DEFAULT));
      const b = await cli('bindings', sharedCapture(file), '--policy', policy, '--json');
      expect(b.code).toBe(0);
      const rows = JSON.parse(b.stdout) as Json[];
      expect(rows.length).toBe(run.summary.streams);
      for (const row of rows) {
        expect(u32(row.ssrc)).toBe(true);
        expect(row.apt).toEqual(['op']);
        if (row.dialog !== null) expect(['a=ssrc', 'sdes-mid', 'rtp-mid', 'transport', 'sdes-priv', 'dialog', 'repository']).toContain(row.via);
      }
    });
  }

  it('no retention named: expiresAt null; retention "0": every item dropped with retention-zero', async () => {
    const none = await replay(sharedCapture('rtpproxy_rtcp.o.pcap'), { apts: { op: { type: 'domain', export: 'raw' } }, default: 'op' });
    expect(none.exports.map((x) => x.expiresAt)).toEqual([null, null]);
    checkContract(none, () => undefined);
    const zero = await replay(sharedCapture('rtpproxy_rtcp.o.pcap'), { apts: { z: { type: 'domain', export: 'raw', retention: '0' } }, default: 'z' });
    expect(zero.exports).toEqual([]);
    expect(zero.decisions.map((d) => [d.frame, d.pt, d.decision, d.reason])).toEqual([
      [158, 200, 'drop', 'retention-zero'],
      [158, 202, 'drop', 'retention-zero'],
    ]);
  });

  it('heplify aggregated under a default without retention: one window per sender, closed at the SIP BYE (frame 81), expiresAt null', async () => {
    const run = await replay(sharedCapture('heplify_sip_ipv4_tcp.pcap'), { apts: { ag: { type: 'domain', export: 'aggregated-only' } }, default: 'ag' });
    checkContract(run, () => undefined);
    expect(run.exports.map((x) => [x.stream.ssrc, x.window.start, x.window.end, x.ts, x.expiresAt, x.stats.items])).toEqual([
      [1123300308, 1311857690.954947, 1311857693.057152, 1311857693.057152, null, 2],
      [1513316787, 1311857690.972317, 1311857693.057152, 1311857693.057152, null, 2],
    ]);
  });
});

describe('the record contract on samples/call-small.pcap with samples/policy.json', () => {
  it('shapes, invariants and expiresAt; workers 0/1/2 identical; frames and RTCP compounds as the truth file says', async () => {
    const policy = JSON.parse(await readFile(SMALL_POLICY, 'utf8')) as { apts: Record<string, { retention?: string }> };
    const runs = [await replay(SMALL_PCAP, policy, 0), await replay(SMALL_PCAP, policy, 1), await replay(SMALL_PCAP, policy, 2)];
    for (const r of runs.slice(1)) expect(r.raw).toEqual(runs[0]!.raw);
    const run = runs[0]!;
    // the sample's inline a=aipref retentions are no longer than the policy's for the same ids
    checkContract(run, (id) => (policy.apts[id]?.retention === undefined ? undefined : seconds(policy.apts[id]!.retention!)));
    const truth = JSON.parse(await readFile(SMALL_PCAP.replace(/\.pcap$/, '.truth.json'), 'utf8')) as Json;
    expect([run.summary.packets, run.summary.rtp, run.summary.rtcp, run.summary.sip]).toEqual([truth.packets.total, truth.packets.rtp, truth.packets.rtcp, truth.packets.sip]);
    const byFrame = new Map<number, Json[]>();
    for (const d of run.decisions) byFrame.set(d.frame, [...(byFrame.get(d.frame) ?? []), d]);
    expect([...byFrame.keys()]).toEqual(truth.rtcp.map((r: Json) => r.frame));
    for (const r of truth.rtcp as Json[]) {
      const ds = byFrame.get(r.frame)!;
      expect([...new Set(ds.map((d) => d.pt))], `frame ${r.frame}`).toEqual(r.pts);
      expect(ds[0]!.ts).toBe(r.ts);
      expect(ds[0]!.ssrc).toBe(r.ssrc);
    }
  });

  it('--window 1s and 2s: the same invariants, workers 0 and 2 identical', async () => {
    const policy = JSON.parse(await readFile(SMALL_POLICY, 'utf8')) as { apts: Record<string, { retention?: string }> };
    for (const window of ['1s', '2s']) {
      const a = await replay(SMALL_PCAP, policy, 0, ['--window', window]);
      const b = await replay(SMALL_PCAP, policy, 2, ['--window', window]);
      expect(b.raw).toEqual(a.raw);
      checkContract(a, (id) => (policy.apts[id]?.retention === undefined ? undefined : seconds(policy.apts[id]!.retention!)));
      for (const x of a.exports) expect(x.window.end - x.window.start).toBeLessThanOrEqual(seconds(window) + 1e-6);
    }
  });
});

describe.skipIf(!haveTshark)('against tshark', () => {
  it('every decision and report names the frame number and capture time tshark gives the packet', async () => {
    const cases: [string, unknown][] = [
      [SMALL_PCAP, JSON.parse(await readFile(SMALL_POLICY, 'utf8'))],
      ...REAL.map((f): [string, unknown] => [sharedCapture(f), RAW_DEFAULT]),
    ];
    for (const [file, policy] of cases) {
      const times = new Map(tshark(file, [], ['frame.number', 'frame.time_epoch']).map(([f, t]) => [Number(f), us(t!)]));
      const run = await replay(file, policy);
      for (const x of [...run.decisions, ...run.reports]) expect(us(x.ts), `${file} frame ${x.frame}`).toBe(times.get(x.frame));
      const rtcpFrames = tshark(file, ['-o', 'rtcp.heuristic_rtcp:TRUE', '-d', 'udp.port==2007,rtcp', '-Y', 'rtcp'], ['frame.number']).map(([f]) => Number(f));
      expect([...new Set(run.decisions.map((d) => d.frame))], file).toEqual(rtcpFrames);
    }
  });

  it('summary rtp/rtcp/sip and inspect RTP headers of the real captures agree with tshark', async () => {
    for (const file of ['heplify_sip_ipv4_tcp.pcap', 'rtpproxy_rtcp.a.pcap', 'rtpproxy_rtcp.o.pcap']) {
      const f = sharedCapture(file);
      const rtp = tshark(f, ['-o', 'rtp.heuristic_rtp:TRUE', '-Y', 'rtp'], ['frame.number', 'frame.time_epoch', 'rtp.ssrc', 'rtp.p_type', 'rtp.seq', 'rtp.timestamp', 'rtp.marker']);
      const ins = await cli('inspect', f, '--json');
      const mine = lines(ins.stdout).filter((l) => l.proto === 'rtp');
      expect(mine.map((l) => [l.frame, us(l.ts), l.ssrc, l.pt, l.seq, l.timestamp, l.marker])).toEqual(
        rtp.map(([fr, t, s, pt, seq, ts, m]) => [Number(fr), us(t!), Number.parseInt(s!, 16), Number(pt), Number(seq), Number(ts), m === 'True' || m === '1']),
      );
      const sip = tshark(f, ['-Y', 'sip'], ['frame.number']).length;
      const rtcp = tshark(f, ['-o', 'rtcp.heuristic_rtcp:TRUE', '-d', 'udp.port==2007,rtcp', '-Y', 'rtcp'], ['frame.number']).length;
      const run = await replay(f, RAW_DEFAULT);
      expect([run.summary.rtp, run.summary.rtcp, run.summary.sip], file).toEqual([rtp.length, rtcp, sip]);
      expect(run.summary.packets).toBe(lines(ins.stdout).length);
    }
  });

  it('SR sender info and report blocks (real captures and the sample), XR VoIP metrics (the sample), as tshark decodes them', async () => {
    for (const f of [sharedCapture('heplify_sip_ipv4_tcp.pcap'), sharedCapture('rtpproxy_rtcp.o.pcap'), SMALL_PCAP]) {
      const rows = tshark(f, ['-o', 'rtcp.heuristic_rtcp:TRUE', '-d', 'udp.port==2007,rtcp', '-Y', 'rtcp'], [
        'frame.number', 'rtcp.timestamp.ntp.msw', 'rtcp.timestamp.ntp.lsw', 'rtcp.timestamp.rtp', 'rtcp.sender.packetcount', 'rtcp.sender.octetcount',
        'rtcp.ssrc.cum_nr', 'rtcp.ssrc.high_seq', 'rtcp.ssrc.jitter', 'rtcp.ssrc.lsr', 'rtcp.ssrc.dlsr',
      ]);
      const ints = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(',').map(Number));
      const ins = lines((await cli('inspect', f, '--json')).stdout).filter((l) => l.proto === 'rtcp');
      expect(ins.map((l) => l.frame)).toEqual(rows.map((r) => Number(r[0])));
      for (const [i, l] of ins.entries()) {
        const r = rows[i]!;
        const srs = (l.packets as Json[]).filter((p) => p.pt === 200);
        const blocks = (l.packets as Json[]).filter((p) => p.pt === 200 || p.pt === 201).flatMap((p) => p.reports as Json[]);
        expect(srs.flatMap((p) => [p.ntpSec, p.ntpFrac, p.rtpTs, p.packetCount, p.octetCount]), `frame ${l.frame}`).toEqual(ints(r[1]).flatMap((_, j) => [1, 2, 3, 4, 5].map((k) => ints(r[k])[j])));
        expect(blocks.map((b) => [b.cumulativeLost, b.highestSeq, b.jitter, b.lsr, b.dlsr]), `frame ${l.frame}`).toEqual(ints(r[6]).map((_, j) => [6, 7, 8, 9, 10].map((k) => ints(r[k])[j])));
      }
    }
    const voip = tshark(SMALL_PCAP, ['-o', 'rtcp.heuristic_rtcp:TRUE', '-Y', 'rtcp.xr.bt==7'], [
      'frame.number', 'rtcp.xr.voipmetrics.burstdensity', 'rtcp.xr.voipmetrics.gapdensity', 'rtcp.xr.voipmetrics.burstduration', 'rtcp.xr.voipmetrics.gapduration',
      'rtcp.xr.voipmetrics.rtdelay', 'rtcp.xr.voipmetrics.esdelay', 'rtcp.xr.voipmetrics.signallevel', 'rtcp.xr.voipmetrics.noiselevel', 'rtcp.xr.voipmetrics.gmin',
      'rtcp.xr.voipmetrics.rfactor', 'rtcp.xr.voipmetrics.moslq', 'rtcp.xr.voipmetrics.moscq', 'rtcp.xr.voipmetrics.jbnominal', 'rtcp.xr.voipmetrics.jbmax', 'rtcp.xr.voipmetrics.jbabsmax',
    ]);
    const ins = lines((await cli('inspect', SMALL_PCAP, '--json')).stdout).filter((l) => l.proto === 'rtcp');
    const mine = ins.flatMap((l) => (l.packets as Json[]).filter((p) => p.pt === 207).flatMap((p) => (p.blocks as Json[]).filter((b) => b.bt === 7).map((b): Json => ({ frame: l.frame, ...b }))));
    expect(mine.length).toBe(30);
    expect(mine.map((b) => [b.frame, b.burstDensity, b.gapDensity, b.burstDuration, b.gapDuration, b.roundTripDelay, b.endSystemDelay, b.signalLevel, b.noiseLevel, b.gmin, b.rFactor, b.mosLq, b.mosCq, b.jbNominal, b.jbMaximum, b.jbAbsMax])).toEqual(
      voip.map((r) => r.map((v, k) => (k === 11 || k === 12 ? Math.round(Number(v) * 10) : Number(v)))),
    );
    for (const b of mine) for (const k of ['ssrc', 'lossRate', 'discardRate', 'roundTripDelay', 'endSystemDelay', 'rFactor', 'mosLq', 'mosCq']) expect(Number.isInteger(b[k]), k).toBe(true);
  });

  it('heplify with its INVITE split over two TCP segments, and as a pcapng with a DSB and comments: tshark\'s frames, the same decisions', async () => {
    const src = await readFile(sharedCapture('heplify_sip_ipv4_tcp.pcap'));
    // split record 3 (the INVITE, 788 bytes of TCP payload) into two segments
    const out: Buffer[] = [src.subarray(0, 24)];
    let o = 24;
    for (let rec = 1; o < src.length; rec++) {
      const cl = src.readUInt32LE(o + 8);
      const record = src.subarray(o, o + 16 + cl);
      o += 16 + cl;
      if (rec !== 3) {
        out.push(record);
        continue;
      }
      const d = record.subarray(16);
      const ihl = (d[14]! & 15) * 4;
      const tcp = 14 + ihl;
      const thl = (d[tcp + 12]! >> 4) * 4;
      const payload = d.subarray(tcp + thl);
      const seq = d.readUInt32BE(tcp + 4);
      const half = Math.ceil(payload.length / 2);
      for (const [k, part] of [payload.subarray(0, half), payload.subarray(half)].entries()) {
        const h = Buffer.from(d.subarray(0, tcp + thl));
        h.writeUInt16BE(ihl + thl + part.length, 16);
        h.writeUInt32BE((seq + k * half) >>> 0, tcp + 4);
        h.writeUInt16BE(0, 24);
        let sum = 0;
        for (let i = 14; i < 14 + ihl; i += 2) sum += h.readUInt16BE(i);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
        h.writeUInt16BE(~sum & 0xffff, 24);
        const frame = Buffer.concat([h, part]);
        const hdr = Buffer.from(record.subarray(0, 16));
        hdr.writeUInt32LE(record.readUInt32LE(4) + k, 4);
        hdr.writeUInt32LE(frame.length, 8);
        hdr.writeUInt32LE(frame.length, 12);
        out.push(hdr, frame);
      }
    }
    const split = await ws.file('heplify-split.pcap');
    await writeFile(split, Buffer.concat(out));
    const sipFrames = tshark(split, ['-Y', 'sip'], ['frame.number']).map(([f]) => Number(f));
    expect(sipFrames).toEqual([4, 6, 8, 10, 12, 82, 84]);
    const ins = lines((await cli('inspect', split, '--json')).stdout);
    expect(ins.filter((l) => l.proto === 'sip').map((l) => l.frame)).toEqual(sipFrames);
    const run = await replay(split, RAW_DEFAULT);
    expect(run.decisions.map((d) => d.frame)).toEqual([15, 15, 18, 18]);
    expect(run.summary.sip).toBe(7);

    const keys = await ws.file('keys.txt');
    await writeFile(keys, 'CLIENT_RANDOM 00 00\n');
    const ng = await ws.file('heplify-secrets.pcapng');
    execFileSync('editcap', ['--inject-secrets', `tls,${keys}`, '-a', '1:first', '-a', '14:rtcp', sharedCapture('heplify_sip_ipv4_tcp.pcap'), ng], { stdio: 'ignore' });
    const plain = await replay(sharedCapture('heplify_sip_ipv4_tcp.pcap'), RAW_DEFAULT);
    const fromNg = await replay(ng, RAW_DEFAULT);
    expect(fromNg.raw).toEqual(plain.raw);
  });

  it('out-of-order TCP segments, IPv4 fragments in and out of order, a mergecap of three captures: tshark\'s frames', async () => {
    const { header, records } = await readPcapRecords(sharedCapture('heplify_sip_ipv4_tcp.pcap'));
    const ipSum = (h: Buffer, at: number, len: number): number => {
      let sum = 0;
      for (let i = at; i < at + len; i += 2) sum += h.readUInt16BE(i);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      return ~sum & 0xffff;
    };
    /** record index `i` (0-based) cut in two at `cut` bytes of its IP payload, as TCP segments or IPv4 fragments */
    const cutRecord = (i: number, how: 'tcp' | 'ip', cut: number): Uint8Array[] => {
      const d = Buffer.from(records[i]!.data);
      const ihl = (d[14]! & 15) * 4;
      const l4 = 14 + ihl;
      const head = how === 'tcp' ? l4 + (d[l4 + 12]! >> 4) * 4 : l4;
      const body = d.subarray(head);
      return [body.subarray(0, cut), body.subarray(cut)].map((part, k) => {
        const h = Buffer.from(d.subarray(0, head));
        h.writeUInt16BE(head - 14 + part.length, 16);
        if (how === 'tcp') h.writeUInt32BE((d.readUInt32BE(l4 + 4) + k * cut) >>> 0, l4 + 4);
        else {
          h.writeUInt16BE(0x4242, 18);
          h.writeUInt16BE(k === 0 ? 0x2000 : cut / 8, 20);
        }
        h.writeUInt16BE(0, 24);
        h.writeUInt16BE(ipSum(h, 14, ihl), 24);
        return Buffer.concat([h, part]);
      });
    };
    const variant = async (name: string, i: number, parts: Uint8Array[]): Promise<string> => {
      const file = await ws.file(name);
      const ts = records[i]!.ts;
      await writePcapRecords(file, header, [...records.slice(0, i), ...parts.map((data, k) => ({ ts: ts + k * 1e-6, data })), ...records.slice(i + 1)]);
      return file;
    };
    const [a, b] = cutRecord(2, 'tcp', 394);
    const ooo = await variant('ooo.pcap', 2, [b!, a!]);
    expect(tshark(ooo, ['-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'sip'], ['frame.number']).map(([f]) => Number(f))).toEqual([4, 6, 8, 10, 12, 82, 84]);
    expect(lines((await cli('inspect', ooo, '--json')).stdout).filter((l) => l.proto === 'sip').map((l) => l.frame)).toEqual([4, 6, 8, 10, 12, 82, 84]);
    const [f1, f2] = cutRecord(16, 'ip', 32);
    for (const [name, parts] of [['frag.pcap', [f1!, f2!]], ['frag-reversed.pcap', [f2!, f1!]]] as const) {
      const file = await variant(name, 16, [...parts]);
      const rtcp = tshark(file, ['-Y', 'rtcp'], ['frame.number', 'frame.time_epoch']);
      expect(rtcp.map(([f]) => Number(f))).toEqual([14, 18]);
      const run = await replay(file, RAW_DEFAULT);
      checkContract(run, () => 3600);
      expect(run.decisions.map((d) => [d.frame, us(d.ts)])).toEqual(rtcp.flatMap(([f, t]) => [[Number(f), us(t!)], [Number(f), us(t!)]]));
      expect(run.reports).toEqual([]);
    }

    const merged = await ws.file('merged.pcap');
    execFileSync('mergecap', ['-F', 'pcap', '-w', merged, ...['heplify_sip_ipv4_tcp.pcap', 'rtpproxy_rtcp.o.pcap', 'heplify_sip_ipv6_udp.pcap'].map(sharedCapture)], { stdio: 'ignore' });
    const run = await replay(merged, RAW_DEFAULT);
    checkContract(run, () => 3600);
    expect([run.summary.packets, run.summary.rtp, run.summary.rtcp, run.summary.sip, run.summary.streams, run.summary.dialogs]).toEqual([320, 295, 3, 13, 3, 2]);
    const frames = tshark(merged, ['-o', 'rtcp.heuristic_rtcp:TRUE', '-d', 'udp.port==2007,rtcp', '-Y', 'rtcp'], ['frame.number']).map(([f]) => Number(f));
    expect([...new Set(run.decisions.map((d) => d.frame))]).toEqual(frames);
  });

  it('XR DLRR sub-blocks of the sample as tshark decodes them', async () => {
    const rows = tshark(SMALL_PCAP, ['-o', 'rtcp.heuristic_rtcp:TRUE', '-Y', 'rtcp.xr.bt==5'], ['frame.number', 'rtcp.xr.lrr', 'rtcp.xr.dlrr']);
    const ins = lines((await cli('inspect', SMALL_PCAP, '--json')).stdout).filter((l) => l.proto === 'rtcp');
    const mine = ins
      .map((l) => [l.frame, (l.packets as Json[]).filter((p) => p.pt === 207).flatMap((p) => (p.blocks as Json[]).filter((b) => b.bt === 5).flatMap((b) => b.subBlocks as Json[]))] as const)
      .filter(([, sub]) => sub.length > 0);
    expect(mine.length).toBe(48);
    expect(mine.map(([f, sub]) => [f, sub.map((x) => x.lrr).join(','), sub.map((x) => x.dlrr).join(',')])).toEqual(rows.map(([f, lrr, dlrr]) => [Number(f), lrr, dlrr]));
  });
});
