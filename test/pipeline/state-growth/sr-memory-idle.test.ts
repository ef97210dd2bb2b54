/**
 * A check that came out fine (round 28: WindowStore.closeDue, which an idle tick runs, forgets
 * first). SPEC §4: "The enforcer itself keeps nothing past retention (windows, spools and retries
 * included)". An SR exported raw is remembered (its NTP time, the capture time it came) so that the
 * receiver reports answering it give an RTT — for as long as its retention lets it be kept. A live
 * feed that goes quiet moves the clock by idle ticks (empty batches): windows close there on time,
 * and the remembered SRs must go there too, not wait for the next packet (which may never come).
 * The engine as `live` feeds it (ReplayOptions.source of live record batches, `clock` the
 * service's time), one shard in this thread (workers 0), its parts counted by the state probes.
 */
import { describe, expect, it } from 'vitest';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { liveRecordBatches } from '../../../src/sources/source-batch.js';
import type { SourcePacket } from '../../../src/sources/source-packet.js';
import { installProbes, resetCaught, sizes } from './probe.js';
import { srBytes } from '../../live-delivery/live-fixtures.js';

const T0 = 1_900_000_000;

const sr = (ssrc: number, i: number): Uint8Array => new Uint8Array(srBytes(ssrc, i));

const packet = (ts: number, payload: Uint8Array): SourcePacket => ({ ts, src: '10.1.0.1', dst: '10.1.0.2', sport: 4001, dport: 5001, proto: 'udp', payload });

describe('remembered SRs on a quiet live feed', () => {
  it('are let go at the idle tick past their retention, not kept until the next packet', async () => {
    installProbes();
    resetCaught();
    const policy = parsePolicy(JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '2s' } }, default: 'apt-d' }), 'p.json');
    let wall = T0;
    const counted: Record<string, number>[] = [];
    async function* groups(): AsyncGenerator<readonly SourcePacket[]> {
      yield [packet(T0, sr(0x11223344, 0)), packet(T0 + 0.5, sr(0x11223344, 1))];
      counted.push(sizes());
      // silence: idle ticks by the service's clock, a second apart, past the SRs' 2 s
      for (let s = 1; s <= 5; s++) {
        wall = T0 + 0.5 + s;
        yield [];
        counted.push(sizes());
      }
    }
    const exports: string[] = [];
    await replayCapture({
      capture: 'live-test',
      source: liveRecordBatches(groups()),
      policy,
      workers: 0,
      windowSec: 10,
      explain: false,
      clock: () => wall,
      sink: { exports: (l: readonly string[]) => void exports.push(...l), reports: () => undefined, decisions: () => undefined } as never,
    });
    expect(exports.length).toBe(2);
    // (the sizes are read when the engine asks for the next group: the one before is through)
    expect(counted[1]!['windows.senderReports']).toBe(1);
    // by T0 + 3.5 both SRs (forgotten at T0 + 2 and T0 + 2.5) are past their retention
    expect(counted.slice(3).map((c) => c['windows.senderReports'])).toEqual([0, 0, 0]);
  });
});
