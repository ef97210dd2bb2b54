/**
 * Loopback load on the live service (`live --udp`, plain mirror, in this process, default
 * settings but for the output folder): a sender in a worker thread blasts generated RTP and
 * RTCP at increasing rates (bounded: ≤ 200k datagrams, each step ≤ 1 s and ≤ 40k datagrams), and after each step
 * the listener's counters are compared with what was sent. Reported: the highest rate taken
 * with no loss (every datagram received, none dropped by the packet queue), and the latency
 * from receipt to export of RTCP sender reports exported raw (the policy's default APT allows
 * raw export): the exported item's `ts` is the listener's receipt stamp, its NTP fields carry
 * the send time, and the sink notes when the NDJSON exporter has written (and flushed) it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startLive } from '../src/cli/live.js';
import { encodeRtcpCompound } from '../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../src/media/rtp-encode.js';
import type { BenchFigure } from './report.js';

const SUITE = 'live';
const STREAMS = 64;
/** one RTCP SR per this many RTP packets of a stream (a 50 packets/s voice stream with SR every second) */
const RTP_PER_RTCP = 50;
const RATES = [10_000, 20_000, 40_000, 80_000, 160_000, 320_000];
const MAX_STEP_SEC = 1;
const MAX_STEP_DATAGRAMS = 40_000;
const MAX_TOTAL_DATAGRAMS = 200_000;
/** the operating point: the highest lossless rate whose receipt→export p99 stays under this */
const LATENCY_BOUND_MS = 100;

interface SenderJob {
  liveLoadSender: true;
  port: number;
  rate: number;
  count: number;
  /** SSRC offset, so steps do not share streams */
  ssrcBase: number;
}

interface SenderResult {
  sent: number;
  seconds: number;
}

/** Absolute milliseconds, the clock the listener's receipt stamps use (performance.timeOrigin + now). */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

async function runSender(job: SenderJob): Promise<SenderResult> {
  const socket = createSocket('udp4');
  const payload = new Uint8Array(160);
  const seq = new Array<number>(STREAMS).fill(0);
  let sent = 0;
  let acked = 0;
  const start = performance.now();
  let drained: (() => void) | undefined;
  const onSent = () => {
    acked++;
    if (acked === job.count) drained?.();
  };
  while (sent < job.count) {
    const due = Math.min(job.count, Math.floor(((performance.now() - start) / 1000) * job.rate) + 1);
    while (sent < due) {
      const stream = sent % STREAMS;
      const ssrc = job.ssrcBase + stream;
      const n = seq[stream]!++;
      let datagram: Uint8Array;
      if (n % RTP_PER_RTCP === RTP_PER_RTCP - 1) {
        const t = nowMs();
        const sec = Math.floor(t / 1000);
        datagram = encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: sec, ntpFrac: Math.round((t - sec * 1000) * 1000), rtpTs: n * 160, packetCount: n, octetCount: n * 160, reports: [] }]);
      } else {
        datagram = encodeRtpPacket({ pt: 0, seq: n & 0xffff, ts: (n * 160) >>> 0, ssrc, payload });
      }
      socket.send(datagram, job.port, '127.0.0.1', onSent);
      sent++;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (acked < job.count) await new Promise<void>((resolve) => (drained = resolve));
  const seconds = (performance.now() - start) / 1000;
  socket.close();
  return { sent, seconds };
}

if (!isMainThread && (workerData as Partial<SenderJob> | null)?.liveLoadSender) {
  void runSender(workerData as SenderJob).then((r) => parentPort!.postMessage(r));
}

function sendFromWorker(job: SenderJob): Promise<SenderResult> {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    worker.once('message', (r: SenderResult) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function benchLiveLoad(): Promise<BenchFigure[]> {
  if (!fileURLToPath(import.meta.url).endsWith('.js')) throw new Error('bench/live-load runs from dist/ (npm run bench): the sender worker loads the compiled file');
  const dir = await mkdtemp(path.join(tmpdir(), 'aipref-live-load-'));
  const policyFile = path.join(dir, 'policy.json');
  await writeFile(policyFile, JSON.stringify({ apts: { bench: { type: 'domain', export: 'raw', retention: '1h' } }, default: 'bench' }));
  let stepLatency: { receipt: number[]; send: number[] } = { receipt: [], send: [] };
  const service = await startLive({
    udp: { host: '127.0.0.1', port: 0 },
    udpMode: 'plain',
    policyFile,
    outDir: path.join(dir, 'out'),
    workers: 0,
    windowSec: null,
    batchMs: 10,
    explain: false,
    statsSec: 0,
    quiet: true,
    log: () => {},
    onExported: (lines, at) => {
      const atMs = performance.timeOrigin + at;
      for (const l of lines) {
        if (l.type !== 'telemetry') continue;
        const item = l.item as { pt?: number; ntpSec?: number; ntpFrac?: number };
        if (item.pt !== 200) continue;
        stepLatency.receipt.push(atMs - l.ts * 1000);
        stepLatency.send.push(atMs - (item.ntpSec! * 1000 + item.ntpFrac! / 1000));
      }
    },
  });
  const udp = service.sources.get('udp')!;
  const steps: { rate: number; sent: number; received: number; overflowed: number; achieved: number; receiptP50: number; receiptP99: number; sendP50: number; sendP99: number; elu: number }[] = [];
  let total = 0;
  try {
    for (const [i, rate] of RATES.entries()) {
      const count = Math.min(MAX_STEP_DATAGRAMS, Math.round(rate * MAX_STEP_SEC), MAX_TOTAL_DATAGRAMS - total);
      if (count < 1000) break;
      total += count;
      const receivedBefore = udp.received;
      const overflowBefore = service.counts.overflowed;
      stepLatency = { receipt: [], send: [] };
      const elu0 = performance.eventLoopUtilization();
      const r = await sendFromWorker({ liveLoadSender: true, port: service.addresses.udp!.port, rate, count, ssrcBase: 0x10000 * (i + 1) });
      // settle: until nothing more arrives and the queue is empty (bounded)
      let last = -1;
      for (let wait = 0; wait < 40 && udp.received !== last; wait++) {
        last = udp.received;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const receipt = [...stepLatency.receipt].sort((a, b) => a - b);
      const send = [...stepLatency.send].sort((a, b) => a - b);
      steps.push({
        rate,
        sent: r.sent,
        received: udp.received - receivedBefore,
        overflowed: service.counts.overflowed - overflowBefore,
        achieved: r.sent / r.seconds,
        receiptP50: quantile(receipt, 0.5),
        receiptP99: quantile(receipt, 0.99),
        sendP50: quantile(send, 0.5),
        sendP99: quantile(send, 0.99),
        elu,
      });
      const s = steps.at(-1)!;
      if (s.received < s.sent || s.overflowed > 0) break;
    }
  } finally {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const lossless = steps.filter((s) => s.received === s.sent && s.overflowed === 0);
  const best = lossless.at(-1);
  const firstLoss = steps.find((s) => s.received < s.sent || s.overflowed > 0);
  const figures: BenchFigure[] = [];
  const stepNote = steps
    .map((s) => `${Math.round(s.achieved / 1000)}k/s: ${s.received}/${s.sent}${s.overflowed ? ` (${s.overflowed} queue drops)` : ''}, p99 ${Math.round(s.receiptP99)} ms, event loop ${Math.round(s.elu * 100)}% busy`)
    .join('; ');
  const bounded = lossless.filter((s) => s.receiptP99 < LATENCY_BOUND_MS).at(-1);
  figures.push({
    suite: SUITE,
    name: 'UDP mirror: highest rate with no loss',
    value: best ? best.achieved : 0,
    unit: 'datagrams/s',
    note: `loopback, plain mirror, ${STREAMS} streams, 1 RTCP SR per ${RTP_PER_RTCP} RTP, bursts of ≤ ${MAX_STEP_DATAGRAMS / 1000}k datagrams (the queue absorbs a burst: see the latency); ${firstLoss ? `loss first at ~${Math.round(firstLoss.achieved / 1000)}k/s` : `no loss up to the last step`}; steps ${stepNote}`,
  });
  figures.push({
    suite: SUITE,
    name: `UDP mirror: highest lossless rate with receipt→export p99 < ${LATENCY_BOUND_MS} ms`,
    value: bounded ? bounded.achieved : 0,
    unit: 'datagrams/s',
    note: bounded ? `p50 ${bounded.receiptP50.toFixed(1)} ms, p99 ${bounded.receiptP99.toFixed(1)} ms` : 'no step met the bound',
  });
  if (best) {
    figures.push({ suite: SUITE, name: 'receipt→export latency p50', value: best.receiptP50, unit: 'ms', note: `at ${Math.round(best.achieved / 1000)}k datagrams/s, RTCP SR exported raw, NDJSON written and flushed (--batch-ms 10)` });
    figures.push({ suite: SUITE, name: 'receipt→export latency p99', value: best.receiptP99, unit: 'ms', note: `at ${Math.round(best.achieved / 1000)}k datagrams/s` });
    figures.push({ suite: SUITE, name: 'send→export latency p99', value: best.sendP99, unit: 'ms', note: `at ${Math.round(best.achieved / 1000)}k datagrams/s, including the socket buffer (p50 ${best.sendP50.toFixed(2)} ms)` });
  }
  const low = steps[0];
  if (low) figures.push({ suite: SUITE, name: `receipt→export latency p99 at ${Math.round(low.achieved / 1000)}k/s`, value: low.receiptP99, unit: 'ms', note: `p50 ${low.receiptP50.toFixed(2)} ms` });
  return figures;
}
