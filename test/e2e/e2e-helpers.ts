/**
 * Shared pieces of the end-to-end tests: generated captures in a temporary folder (with the
 * RTCP packets the generator meant to write), a replay into memory, policies built from the
 * generator's APT catalog, a pcap rewriter that leaves records out, and the CLI as a child.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { APT_CATALOG } from '../../samples/generator/apt-catalog.js';
import { generateCapture, type GenerateOptions } from '../../samples/generator/generate-capture.js';
import type { GenerationTruth } from '../../samples/generator/truth.js';
import type { RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { replayCapture, type ReplayResult } from '../../src/pipeline/replay-engine.js';
import { emptyPolicy, parsePolicy, type PolicyFile } from '../../src/policy/policy-file.js';

/** The command as an operator runs it: bin/ runs dist/ (`npm run build` first — npm test does). */
export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);

/** The CLI in a child process: its exit code and both outputs, whatever the code. */
export async function cli(...args: string[]): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export const SHARED_CAPTURES = path.resolve(process.cwd(), '../shared/captures');
export const sharedCapture = (name: string): string => path.join(SHARED_CAPTURES, name);
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_TRUTH = path.resolve(process.cwd(), 'samples/call-small.truth.json');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

export interface Generated {
  path: string;
  truth: GenerationTruth;
  /** the RTCP packets the generator wrote, by frame */
  rtcp: Map<number, RtcpPacketInput[]>;
}

/** A temporary folder per test file; everything in it goes in `cleanup`. */
export class Workspace {
  private dir: string | null = null;
  private n = 0;

  async folder(): Promise<string> {
    this.dir ??= await mkdtemp(path.join(tmpdir(), 'aipref-e2e-'));
    return this.dir;
  }

  async file(name: string): Promise<string> {
    return path.join(await this.folder(), name);
  }

  async generate(options: GenerateOptions): Promise<Generated> {
    const file = await this.file(`capture-${this.n++}.pcap`);
    const rtcp = new Map<number, RtcpPacketInput[]>();
    const truth = await generateCapture({ ...options, onRtcpCompound: (frame, packets) => rtcp.set(frame, packets.map((p) => structuredClone(p))) }, file);
    return { path: file, truth, rtcp };
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/** Small captures: a handful of calls, every scripted route and renegotiation, slow packet rates. */
export function smallCapture(seed: number, calls = 8): GenerateOptions {
  return { calls, durationSec: 10, seed, videoBytes: 200, packetRateScale: 0.2 };
}

export interface ReplayLines {
  exports: string[];
  reports: string[];
  decisions: string[];
  /** number of sink calls (batches written) */
  batches: number;
  result: ReplayResult;
}

export interface ReplayInMemory {
  capture: string;
  policy?: PolicyFile;
  workers?: number;
  windowSec?: number;
  explain?: boolean;
  maxBatchRecords?: number;
  chunkBytes?: number;
  maxInFlight?: number;
}

export async function replayLines(o: ReplayInMemory): Promise<ReplayLines> {
  const out: Omit<ReplayLines, 'result'> = { exports: [], reports: [], decisions: [], batches: 0 };
  const result = await replayCapture({
    capture: o.capture,
    policy: o.policy ?? emptyPolicy(),
    workers: o.workers ?? 0,
    windowSec: o.windowSec ?? 10,
    explain: o.explain ?? true,
    bindings: true,
    ...(o.maxBatchRecords !== undefined ? { maxBatchRecords: o.maxBatchRecords } : {}),
    ...(o.chunkBytes !== undefined ? { chunkBytes: o.chunkBytes } : {}),
    ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
    sink: {
      exports: (lines) => {
        out.batches++;
        out.exports.push(...lines);
      },
      reports: (lines) => void out.reports.push(...lines),
      decisions: (lines) => void out.decisions.push(...lines),
    },
  });
  return { ...out, result };
}

export const parseLines = <T = Record<string, unknown>>(lines: readonly string[]): T[] => lines.map((l) => JSON.parse(l) as T);

export interface PolicyJson {
  apts: Record<string, Record<string, unknown>>;
  dialogs?: { callId: string; fromTag?: string; toTag?: string; apt: string[] }[];
  default?: string | null;
  window?: string;
  /** trusted keys for signed APTs (SPEC §9), by key id */
  keys?: Record<string, unknown>;
}

/** Every identifier of the generator's catalog with its statement, as samples/policy.json has them. */
export function catalogApts(): Record<string, Record<string, unknown>> {
  const apts: Record<string, Record<string, unknown>> = {};
  for (const e of APT_CATALOG) apts[e.id] = { ...e.statement, ...(e.statement.features ? { features: [...e.statement.features] } : {}) };
  return apts;
}

export function policyOf(json: PolicyJson, name = 'e2e-policy.json'): PolicyFile {
  return parsePolicy(JSON.stringify(json), name);
}

export async function writePolicy(ws: Workspace, name: string, json: unknown): Promise<string> {
  const file = await ws.file(name);
  await writeFile(file, JSON.stringify(json, null, 1));
  return file;
}

/**
 * The file header and the whole records (16-byte record header and data, views into the file)
 * of a classic little-endian microsecond pcap.
 */
async function readWholeRecords(file: string): Promise<{ header: Uint8Array; records: Uint8Array[] }> {
  const bytes = await readFile(file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian microsecond pcap`);
  const records: Uint8Array[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const end = at + 16 + dv.getUint32(at + 8, true);
    records.push(bytes.subarray(at, end));
    at = end;
  }
  return { header: bytes.subarray(0, 24), records };
}

/**
 * Copies a classic little-endian pcap, writing each record `times(frame)` times in a row (its
 * 1-based frame number; 0 leaves it out). Returns the frame-number map old → new for the
 * records kept (to the first copy).
 */
async function rewritePcap(src: string, dst: string, times: (frame: number) => number): Promise<Map<number, number>> {
  const { header, records } = await readWholeRecords(src);
  const parts: Uint8Array[] = [header];
  const renumber = new Map<number, number>();
  let written = 0;
  records.forEach((record, i) => {
    const n = times(i + 1);
    if (n > 0) renumber.set(i + 1, written + 1);
    for (let k = 0; k < n; k++) parts.push(record);
    written += n;
  });
  await writeFile(dst, Buffer.concat(parts));
  return renumber;
}

/** Copies a classic little-endian pcap, leaving out the records whose 1-based frame numbers are listed. */
export function rewritePcapWithout(src: string, dst: string, skip: ReadonlySet<number>): Promise<Map<number, number>> {
  return rewritePcap(src, dst, (frame) => (skip.has(frame) ? 0 : 1));
}

/** Copies a classic little-endian pcap, writing each listed record twice in a row (an identical retransmission, same time). */
export function rewritePcapDuplicating(src: string, dst: string, duplicate: ReadonlySet<number>): Promise<Map<number, number>> {
  return rewritePcap(src, dst, (frame) => (duplicate.has(frame) ? 2 : 1));
}

export interface PcapRecord {
  ts: number;
  data: Uint8Array;
  /** the packet's length on the wire, when the capture's snap length cut `data` short of it */
  origLen?: number;
}

/** The records of a classic little-endian microsecond pcap (file header kept aside). */
export async function readPcapRecords(file: string): Promise<{ header: Uint8Array; records: PcapRecord[] }> {
  const { header, records } = await readWholeRecords(file);
  return {
    header,
    records: records.map((r) => {
      const dv = new DataView(r.buffer, r.byteOffset, 16);
      return { ts: dv.getUint32(0, true) + dv.getUint32(4, true) / 1e6, data: r.subarray(16) };
    }),
  };
}

export async function writePcapRecords(file: string, header: Uint8Array, records: readonly PcapRecord[]): Promise<void> {
  const parts: Uint8Array[] = [header];
  for (const r of records) {
    const h = Buffer.alloc(16);
    const sec = Math.floor(r.ts);
    const usec = Math.round((r.ts - sec) * 1e6);
    h.writeUInt32LE(sec + (usec >= 1e6 ? 1 : 0), 0);
    h.writeUInt32LE(usec >= 1e6 ? usec - 1e6 : usec, 4);
    h.writeUInt32LE(r.data.length, 8);
    h.writeUInt32LE(r.origLen ?? r.data.length, 12);
    parts.push(h, r.data);
  }
  await writeFile(file, Buffer.concat(parts));
}

export interface DecisionLine {
  frame: number;
  ts: number;
  ssrc: number;
  pt: number;
  fmt?: number;
  block?: number;
  feature: string;
  decision: 'export' | 'aggregate' | 'drop';
  reason: string;
  apt: string[];
  rule?: string;
}

export interface ReportLine {
  type: string;
  ts: number;
  frame: number;
  dialog: { callId: string; fromTag: string; toTag: string } | null;
  mid?: string;
  ssrc?: number;
  apt?: string[];
  fallback?: string[];
  detail?: string;
}

export interface ExportLine {
  type: 'telemetry' | 'aggregate';
  requestId: string;
  ts: number;
  expiresAt: number | null;
  dialog: { callId: string; fromTag: string; toTag: string } | null;
  stream: { ssrc: number; mid: string | null; kind: string | null };
  apt: string[];
  extensions?: Record<string, unknown>;
  decision: string;
  item?: Record<string, unknown>;
  window?: { start: number; end: number };
  stats?: Record<string, unknown>;
}

export const sameSet = (a: readonly string[], b: readonly string[]): boolean => new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));
export const sorted = (a: readonly string[]): string[] => [...new Set(a)].sort();
