/**
 * What a shard keeps of a dialog that ended: its streams, for the binding table, only when the
 * table is asked for (the bindings command); otherwise only their number, so a live service
 * holds the calls still running. The summary counts the same streams either way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialogScope } from '../../src/binding/types.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { generateCapture } from '../../samples/generator/generate-capture.js';
import { MediaCore, type PacketAddress } from '../../src/pipeline/media-core.js';
import { replayCapture } from '../../src/pipeline/replay-engine.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-ended-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const addr: PacketAddress = { v6: false, src4: 0x0a000001, dst4: 0x0a000002, src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002 };
const scope: DialogScope = {
  key: 'd1',
  dialog: { callId: 'c1', fromTag: 'f', toTag: 't' },
  sections: [{ index: 0, mid: '0', kind: 'audio', disabled: false, rtp: [{ address: '10.0.0.2', port: 40002 }], rtcp: [], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] }],
  dialogApts: [],
  repositoryApts: [],
  pending: null,
};

/** A core that saw one dialog with two streams, then its end. */
function coreAfterOneCall(bindings: boolean): MediaCore {
  const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings });
  core.event({ kind: 'scope', frame: 1, ts: 100, scope });
  for (const ssrc of [11, 12]) {
    const packet = encodeRtpPacket({ pt: 0, seq: 1, ts: 160, ssrc, payload: new Uint8Array(20) });
    core.rtp(2, 100.02, packet, 0, packet.length, addr);
  }
  core.event({ kind: 'dialog-ended', frame: 3, ts: 101, key: 'd1' });
  return core;
}

describe("an ended dialog's streams", () => {
  it('are kept for the binding table only when it is asked for, and counted either way', () => {
    const kept = coreAfterOneCall(true);
    expect([...kept.streams()].map((s) => [s.stream.ssrc, s.ended])).toEqual([[11, true], [12, true]]);
    const counted = coreAfterOneCall(false);
    expect([...counted.streams()]).toEqual([]);
    expect([kept.streamCount, counted.streamCount]).toEqual([2, 2]);
  });

  it('replay: the same summary with or without the table, the table only when asked for', async () => {
    const capture = path.join(dir, 'calls.pcap');
    await generateCapture({ calls: 5, durationSec: 4, seed: 9, videoBytes: 200, packetRateScale: 0.1 }, capture);
    const run = (bindings: boolean, workers: number) =>
      replayCapture({ capture, policy: emptyPolicy(), workers, windowSec: 10, explain: false, bindings, sink: { exports: () => {}, reports: () => {}, decisions: () => {} } });
    const withTable = await run(true, 0);
    const without = await run(false, 0);
    expect(without.summary).toEqual(withTable.summary);
    expect(withTable.summary.streams).toBeGreaterThan(10);
    expect(withTable.bindings.filter((b) => b.ended).length).toBeGreaterThan(10);
    expect(without.bindings).toEqual([]);
    expect((await run(false, 2)).summary).toEqual(withTable.summary);
  });
});
