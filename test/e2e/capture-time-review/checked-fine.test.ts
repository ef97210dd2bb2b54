/**
 * Capture-time checks that came out FINE (SPEC §4 capture time / expiresAt / windows, §8 `ts` in seconds
 * with microsecond precision, results identical whatever --workers is; README "Capture times are read to
 * the nearest microsecond", "Capture time that jumps", 4 h dialog idle bound). Oracle: tshark's
 * frame.time_epoch, rounded half up to the microsecond.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { concatBytes } from '../../native-free/capture-helpers.js';
import { BIN, Workspace } from '../e2e-helpers.js';
import { type At, message, request, response, sdpOf } from '../hand-built-calls.js';
import { PcapWriter } from '../../../native-free/write.js';
import { parseLines, policyOf, replayLines } from '../e2e-helpers.js';
import { AGG, rtcpAt, run, setup, srOf, T0 } from '../windows-review/harness.js';
import { epb, idb, inspectTs, inspectTsText, pcapOf, save, shb, toMicros, tsharkEpoch } from './util.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const T = 1767225600;

describe('reading capture times (inspect --json vs tshark)', () => {
  it('classic µs pcap: 0, 2^31 boundary, up to 2^32−1 s (unsigned, year 2106), equal times', () => {
    const f = save(pcapOf([[T, 123456], [T, 999999], [0, 0], [0, 1], [0x7fffffff, 999999], [0x80000000, 1], [0xfffffffe, 999999], [0xffffffff, 999999], [T, 123455], [T, 123455]], false));
    const ours = inspectTs(f);
    expect(ours).toEqual(tsharkEpoch(f).map(toMicros));
    expect(ours).toEqual([T + 0.123456, T + 0.999999, 0, 0.000001, 2147483647.999999, 2147483648.000001, 4294967294.999999, 4294967295.999999, T + 0.123455, T + 0.123455]);
    // written with at most six decimals
    for (const t of inspectTsText(f)) expect(t).toMatch(/^\d+(\.\d{1,6})?$/);
  });
  it('ns pcap (0xa1b23c4d): rounded half up to the µs, carrying into the second', () => {
    const f = save(pcapOf([[T, 123456500], [T, 123456499], [T, 999999500], [T, 999999499], [0, 500], [0, 499], [0xffffffff, 999999999], [0x80000000, 1], [T, 1]], true));
    expect(inspectTs(f)).toEqual(tsharkEpoch(f).map(toMicros));
    expect(inspectTs(f)).toEqual([T + 0.123457, T + 0.123456, T + 1, T + 0.999999, 0.000001, 0, 4294967296, 2147483648, T]);
  });
  it('pcapng, interfaces of if_tsresol 9, 6 (+ if_tsoffset), 2^-20, and a negative if_tsoffset', () => {
    const f = save(concatBytes(shb(), idb(9), idb(6, BigInt(T)), idb(0x80 | 20), idb(6, -BigInt(T)),
      epb(0, BigInt(T) * 1_000_000_000n + 123456500n), epb(1, 5_000_001n), epb(2, (BigInt(T) << 20n) + 1n), epb(0, BigInt(T) * 1_000_000_000n + 123456499n),
      epb(3, BigInt(T) * 1_000_000n + 1n), epb(1, 0n), epb(0, 0n), epb(3, 0n)), 'pcapng');
    expect(inspectTs(f)).toEqual(tsharkEpoch(f).map(toMicros));
    expect(inspectTs(f)).toEqual([T + 0.123457, T + 5.000001, T + 0.000001, T + 0.123456, 0.000001, T, 0, -T]);
  });
  it('pcapng negative if_tsoffset below 0: −100 s + 0.05 s reads −99.95 (tshark 4.0 prints the same instant as "-100.050000000")', () => {
    const f = save(concatBytes(shb(), idb(9, -100n), epb(0, 50_000_000n)), 'pcapng');
    expect(inspectTs(f)).toEqual([-99.95]);
  });
});

// a two-party call in a nanosecond pcap, each record at an exact (sec, ns)
function nsCall(): Uint8Array {
  const recs: [number, number, Uint8Array, boolean, number, number][] = [];
  const sipAt = (sec: number, ns: number, p: Uint8Array, fromA: boolean) => recs.push([sec, ns, p, fromA, 5060, 5060]);
  const rtcp = (sec: number, ns: number, fromA: boolean, pc: number) =>
    recs.push([sec, ns, encodeRtcpCompound([({ ...srOf(fromA ? 1111 : 2222), packetCount: pc } as RtcpPacketInput) as RtcpPacketInput]), fromA, fromA ? 4001 : 5001, fromA ? 5001 : 4001]);
  sipAt(T, 0, request('INVITE', 1, sdpOf('a', ['a=aipref:session px']), [], ''), true);
  sipAt(T, 100_000_000, response('200 OK', 1, sdpOf('b', [])), false);
  sipAt(T, 200_000_000, request('ACK', 1, null), true);
  rtcp(T + 1, 999_999_500, true, 1); // carries into T+2
  rtcp(T + 1, 999_999_499, false, 2); // a few ns back
  rtcp(T + 2, 0, true, 3); // equal to the first after rounding
  rtcp(T + 1, 500_000_000, false, 4); // 0.5 s back
  rtcp(T + 200, 123_456_789, true, 5); // minutes ahead
  rtcp(T + 30, 1, false, 6); // minutes back
  rtcp(T + 30, 1, true, 7); // equal stamps, two senders
  rtcp(T + 7200, 654_321_500, true, 8); // two hours on
  const parts = [encodePcapFileHeader(1, { nanosecond: true })];
  for (const [sec, ns, payload, fromA, sport, dport] of recs) {
    const frame = buildEthernetIpv4Udp({ src: fromA ? '10.0.0.1' : '10.0.0.2', dst: fromA ? '10.0.0.2' : '10.0.0.1', sport, dport, payload });
    const r = new Uint8Array(16 + frame.length);
    const dv = new DataView(r.buffer);
    dv.setUint32(0, sec, true);
    dv.setUint32(4, ns, true);
    dv.setUint32(8, frame.length, true);
    dv.setUint32(12, frame.length, true);
    r.set(frame, 16);
    parts.push(r);
  }
  return concatBytes(...parts);
}

describe('replay: ts, expiresAt and --workers 0 / 2 on a nanosecond capture with times out of order', () => {
  it('decisions ts = tshark per frame, exports ts + 90 s = expiresAt exactly, files byte-identical for --workers 0 and 2', () => {
    const f = save(nsCall());
    const dir = mkdtempSync(path.join(tmpdir(), 'aipref-ct-policy-'));
    const policy = path.join(dir, 'p.json');
    writeFileSync(policy, JSON.stringify({ apts: { px: { type: 'user', export: 'raw', retention: '90s' } } }));
    const outs = [0, 2].map((w) => {
      const out = mkdtempSync(path.join(tmpdir(), `aipref-ct-w${w}-`));
      execFileSync(process.execPath, [BIN, 'replay', f, '--policy', policy, '--out', out, '--workers', String(w), '--explain'], { stdio: ['ignore', 'pipe', 'pipe'] });
      return ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson'].map((n) => readFileSync(path.join(out, n), 'utf8'));
    });
    expect(outs[1]).toEqual(outs[0]);
    const [exportsText, , decisionsText] = outs[0]!;
    const epoch = tsharkEpoch(f).map(toMicros);
    const decisions = decisionsText!.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { frame: number; ts: number });
    expect(decisions.map((d) => d.frame)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    for (const d of decisions) expect(d.ts).toBe(epoch[d.frame - 1]);
    const lines = exportsText!.split('\n').filter(Boolean);
    const exps = lines.map((l) => JSON.parse(l) as { ts: number; expiresAt: number });
    expect(exps.map((e) => e.ts)).toEqual(decisions.map((d) => d.ts));
    expect(exps.map((e) => Math.round(e.ts * 1e6) - T * 1e6)).toEqual([2e6, 1999999, 2e6, 1.5e6, 200123457, 30e6, 30e6, 7200654322]);
    for (const e of exps) expect(Math.round(e.expiresAt * 1e6)).toBe(Math.round(e.ts * 1e6) + 90e6);
    for (const l of lines) expect(/"expiresAt":(\d+(?:\.\d+)?)/.exec(l)![1]).toMatch(/^\d+(\.\d{1,6})?$/);
    expect(new Set(exps.map((e) => (e as unknown as { requestId: string }).requestId)).size).toBe(8);
  });
});

type Agg = Awaited<ReturnType<typeof run>>['aggs'][number];
const rel = (a: Agg) => [a.ssrc, Math.round(((a.window as { start: number }).start - T0) * 1e3) / 1e3, Math.round(((a.window as { end: number }).end - T0) * 1e3) / 1e3, a.items, a.expiresAt === null ? null : Math.round((a.expiresAt - T0) * 1e3) / 1e3];
const sr = (ssrc: number, pc: number): RtcpPacketInput => (({ ...srOf(ssrc), packetCount: pc } as RtcpPacketInput));

describe('windows by capture time (workers 0 and 2 identical: harness)', () => {
  it('a few ms back across a window start: the late item opens its own window; expiresAt = its first item + 1 h', async () => {
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); [1, 0.998, 5, 11.002, 10.999, 20].forEach((t, i) => rtcpAt(at, t, true, [sr(1111, i)])); }, { apts: { px: AGG() } });
    expect(o.aggs.map(rel)).toEqual([[1111, 1, 1, 1, 3601], [1111, 0.998, 10.998, 2, 3600.998], [1111, 11.002, 11.002, 1, 3611.002], [1111, 10.999, 20, 2, 3610.999]]);
  });
  it('minutes ahead and back (under the 15 min clock bound), retention 15 m', async () => {
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); [1, 2, 400, 3, 4, 700, 701, 5].forEach((t, i) => rtcpAt(at, t, true, [sr(1111, i)])); }, { apts: { px: AGG('15m') } });
    expect(o.aggs.map(rel)).toEqual([[1111, 1, 11, 2, 901], [1111, 400, 400, 1, 1300], [1111, 3, 13, 2, 903], [1111, 700, 701, 2, 1600], [1111, 5, 5, 1, 905]]);
  });
  it('a three-hour gap inside a call: the window ends at its nominal end, the next opens at the item', async () => {
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); [1, 2, 10800, 10801, 10815].forEach((t, i) => rtcpAt(at, t, true, [sr(1111, i)])); }, { apts: { px: AGG('1h') } });
    expect(o.aggs.map(rel)).toEqual([[1111, 1, 11, 2, 3601], [1111, 10800, 10810, 2, 14400], [1111, 10815, 10815, 1, 14415]]);
  });
  it('equal timestamps of two senders: one window each, same bounds', async () => {
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); rtcpAt(at, 1, true, [sr(1111, 1)]); rtcpAt(at, 1, false, [sr(2222, 1)]); rtcpAt(at, 1, true, [sr(1111, 2)]); }, { apts: { px: AGG('1h') } });
    expect(o.aggs.map(rel)).toEqual([[1111, 1, 1, 2, 3601], [2222, 1, 1, 1, 3601]]);
    expect(o.decisions.map((d) => d.ts)).toEqual([T0 + 1, T0 + 1, T0 + 1]);
  });
  it('dialog idles out after more than 4 h without SIP or media: the second SIP message after the gap ends it; its media is unbound after', async () => {
    const o = await run(ws, (at) => {
      setup(at, ['a=aipref:session px']);
      rtcpAt(at, 1, true, [srOf(1111)]);
      at(18000, message('other@x', 'OPTIONS sip:b@10.0.0.2 SIP/2.0', 'OPTIONS', 1, null), true);
      at(18001, message('other@x', 'OPTIONS sip:b@10.0.0.2 SIP/2.0', 'OPTIONS', 2, null), true);
      rtcpAt(at, 18002, true, [sr(1111, 2)]);
    }, { apts: { px: AGG('1h') } });
    expect(o.aggs.map(rel)).toEqual([[1111, 1, 11, 1, 3601]]);
    expect(o.reports.map((r) => [r.type, (r.ts as number) - T0, r.frame])).toEqual([['state-limit', 18001, 6], ['unbound-stream', 18002, 7]]);
    expect(o.decisions.map((d) => [d.frame, d.decision, d.reason])).toEqual([[4, 'aggregate', 'aggregated-only'], [7, 'drop', 'no-preference']]);
  });
});

async function shape(base: number, workers: number) {
  const file = await ws.file(`b${base}-${workers}.pcap`);
  const w = await PcapWriter.open(file, { linkType: 1 });
  const at: At = (ts, payload, fromA, sport = 5060, dport = 5060) => w.write(base + ts, buildEthernetIpv4Udp({ src: fromA ? '10.0.0.1' : '10.0.0.2', dst: fromA ? '10.0.0.2' : '10.0.0.1', sport, dport, payload }));
  setup(at, ['a=aipref:session px']);
  [1, 2, 400, 3, 4, 700, 701, 5].forEach((t, i) => rtcpAt(at, t, true, [({ ...srOf(1111), packetCount: i } as RtcpPacketInput)]));
  rtcpAt(at, 350, true, [({ ...srOf(7777), packetCount: 1 } as RtcpPacketInput)]);
  at(18000, message('other@x', 'OPTIONS sip:b@10.0.0.2 SIP/2.0', 'OPTIONS', 1, null), true);
  at(18001, message('other@x', 'OPTIONS sip:b@10.0.0.2 SIP/2.0', 'OPTIONS', 2, null), true);
  rtcpAt(at, 18002, true, [({ ...srOf(1111), packetCount: 99 } as RtcpPacketInput)]);
  await w.close();
  const r = await replayLines({ capture: file, policy: policyOf({ apts: { px: AGG('15m') } }), workers, windowSec: 10 });
  return {
    e: parseLines<any>(r.exports).map((e) => [e.stream.ssrc, e.window.start - base, e.window.end - base, e.stats.items, e.expiresAt - base]),
    r: parseLines<any>(r.reports).map((x) => [x.type, x.ts - base, x.frame]),
    d: parseLines<any>(r.decisions).map((x) => [x.frame, x.ts - base, x.decision, x.reason]),
  };
}
describe('a capture starting at ts 0 (and at 1) gives the same lines, shifted, as one at T0', () => it('windows, expiresAt, reports, decisions; workers 0 and 2', async () => {
  const a = await shape(1767225600, 0);
  expect(a.e).toEqual([[1111, 1, 11, 2, 901], [1111, 400, 400, 1, 1300], [1111, 3, 13, 2, 903], [1111, 700, 701, 2, 1600], [1111, 5, 15, 1, 905], [7777, 350, 360, 1, 1250]]);
  expect(a.r).toEqual([['state-limit', 18001, 14], ['unbound-stream', 18002, 15]]);
  for (const base of [0, 1]) for (const wk of [0, 2]) expect(await shape(base, wk)).toEqual(a);
}));
