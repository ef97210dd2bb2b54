/**
 * Round 29 carry-asks review 3: checks that came out fine (commits 33ba62b, 3e534b5, 874df49:
 * carried tags are what the pair's shard holds; retired records kept while an owner lives).
 * Each compares workers 0 with 2 and 3, whole batches and batches of 1-3 records, and (where it
 * says so) checks that some run cut its batch for an ask.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import { parseLines, Workspace, writePcapRecords, type DecisionLine, type PcapRecord } from '../../e2e/e2e-helpers.js';
import { A, B, bye, head, rawCall, rtcpPkt, sdesTag, setup, sdpAt, srIn, T0, THREE, type Pkt } from '../../e2e/port-reuse-review/common.js';
import { sip } from '../../e2e/hand-built-calls.js';
import { callOn, cutIn, expectSame, pairShard, runsMixed, type Run } from '../round29-carry-asks-review/helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const raw = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
const decided = (r: Run) => parseLines<DecisionLine>(r.decisions).map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${[...x.apt].sort().join('+')}`);
const at = (r: Run, frame: number) => decided(r).filter((x) => x.startsWith(`${frame} `));
const CONFIGS = [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxBatchRecords: 1 }, { workers: 3, maxBatchRecords: 2 }, { workers: 2, maxBatchRecords: 3 }, { workers: 2, maxInFlight: 1 }];
const fromB = (call: string, ts: number, status: string, tag: string, sdp: string | null, method = 'INVITE', cseq = 1): Pkt => ({ ts, src: B, dst: A, sport: 5060, dport: 5060, payload: sip(head(call, `SIP/2.0 ${status}`, method, cseq, `;tag=${tag}`), sdp) });
const fromA = (call: string, ts: number, method: string, cseq: number, tag: string, sdp: string | null): Pkt => ({ ts, src: A, dst: B, sport: 5060, dport: 5060, payload: sip(head(call, `${method} sip:b@10.0.0.2 SIP/2.0`, method, cseq, `;tag=${tag}`), sdp) });
/** re-INVITE / 200 / ACK in dialog (tag) moving A's media to aPort, B's to bPort */
const move = (call: string, t: number, cseq: number, tag: string, aPort: number, bPort: number): Pkt[] => [fromA(call, t, 'INVITE', cseq, tag, raw(A, aPort)), fromB(call, t + 0.1, '200 OK', tag, raw(B, bPort), 'INVITE', cseq), fromA(call, t + 0.2, 'ACK', cseq, tag, null)];

describe('the owners rule (874df49) against forks, rekeys and a second call', () => {
  it('forked INVITE: the winner (second 183, then 200) moves its media away before the losing early fork ends (32 s timer), then back: still carried', async () => {
    let cuts = 0;
    for (let i = 0; i < 3; i++) {
      const call = callOn(`fork-away-${i}`, 2, pairShard(A, 4001, B, 5001, 2), true);
      const all = await runsMixed(ws, `fork-away-${i}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        setup(call, 10, raw(A, 4000), raw(B, 5000))[0]!, // 2: INVITE, retires it
        fromB(call, 10.1, '183 Session Progress', 't1', raw(B, 5000)), // 3: early t1 (rekey)
        fromB(call, 10.2, '183 Session Progress', 't2', raw(B, 5000)), // 4: early t2
        fromB(call, 10.4, '200 OK', 't2', raw(B, 5000)), // 5
        fromA(call, 10.5, 'ACK', 1, 't2', null), // 6
        ...move(call, 12, 2, 't2', 4100, 5100), // 7-9: away (t1 still early)
        ...setup(`${call}-other`, 50, raw('10.0.0.7', 7000), raw('10.0.0.8', 8000)), // 10-12: t1 ends here
        ...move(call, 60, 3, 't2', 4000, 5000), // 13-15: back
        rtcpPkt(61, A, 4001, B, 5001, [srIn(1111)]), // 16
      ], CONFIGS);
      expectSame(all);
      if (cutIn(all)) cuts++;
      expect(at(all[0]!, 16)).toEqual(['16 1111 drop export-none apt-none']);
    }
    expect(cuts).toBeGreaterThan(0);
  }, 300_000);

  it('an owner followed through its rekey (INVITE -> early dialog -> confirmed) moves away, other calls come and go, it moves back: still carried', async () => {
    let cuts = 0;
    for (let i = 0; i < 3; i++) {
      const call = callOn(`rekey-away-${i}`, 2, pairShard(A, 4001, B, 5001, 2), true);
      const all = await runsMixed(ws, `rekey-away-${i}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        setup(call, 10, raw(A, 4000), raw(B, 5000))[0]!, // 2: INVITE (its key), retires it
        fromB(call, 10.1, '183 Session Progress', 't1', raw(B, 5000)), // 3: rekey
        fromB(call, 10.4, '200 OK', 't1', raw(B, 5000)), // 4
        fromA(call, 10.5, 'ACK', 1, 't1', null), // 5
        ...move(call, 12, 2, 't1', 4100, 5100), // 6-8: away
        ...setup(`${call}-x`, 20, raw('10.0.0.7', 7000), raw('10.0.0.8', 8000)), // 9-11
        ...bye(`${call}-x`, 30, 2), // 12-13
        ...move(call, 40, 3, 't1', 4000, 5000), // 14-16: back
        rtcpPkt(41, A, 4001, B, 5001, [srIn(1111)]), // 17
      ], CONFIGS);
      expectSame(all);
      if (cutIn(all)) cuts++;
      expect(at(all[0]!, 17)).toEqual(['17 1111 drop export-none apt-none']);
    }
    expect(cuts).toBeGreaterThan(0);
  }, 300_000);

  it('a second call on the addresses: takes the tag while the first (an owner) lives elsewhere (README: "or one routes them now"), none once the first ended', async () => {
    for (const firstEnds of [false, true]) {
      const first = `second-first-${firstEnds}`;
      const second = callOn(`second-${firstEnds}`, 2, pairShard(A, 4001, B, 5001, 2), true);
      const all = await runsMixed(ws, `second-${firstEnds}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        ...rawCall(first, 10), // 2-4: retires it
        ...move(first, 12, 2, 'bbb', 4100, 5100), // 5-7: away
        ...(firstEnds ? bye(first, 13, 3) : [rtcpPkt(13, B, 5101, A, 4101, [srIn(2222)]), rtcpPkt(13.1, B, 5101, A, 4101, [srIn(2222)])]), // 8-9
        ...rawCall(second, 20), // 10-12
        rtcpPkt(21, A, 4001, B, 5001, [srIn(1111)]), // 13
      ], CONFIGS);
      expectSame(all);
      expect(at(all[0]!, 13)).toEqual([firstEnds ? '13 1111 export raw-allowed apt-raw' : '13 1111 drop export-none apt-none']);
    }
  }, 300_000);
});

describe('what a cut unit carries besides lines', () => {
  const C = '10.0.0.3';
  const D = '10.0.0.4';
  const udp = (p: Pkt): PcapRecord => ({ ts: T0 + p.ts, data: buildEthernetIpv4Udp({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload }) });
  const tcp = (ts: number, seq: number, flags: number, payload: string): PcapRecord => ({ ts: T0 + ts, data: buildIpv4Tcp({ src: C, dst: D, sport: 5060, dport: 5060, seq, ack: 1, flags, payload: new TextEncoder().encode(payload) }) });

  it('a SIP message over TCP whose segments straddle the asking packet, one left unfinished at the end; onCounted ends at the summary and never goes back; onProgress alike', async () => {
    const call = callOn('tcp-straddle', 2, pairShard(A, 4001, B, 5001, 2), true);
    const sdp = raw(C, 6000);
    const invite = sip(head('tcp-call', 'INVITE sip:b@10.0.0.4 SIP/2.0', 'INVITE', 1, ''), sdp);
    const text = new TextDecoder().decode(invite).replace('SIP/2.0/UDP', 'SIP/2.0/TCP');
    const cutAt = 60;
    const second = 'OPTIONS sip:b@10.0.0.4 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.3:5060;branch=z9hG4bK-o\r\nFrom: <sip:a@x>;tag=o1\r\nTo: <sip:b@x>\r\nCall-ID: opt-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 40\r\n\r\nonly part';
    const records: PcapRecord[] = [
      udp(rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')])), // 1
      ...rawCall(call, 10).map(udp), // 2-4
      tcp(10.5, 1, TcpFlag.PSH, text.slice(0, cutAt)), // 5: the INVITE's first part
      udp(rtcpPkt(11, A, 4001, B, 5001, [srIn(1111)])), // 6: asks
      tcp(11.5, 1 + cutAt, TcpFlag.PSH, text.slice(cutAt)), // 7: completes it
      udp(rtcpPkt(12, C, 6001, D, 6001, [srIn(3333)])), // 8
      tcp(12.5, 1 + text.length, TcpFlag.PSH, second), // 9: left unfinished
    ];
    const file = await ws.file('tcp-straddle.pcap');
    await writePcapRecords(file, encodePcapFileHeader(1), records);
    const go = async (workers: number, maxBatchRecords?: number) => {
      const out = { exports: [] as string[], reports: [] as string[], decisions: [] as string[], counted: [] as string[], progress: [] as number[], units: 0 };
      const r = await replayCapture({
        capture: file,
        policy: THREE,
        workers,
        windowSec: 10,
        explain: true,
        bindings: true,
        ...(maxBatchRecords ? { maxBatchRecords } : {}),
        onCounted: (c) => void out.counted.push(JSON.stringify(c)),
        onProgress: (p) => void out.progress.push(p),
        sink: { exports: (l) => void (out.units++, out.exports.push(...l)), reports: (l) => void out.reports.push(...l), decisions: (l) => void out.decisions.push(...l) },
      });
      return { out, summary: r.summary, bindings: r.bindings, cuts: r.cuts };
    };
    const base = await go(0);
    expect(base.out.reports.some((l) => l.includes('"type":"malformed-input"') && l.includes('end of the capture'))).toBe(true);
    expect(base.out.decisions.some((l) => l.includes('"frame":6') && l.includes('apt-none'))).toBe(true);
    for (const [w, m] of [[2, undefined], [3, undefined], [2, 1], [2, 2], [3, 3]] as const) {
      const r = await go(w, m);
      const label = `workers ${w}, batches of ${m ?? 'any'}`;
      expect(r.out.reports, label).toEqual(base.out.reports);
      expect(r.out.decisions, label).toEqual(base.out.decisions);
      expect(r.out.exports, label).toEqual(base.out.exports);
      expect(r.summary, label).toEqual(base.summary);
      expect(r.bindings, label).toEqual(base.bindings);
      // (the cut unit's lines are written with its batch's: as many writes as with no workers)
      if (m === undefined) expect({ units: r.out.units, cuts: r.cuts }, label).toEqual({ units: base.out.units, cuts: 1 });
      const counts = r.out.counted.map((c) => JSON.parse(c) as Record<string, number>);
      for (let k = 1; k < counts.length; k++) for (const key of Object.keys(counts[k]!)) expect(counts[k]![key]!, `${label}: ${key} at ${k}`).toBeGreaterThanOrEqual(counts[k - 1]![key]!);
      expect(r.out.counted.at(-1), label).toEqual(base.out.counted.at(-1));
      expect(r.out.progress.at(-1), label).toEqual(base.out.progress.at(-1));
    }
    const last = JSON.parse(base.out.counted.at(-1)!) as Record<string, number>;
    expect(last.packets).toBe(base.summary.packets);
    expect(last.rtcp).toBe(base.summary.rtcp);
    expect(last.sip).toBe(base.summary.sip);
  }, 120_000);
});
