/**
 * Round-23 review of 40d5492 (windows close just before the first record whose capture clock
 * reached their end): what was checked and found FINE. Every comparison replays in-process with
 * --workers 0 and 2, with the default batching and with small maxBatchRecords (1–4), and compares
 * exports, reports, decisions (--explain), summary and bindings byte for byte.
 *  - Property, 30 random small captures (prop-harness.ts randomFrames, seeded): a two-party call
 *    (px ↔ py re-INVITEs, half of them over TCP in two segments completed at a later record, a
 *    SIP BYE), a second call (another Call-ID, another shard), unbound RTCP, RTP, RTCP BYE, SDES
 *    PRIV aipref tags, RTCP compounds cut into IPv4 fragments reassembled records later (some
 *    never completed), retention 9 s (closeBy windows) beside 1 h, window 5 s, capture time
 *    stepping back up to 2 s. (Off-line, 250 more seeds of it and 300 of a simpler generator
 *    passed too; with RTT matching on, the SR-memory finding shows — sr-memory-batch-cut.test.ts.)
 *  - A SIP BYE on the very record whose clock reached a window's end: A's window closes on time
 *    [1, 11] just before it (line key afterFrame(f − 1)), B's at the BYE (end 11), the same in the
 *    four runs.
 *  - Records handed on after the last batch: a SIP BYE held behind a lost TCP segment, delivered
 *    by drainHeldTcp at the end of the capture (dialog-end on the last frame after every batch):
 *    no crash, the dialog's windows close (dialog-end), the four runs agree.
 *  - `inspect` (a PacketFeed user without beginBatch) still lists every frame of a sample (CLI).
 *  - A window due on a record in the next batch (maxBatchRecords 1): j = 0 places it at
 *    afterFrame(previous batch's last frame), the same as in one batch.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { cli, policyOf, SMALL_PCAP, Workspace, writePcapRecords } from '../e2e-helpers.js';
import { request, response, sdpOf, writeCall } from '../hand-built-calls.js';
import { AGG, rtcpAt, setup, srOf } from '../windows-review/harness.js';
import { mulberry32, randomFrames, writeFrames } from './prop-harness.js';
import { aggregates, expectAllEqual, replayFour, replayOnce, T0 } from './util.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('round-23 window-close review: fine', () => {
  it('random small captures: identical outputs for workers 0/2 × default/small batches', async () => {
    const policy = policyOf({ apts: { px: AGG(), py: AGG('9s') }, default: 'px' });
    const bad: string[] = [];
    for (let s = 1; s <= 30; s++) {
      const file = await writeFrames(ws, randomFrames(s));
      const b = 1 + Math.floor(mulberry32(s * 7)() * 4);
      const [ref, w2, w0b, w2b] = await Promise.all([replayOnce(file, policy, 0, undefined, 5), replayOnce(file, policy, 2, undefined, 5), replayOnce(file, policy, 0, b, 5), replayOnce(file, policy, 2, b, 5)]);
      for (const [name, o] of [['w2', w2], ['w0b', w0b], ['w2b', w2b]] as const) if (JSON.stringify(o) !== JSON.stringify(ref)) bad.push(`seed ${s} maxBatchRecords ${b} ${name}`);
    }
    expect(bad).toEqual([]);
  }, 60_000);

  it('a SIP BYE on the record that reached a window end: the on-time close stands before it', async () => {
    const file = await ws.file('bye-at-end.pcap');
    await writeCall(file, (at) => {
      setup(at, ['a=aipref:session px']);
      rtcpAt(at, 1, true, [srOf(1111)]);
      rtcpAt(at, 5, false, [srOf(2222)]);
      at(11, request('BYE', 2, null), true);
      at(11.1, response('200 OK', 2, null, [], 'BYE'), false);
    });
    const runs = await replayFour(file, policyOf({ apts: { px: AGG() } }));
    expectAllEqual(runs);
    expect(aggregates(runs.w0).map((a) => `${a.stream.ssrc} [${a.window.start - T0}, ${a.window.end - T0}]`)).toEqual(['1111 [1, 11]', '2222 [5, 11]']);
  });

  it('a BYE held behind a lost TCP segment, handed on after the last batch: windows close, all runs agree', async () => {
    const bye = request('BYE', 2, null);
    const lost = request('OPTIONS', 3, null);
    const frames: { ts: number; data: Uint8Array }[] = [];
    const udp = (t: number, fromA: boolean, sport: number, dport: number, payload: Uint8Array) =>
      frames.push({ ts: T0 + t, data: buildEthernetIpv4Udp({ src: fromA ? '10.0.0.1' : '10.0.0.2', dst: fromA ? '10.0.0.2' : '10.0.0.1', sport, dport, payload }) });
    udp(0, true, 5060, 5060, request('INVITE', 1, sdpOf('a', ['a=aipref:session px']), [], ''));
    udp(0.1, false, 5060, 5060, response('200 OK', 1, sdpOf('b', [])));
    udp(0.2, true, 5060, 5060, request('ACK', 1, null));
    frames.push({ ts: T0 + 0.5, data: buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5070, dport: 5060, seq: 999, flags: TcpFlag.SYN, payload: new Uint8Array(0) }) });
    udp(1, true, 4001, 5001, encodeRtcpCompound([srOf(1111)]));
    // the OPTIONS segment (seq 1000) is lost; the BYE after it is held behind the gap
    frames.push({ ts: T0 + 3, data: buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5070, dport: 5060, seq: 1000 + lost.length, ack: 1, flags: TcpFlag.PSH, payload: bye }) });
    udp(4, false, 5001, 4001, encodeRtcpCompound([srOf(2222)]));
    const file = await ws.file('held-bye.pcap');
    await writePcapRecords(file, encodePcapFileHeader(1), frames);
    const runs = await replayFour(file, policyOf({ apts: { px: AGG() } }));
    expectAllEqual(runs);
    expect(aggregates(runs.w0).map((a) => a.stream.ssrc).sort()).toEqual([1111, 2222]);
    // the held BYE was read (at the end): the dialog's streams are ended rows
    expect((runs.w0.bindings as { ssrc: number; ended: boolean }[]).map((b) => `${b.ssrc} ${b.ended}`).sort()).toEqual(['1111 true', '2222 true']);
  });

  it('inspect, a PacketFeed user without beginBatch, lists every frame', async () => {
    const r = await cli('inspect', SMALL_PCAP);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d{10}\.\d{6}/.test(l)).length).toBeGreaterThan(100);
  });

  it('a window due at the first record of the next batch stands where it does in one batch', async () => {
    const file = await ws.file('next-batch.pcap');
    await writeCall(file, (at) => {
      setup(at, ['a=aipref:session px']);
      rtcpAt(at, 1, true, [srOf(1111)]);
      rtcpAt(at, 2, false, [srOf(2222)]);
      rtcpAt(at, 11.5, false, [srOf(2222)]);
      rtcpAt(at, 12.5, true, [srOf(1111)]);
    });
    const runs = await replayFour(file, policyOf({ apts: { px: AGG() } }));
    expectAllEqual(runs);
    expect(aggregates(runs.w0).map((a) => `${a.stream.ssrc} [${a.window.start - T0}, ${a.window.end - T0}] ${a.stats.items}`)).toEqual(['1111 [1, 11] 1', '2222 [2, 12] 2', '1111 [12.5, 12.5] 1']);
  });
});
