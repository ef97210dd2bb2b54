/**
 * Checked and found fine (round 25, review of 05f6d21 "live: a dialog idles out only when the
 * service's time since its last SIP message is past the bound too" and e3cdc59 "a policy reload
 * takes effect at the capture clock as the idle ticks last moved it on"):
 * - offline (only `live` passes ReplayOptions.clock — replay, bindings, inspect,
 *   bench/warm-replay and the test harnesses without `clock` never set it) a dialog idles out by
 *   the capture clock alone, as before;
 * - (two checks of 05f6d21's service-time rule, withdrawn since, are gone with it);
 * - reload date (e3cdc59), in-process engine with a fake service clock, workers 0 and 2: after 6 s of
 *   idle ticks the reload's scope-transitioned report is dated at the last record's clock + 6 s; after a
 *   jump confirmed by two records, at the new clock + the ticks; after a lone record stamped hours ahead,
 *   at the clock it did not move (+ ticks); a reload before any record (idle ticks first) applies to the
 *   records that follow (their decisions under the new file).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../../native-free/capture.js';
import { createRecordBatch } from '../../../native-free/record-batch.js';
import type { RecordBatch } from '../../../native-free/types.js';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { call, tempDir, writePkts, type TimedPkt } from '../clock-sources-review/cs-helpers.js';
import { audioSdp, callMessage } from '../../signaling/sip-fixtures.js';
import { H, LiveTracker } from './lir-helpers.js';

const T = 1_700_000_000;
const S = T; // the service's clock right, as agent A's (live, both are real time)

describe('dialog idleness (05f6d21)', () => {
  it('offline: a dialog idles out by the capture clock alone', () => {
    const t = new LiveTracker();
    const send = (start: string, o: { callId: string; cseq: string; toTag?: string; sdp?: string }, ts: number, clock: number) => {
      t.frame++;
      t.events.push(...t.tracker.handle(callMessage(start, o), { frame: t.frame, ts, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' }, clock));
    };
    send('INVITE sip:bob@b.example SIP/2.0', { callId: 'call-c', cseq: '1 INVITE', sdp: audioSdp() }, T, T);
    send('SIP/2.0 200 OK', { callId: 'call-c', cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2' }) }, T + 0.01, T + 0.01);
    send('ACK sip:bob@b.example SIP/2.0', { callId: 'call-c', cseq: '1 ACK', toTag: 'b1' }, T + 0.02, T + 0.02);
    send('OPTIONS sip:x@b.example SIP/2.0', { callId: 'opt-b', cseq: '1 OPTIONS' }, T + 5 * H, T + 0.02);
    send('SIP/2.0 200 OK', { callId: 'opt-b', cseq: '1 OPTIONS', toTag: 'x' }, T + 5 * H + 0.01, T + 5 * H + 0.01);
    expect(t.ended('call-c').map((e) => e.type === 'dialog-ended' && e.reason)).toEqual(['idle-timeout']);
  });

});

describe('the reload date (e3cdc59), in-process engine with a fake service clock', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('r25-reload-date-'));
  });
  afterAll(async () => cleanup?.());

  const before = parsePolicy(JSON.stringify({ apts: { u: { type: 'user', export: 'raw', retention: '24h' } }, default: null }), 'p.json');
  const after = parsePolicy(JSON.stringify({ apts: { u: { type: 'user', export: 'raw', retention: '24h' }, r: { type: 'domain', export: 'none' } }, dialogs: [{ callId: 'call-c', apt: ['r'] }], default: null }), 'p.json');

  /** One record per batch; `steps`: a record index to send, or a tick after `dt` s of service time, or 'reload'. */
  async function run(pkts: TimedPkt[], steps: (number | { tick: number } | 'reload')[], workers: number) {
    const file = await writePkts(path.join(dir, `c${Math.random().toString(36).slice(2)}.pcap`), pkts);
    const batches: RecordBatch[] = [];
    for await (const b of readCaptureBatches(file, { maxBatchRecords: 1 })) batches.push(b);
    let wall = S;
    let pending = false;
    async function* source(): AsyncGenerator<RecordBatch> {
      for (const s of steps) {
        if (s === 'reload') pending = true;
        else if (typeof s === 'number') yield batches[s]!;
        else {
          wall += s.tick;
          yield createRecordBatch(new Uint8Array(0), 0, 0);
        }
      }
    }
    const reports: Record<string, unknown>[] = [];
    const decisions: Record<string, unknown>[] = [];
    await replayCapture({
      capture: 'live-test',
      source: source(),
      policy: before,
      workers,
      windowSec: 10,
      explain: true,
      clock: () => wall,
      takePolicyUpdate: () => (pending ? ((pending = false), { policy: after, windowSec: 10 }) : null),
      sink: { exports() {}, reports: (l) => void reports.push(...l.map((x) => JSON.parse(x))), decisions: (l) => void decisions.push(...l.map((x) => JSON.parse(x))) },
    });
    return { reports, decisions };
  }
  const transitioned = (reports: Record<string, unknown>[]) => reports.filter((r) => r.type === 'scope-transitioned').map((r) => r.ts as number);

  for (const workers of [0, 2]) {
    it(`after 6 s of idle ticks: at the last record's clock + 6 s (workers ${workers})`, async () => {
      const c = call('call-c', T, { aiPref: 'u', n: 1 });
      const pkts = [...c.sip, ...c.media];
      const got = await run(pkts, [0, 1, 2, 3, { tick: 3 }, { tick: 3 }, 'reload', 4], workers);
      expect(transitioned(got.reports)).toHaveLength(1);
      expect(transitioned(got.reports)[0]).toBeCloseTo(T + 1 + 6, 3);
    });

    it(`after a jump two records confirmed, and after a lone record far ahead (workers ${workers})`, async () => {
      const c = call('call-c', T, { aiPref: 'u', n: 2 });
      const J = 2 * H;
      const jumped = (p: TimedPkt, dt: number): TimedPkt => ({ ...p, ts: p.ts + dt });
      // records 0-3: the call and an SR at T+1; 4, 5: SRs at T+2h+1.5, T+2h+2 (the jump confirmed); 6: one SR 9 h ahead
      const pkts = [...c.sip, c.media[0]!, jumped(c.media[1]!, J), jumped(c.media[2]!, J), jumped(c.media[3]!, 9 * H)];
      const confirmed = await run(pkts, [0, 1, 2, 3, 4, 5, { tick: 6 }, 'reload', 6], workers);
      expect(transitioned(confirmed.reports)[0]).toBeCloseTo(T + J + 2 + 6, 3);
      const lone = await run(pkts, [0, 1, 2, 3, 6, { tick: 6 }, 'reload', 4], workers);
      expect(transitioned(lone.reports)[0]).toBeCloseTo(T + 1 + 6, 3);
    });
  }

  it('a reload before any record (idle ticks first) governs the records that follow', async () => {
    const c = call('call-c', T, { aiPref: 'u', n: 1 });
    const got = await run([...c.sip, ...c.media], [{ tick: 1 }, { tick: 1 }, 'reload', 0, 1, 2, 3, 4], 0);
    // (the user's `u` overrides the repository's domain `r`: the new file's entry is in the decision)
    expect(got.decisions.map((d) => [d.frame, d.rule])).toEqual([
      [4, 'user-overrides-domain'],
      [5, 'user-overrides-domain'],
    ]);
  });
});
