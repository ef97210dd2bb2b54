/**
 * Review: bench/hot-paths.ts's "decodeRtpHeader + read mid extension" reads RFC 8285 extension
 * id 4 on every capture RTP packet, but the generator draws each call's mid extension id at
 * random (1–14, samples/generator/call-plan.ts `midExtensionId`). In the sample batch of the
 * bench capture 96 of 7717 RTP packets carry a mid (ids 4, 6, 12, 13, 14); the task reads 28 of
 * them and, for the rest, looks up an extension that is not the mid. The figure does not
 * measure reading the mid.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const CAPTURE = '/tmp/aipref-bench/capture-c115-d30-s1-v600-g001cfea16f.pcap';
const counts = { midsRead: 0 };

vi.mock('tinybench', () => {
  class Bench {
    tasks: { name: string; fn: () => void; result?: unknown }[] = [];
    constructor(_opts?: unknown) {}
    add(name: string, fn: () => void) {
      this.tasks.push({ name, fn });
      return this;
    }
    async run() {
      for (const t of this.tasks) {
        t.fn();
        t.result = { latency: { mean: 1 }, throughput: { mean: 1000 }, totalTime: 1, period: 1 };
      }
      return this.tasks;
    }
    getTask(name: string) {
      return this.tasks.find((t) => t.name === name);
    }
  }
  return { Bench };
});

vi.mock('../../src/media/rtp.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/media/rtp.js')>();
  return {
    ...real,
    readRtpExtension: (...args: Parameters<typeof real.readRtpExtension>) => {
      const v = real.readRtpExtension(...args);
      if (v === 'a' || v === 'v') counts.midsRead++;
      return v;
    },
  };
});

describe.skipIf(!existsSync(CAPTURE))('hot-path micro-benchmark "read mid extension" (review)', () => {
  it('reads the mid of every sample RTP packet that carries one', async () => {
    const { readCaptureBatches } = await import('../../native-free/capture.js');
    const { createPacketView, PacketDecoder } = await import('../../native-free/packet-decoder.js');
    const { classifyRtpRtcp } = await import('../../src/media/demux.js');
    const real = await vi.importActual<typeof import('../../src/media/rtp.js')>('../../src/media/rtp.js');
    // the sample hot-paths.ts takes: the 8th batch's RTP packets
    let seen = 0;
    let batch;
    for await (const b of readCaptureBatches(CAPTURE)) if (++seen === 8) { batch = b; break; }
    const d = new PacketDecoder();
    const view = createPacketView();
    const rtpView = real.createRtpHeaderView();
    let carrying = 0;
    for (let i = 0; i < batch!.count; i++) {
      if (d.decode(batch!, i, view) !== 'udp') continue;
      const p = view.bytes.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength);
      if (classifyRtpRtcp(p, 0, p.length) !== 'rtp' || real.decodeRtpHeader(p, 0, p.length, rtpView) !== null) continue;
      for (let id = 1; id <= 14; id++) {
        const m = real.readRtpExtension(p, rtpView, id);
        if (m === 'a' || m === 'v') {
          carrying++;
          break;
        }
      }
    }
    const { benchHotPaths } = await import('../../bench/hot-paths.js');
    await benchHotPaths(CAPTURE, 10);
    expect(carrying).toBeGreaterThan(0);
    expect(counts.midsRead).toBe(carrying);
  });
});
