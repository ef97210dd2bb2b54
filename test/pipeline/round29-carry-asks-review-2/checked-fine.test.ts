/**
 * Round 29 carry-asks review 2: checks that came out fine (commits 33ba62b, 3e534b5: carried tags
 * are what the pair's shard holds, asked across shards by cutting the batch). Each compares
 * workers 0 with 2 and 3, whole batches and small ones (the ask's cut at a batch's edges), and
 * checks where the tag went.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../../native-free/capture.js';
import { createRecordBatch } from '../../../native-free/record-batch.js';
import type { RecordBatch } from '../../../native-free/types.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import { parseLines, replayLines, Workspace, type DecisionLine } from '../../e2e/e2e-helpers.js';
import { A, B, bye, head, rawCall, rtcpPkt, sdesTag, setup, sdpAt, srIn, THREE, writeCapture, type Pkt } from '../../e2e/port-reuse-review/common.js';
import { sip } from '../../e2e/hand-built-calls.js';
import { inline, type Master, srtcp } from '../../e2e/srtcp-helpers.js';
import { callOn, cutIn, expectSame, pairShard, runsMixed, type Run } from '../round29-carry-asks-review/helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const C = '10.0.0.3';
const raw = (ip: string, port: number, ssrc: number | null = null) => sdpAt(ip, port, ssrc, ['a=aipref:session apt-raw']);
const decided = (lines: string[]) => parseLines<DecisionLine>(lines).map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${[...x.apt].sort().join('+')}`);
const at = (r: Run, frame: number) => decided(r.decisions).filter((x) => x.startsWith(`${frame} `));
const CONFIGS = [{ workers: 0 }, { workers: 2 }, { workers: 3 }, { workers: 2, maxBatchRecords: 1 }, { workers: 3, maxBatchRecords: 2 }, { workers: 2, maxInFlight: 1 }];

describe('SRTCP: a tag sent after the BYE under the ended dialog\'s keys', () => {
  const kA: Master = { key: Buffer.alloc(16, 0x11), salt: Buffer.alloc(14, 0x22) };
  const kB: Master = { key: Buffer.alloc(16, 0x33), salt: Buffer.alloc(14, 0x44) };
  /** c1, its BYE, A's late compound with the tag, c2 on the same addresses; then `tail` (plain or SRTCP) */
  function flow(secure: boolean, c1: string, c2: string, subjectFirst: boolean): Pkt[] {
    const index = new Map<Master, number>();
    const from = (ts: number, src: string, sport: number, dst: string, dport: number, k: Master, packets: Parameters<typeof encodeRtcpCompound>[0]): Pkt => {
      const plain = encodeRtcpCompound(packets);
      const i = (index.get(k) ?? 0) + 1;
      index.set(k, i);
      return { ts, src, dst, sport, dport, payload: secure ? srtcp(plain, k, i) : plain };
    };
    const sdp = (ip: string, port: number, k: Master) => (secure ? raw(ip, port).replace('RTP/AVP', 'RTP/SAVP').replace('a=sendrecv', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(k)}\r\na=sendrecv`) : raw(ip, port));
    return [
      ...setup(c1, 0, sdp(A, 4000, kA), sdp(B, 5000, kB)), // 1-3
      from(1, A, 4001, B, 5001, kA, [srIn(1111)]), // 4
      ...bye(c1, 10, 2), // 5-6
      from(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 7: after the BYE, read unbound
      ...setup(c2, 12, sdp(A, 4000, kA), sdp(B, 5000, kB)), // 8-10
      // 11: B's report naming 1111 as its subject (routed SRTCP: the plaintext names it), or A's SR
      subjectFirst ? from(13, B, 5001, A, 4001, kB, [srIn(2222, 1111)]) : from(13, A, 4001, B, 5001, kA, [srIn(1111)]),
      from(14, A, 4001, B, 5001, kA, [srIn(1111)]), // 12
    ];
  }

  it('the next call on the addresses gets it, asked across shards or not, as the plain capture does (sender or report subject first)', async () => {
    let cuts = 0;
    for (const subjectFirst of [false, true]) {
      for (let i = 0; i < 3; i++) {
        const c1 = `srtcp-c1-${i}`;
        const c2 = callOn(`srtcp-c2-${subjectFirst}-${i}`, 2, pairShard(A, 4001, B, 5001, 2), i === 2);
        const plain = await runsMixed(ws, `plain-${subjectFirst}-${i}`, flow(false, c1, c2, subjectFirst), [{ workers: 0 }]);
        const secure = await runsMixed(ws, `srtcp-${subjectFirst}-${i}`, flow(true, c1, c2, subjectFirst), CONFIGS);
        expectSame(secure);
        if (cutIn(secure)) cuts++;
        expect(at(secure[0]!, 12)).toEqual(['12 1111 drop export-none apt-none']);
        expect(at(secure[0]!, 12)).toEqual(at(plain[0]!, 12));
        expect(at(secure[0]!, 11)).toEqual(at(plain[0]!, 11));
        expect(secure[0]!.exports.map((l) => JSON.parse(l) as { dialog?: { callId: string } }).filter((e) => e.dialog?.callId === c2)).toEqual([]);
      }
    }
    expect(cuts).toBeGreaterThan(0);
  }, 300_000);
});

describe('the retired record against signaling', () => {
  const resp = (call: string, ts: number, status: string, tag: string, sdp: string | null, from = B): Pkt => ({ ts, src: from, dst: A, sport: 5060, dport: 5060, payload: sip(head(call, `SIP/2.0 ${status}`, 'INVITE', 1, `;tag=${tag}`), sdp) });
  const ack = (call: string, ts: number): Pkt => ({ ts, src: A, dst: B, sport: 5060, dport: 5060, payload: sip(head(call, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, ';tag=t1'), null) });
  const NAT_A = '192.0.2.7';
  const NAT_B = '198.51.100.9';
  const scenarios: Record<string, { pkts: (call: string) => Pkt[]; frame: number }> = {
    // retired by the INVITE's offer, rekeyed by the 183 (early dialog) and the 200
    'early dialog then 200 (rekey), early media between': {
      frame: 7,
      pkts: (call) => [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        setup(call, 10, raw(A, 4000), raw(B, 5000))[0]!, // 2
        resp(call, 10.1, '183 Session Progress', 't1', raw(B, 5000)), // 3
        rtcpPkt(10.2, B, 5001, A, 4001, [srIn(2222)]), // 4: early media
        resp(call, 10.4, '200 OK', 't1', raw(B, 5000)), // 5
        ack(call, 10.5), // 6
        rtcpPkt(11, A, 4001, B, 5001, [srIn(1111)]), // 7
      ],
    },
    'two early dialogs (forks), one wins': {
      frame: 7,
      pkts: (call) => [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        setup(call, 10, raw(A, 4000), raw(B, 5000))[0]!, // 2
        resp(call, 10.1, '183 Session Progress', 't1', raw(B, 5000)), // 3
        resp(call, 10.2, '183 Session Progress', 't2', raw(C, 6000), C), // 4
        resp(call, 10.4, '200 OK', 't1', raw(B, 5000)), // 5
        ack(call, 10.5), // 6
        rtcpPkt(11, A, 4001, B, 5001, [srIn(1111)]), // 7
      ],
    },
    // both ends behind NAT: retired by the call's a=ssrc of the sender
    'retired through a=ssrc routing': {
      frame: 5,
      pkts: (call) => [
        rtcpPkt(0, NAT_A, 30001, NAT_B, 40001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        ...setup(call, 10, raw(A, 4000, 1111), raw(B, 5000, 2222)), // 2-4
        rtcpPkt(11, NAT_A, 30001, NAT_B, 40001, [srIn(1111)]), // 5
      ],
    },
    // two calls declare 1111 (neither's); the other's end makes it this call's: retired at 'dialog-ended'
    'retired at another dialog\'s end (an a=ssrc collision resolved)': {
      frame: 10,
      pkts: (call) => [
        ...setup(`${call}-x`, 1, raw(C, 6000, 1111), raw('10.0.0.4', 7000)), // 1-3
        ...setup(call, 2, raw(A, 4000, 1111), raw(B, 5000, 2222)), // 4-6
        rtcpPkt(3, NAT_A, 30001, NAT_B, 40001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 7: unbound
        ...bye(`${call}-x`, 4, 2), // 8-9
        rtcpPkt(5, NAT_A, 30001, NAT_B, 40001, [srIn(1111)]), // 10
      ],
    },
  };
  for (const [name, s] of Object.entries(scenarios)) {
    it(`${name}: the confirmed dialog gets the tag, the same lines with any worker count`, async () => {
      let cuts = 0;
      for (let i = 0; i < 3; i++) {
        const pair = name.includes('ssrc') ? pairShard(NAT_A, 30001, NAT_B, 40001, 2) : pairShard(A, 4001, B, 5001, 2);
        const call = callOn(`sig-${name.length}-${i}`, 2, pair, i !== 1);
        const all = await runsMixed(ws, `sig-${name.length}-${i}`, s.pkts(call), CONFIGS);
        expectSame(all);
        if (cutIn(all)) cuts++;
        expect(at(all[0]!, s.frame)).toEqual([`${s.frame} 1111 drop export-none apt-none`]);
      }
      expect(cuts).toBeGreaterThan(0);
    }, 300_000);
  }
});

describe('live: the same engine with a source, one unit in flight', () => {
  it('an ask in the very first batch, and asks between idle ticks: no hang, the lines of the replay (workers 0, 2, 3)', async () => {
    const ps = pairShard(A, 4001, B, 5001, 2);
    const call = callOn('live-ask', 2, ps, true);
    const file = await ws.file('live-ask.pcap');
    await writeCapture(file, [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      rtcpPkt(0.5, B, 5001, A, 4001, [srIn(2222), sdesTag(2222, 'apt-agg')]), // 2
      ...setup(call, 1, raw(A, 4000), raw(B, 5000)), // 3-5
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // 6: asks
      rtcpPkt(3, B, 5001, A, 4001, [srIn(2222, 1111)]), // 7: asks
      rtcpPkt(4, A, 4001, B, 5001, [srIn(1111, 2222)]), // 8
    ]);
    const replay = await replayLines({ capture: file, policy: THREE, workers: 0, explain: true });
    expect(at({ ...replay, label: '' }, 6)).toEqual(['6 1111 drop export-none apt-none']);
    for (const perBatch of [undefined, 1, 2]) {
      const batches: RecordBatch[] = [];
      for await (const b of readCaptureBatches(file, perBatch ? { maxBatchRecords: perBatch } : {})) batches.push(b);
      let wall = 0;
      for (const workers of [0, 2, 3]) {
        async function* source(): AsyncGenerator<RecordBatch> {
          for (const b of batches) {
            wall = b.ts[b.count - 1]!;
            yield b;
            // an idle tick after each batch (the clock where the records left it)
            yield createRecordBatch(new Uint8Array(0), 0, 0);
          }
        }
        const out = { exports: [] as string[], reports: [] as string[], decisions: [] as string[] };
        const run = replayCapture({
          capture: 'live-test',
          source: source(),
          policy: THREE,
          workers,
          maxInFlight: 1,
          windowSec: 10,
          explain: true,
          bindings: true,
          clock: () => wall,
          sink: { exports: (l) => void out.exports.push(...l), reports: (l) => void out.reports.push(...l), decisions: (l) => void out.decisions.push(...l) },
        });
        const hang = new Promise((_, reject) => setTimeout(() => reject(new Error('hang')), 60_000));
        await Promise.race([run, hang]);
        const label = `batches of ${perBatch ?? 'any'}, workers ${workers}`;
        expect(out.decisions, label).toEqual(replay.decisions);
        expect(out.reports, label).toEqual(replay.reports);
        expect(out.exports, label).toEqual(replay.exports);
      }
    }
  }, 300_000);
});

describe('a capture whose read stops right after the asking packet', () => {
  it('a last record cut short, or a broken record header (the read fails): the same lines with 2 and 3 workers as with 0', async () => {
    const call = callOn('trunc', 2, pairShard(A, 4001, B, 5001, 2), true);
    const file = await ws.file('trunc.pcap');
    await writeCapture(file, [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      ...rawCall(call, 10), // 2-4
      rtcpPkt(11, B, 5001, A, 4001, [srIn(2222)]), // 5
      rtcpPkt(20, A, 4001, B, 5001, [srIn(1111)]), // 6: asks
      rtcpPkt(21, B, 5001, A, 4001, [srIn(2222)]), // 7
    ]);
    const whole = await readFile(file);
    const cut = await ws.file('trunc-cut.pcap');
    await writeFile(cut, whole.subarray(0, whole.length - 20));
    const bad = await ws.file('trunc-bad.pcap');
    const hdr = Buffer.alloc(16);
    hdr.writeUInt32LE(1767225700, 0);
    hdr.writeUInt32LE(0x7fffffff, 8);
    hdr.writeUInt32LE(0x7fffffff, 12);
    await writeFile(bad, whole);
    await appendFile(bad, Buffer.concat([hdr, Buffer.alloc(8)]));
    const go = async (f: string, workers: number, maxBatchRecords?: number) => {
      const out = { exports: [] as string[], reports: [] as string[], decisions: [] as string[], err: '' };
      try {
        await replayCapture({ capture: f, policy: THREE, workers, windowSec: 10, explain: true, bindings: true, ...(maxBatchRecords ? { maxBatchRecords } : {}), sink: { exports: (l) => void out.exports.push(...l), reports: (l) => void out.reports.push(...l), decisions: (l) => void out.decisions.push(...l) } });
      } catch (e) {
        out.err = String(e).replace(/\/tmp\/[^:]*:/, '');
      }
      return out;
    };
    for (const f of [cut, bad]) {
      const base = await go(f, 0);
      expect(base.decisions.some((l) => l.includes('"frame":6') && l.includes('apt-none'))).toBe(true);
      if (f === bad) expect(base.err).toContain('absurd record length');
      for (const [w, m] of [[2, undefined], [3, undefined], [2, 1], [2, 3]] as const) expect(await go(f, w, m), `${f} workers ${w} batches ${m}`).toEqual(base);
    }
  }, 120_000);
});
