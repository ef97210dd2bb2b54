/**
 * Shared by the review-live-vs-replay tests: hand-built packets written as a pcap (for the
 * offline replay) and sent as HEPv3 frames / UDP datagrams to a live child (LiveChild), a
 * temp folder, /metrics scraping, and the NDJSON read-back.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeHep, hepTimestamp, IpProtocolNumber } from '../../../src/sources/hep.js';
import { guessHepProtocol } from '../../../src/sources/replay-sender.js';
import { writePcapRecords } from '../../e2e/e2e-helpers.js';
import { cli, ensureBuilt, LiveChild, readLines, type Addresses } from '../live-helpers.js';

export { cli, ensureBuilt, LiveChild, readLines, type Addresses };

export interface TimedPkt {
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeJson(file: string, value: unknown): Promise<string> {
  await writeFile(file, JSON.stringify(value));
  return file;
}

export async function writePkts(file: string, pkts: readonly TimedPkt[]): Promise<string> {
  await writePcapRecords(
    file,
    encodePcapFileHeader(1),
    pkts.map((p) => ({ ts: p.ts, data: buildEthernetIpv4Udp(p) })),
  );
  return file;
}

export const hepFrame = (p: TimedPkt): Uint8Array =>
  encodeHep({ ipVersion: 4, ipProtocol: IpProtocolNumber.UDP, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, ...hepTimestamp(p.ts), protocolType: guessHepProtocol(p.payload), payload: p.payload });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Datagrams to 127.0.0.1:port, `gapMs` apart. */
export async function sendDatagrams(port: number, datagrams: readonly Uint8Array[], gapMs = 0): Promise<void> {
  const s = createSocket('udp4');
  try {
    for (let i = 0; i < datagrams.length; i++) {
      if (i > 0 && gapMs > 0) await sleep(gapMs);
      await new Promise<void>((resolve, reject) => s.send(datagrams[i]!, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
  } finally {
    s.close();
  }
}

export async function scrape(port: number, what = '/metrics'): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}${what}`)).text();
}

export function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Polls /metrics until the source counted `n` received records. */
export async function untilReceived(metricsPort: number, source: 'udp' | 'hep', n: number, maxMs = 10_000): Promise<void> {
  const series = `aipref_source_records_total{source="${source}",kind="received"}`;
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    if (metric(await scrape(metricsPort), series) >= n) return;
    await sleep(50);
  }
  throw new Error(`${source}: fewer than ${n} records received`);
}

/** A live child on loopback (--workers 0, --batch-ms 5, --no-resolve-uri, --metrics, unless `extra` gives them), its out folder. */
export async function startLive(out: string, extra: string[]): Promise<{ live: LiveChild; addresses: Addresses }> {
  // (an option given twice is bad usage: a default `extra` gives itself is left out)
  const defaults = [['--metrics', '127.0.0.1:0'], ['--out', out], ['--workers', '0'], ['--batch-ms', '5'], ['--no-resolve-uri']].filter(([flag]) => !extra.includes(flag!));
  return LiveChild.start([...defaults.flat(), ...extra]);
}

/** SIGTERM, the exit code, the stop line's summary and the written lines. */
export async function stopAndRead(live: LiveChild, out: string, explain = false) {
  const code = await live.terminate();
  const stop = await live.waitFor((l) => l.event === 'stop', 2000);
  return {
    code,
    summary: stop.summary as Record<string, unknown>,
    exports: await readLines(out, 'exports'),
    reports: await readLines(out, 'reports'),
    decisions: explain ? await readLines(out, 'decisions') : [],
  };
}

/** The offline replay of `capture` by the CLI (workers 0): summary and lines. */
export async function offline(capture: string, out: string, args: string[]) {
  const { stdout } = await cli(['replay', capture, '--out', out, '--workers', '0', '--json', ...args]);
  return {
    summary: JSON.parse(stdout) as Record<string, unknown>,
    exports: await readLines(out, 'exports'),
    reports: await readLines(out, 'reports'),
    decisions: args.includes('--explain') ? await readLines(out, 'decisions') : [],
  };
}

/** Kills the child if it is still there (tests end it with SIGTERM; this is the safety net). */
export function kill(live: LiveChild | undefined): void {
  if (live && live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
