/** Small pieces the bad-input review's tests share: the CLI with a timeout, a cut sample capture. */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

export interface Outcome {
  /** null: killed after the timeout */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in a child, stdin from `input` (or nothing), killed after `timeoutMs`. */
export function run(args: readonly string[], opts: { cwd?: string; timeoutMs?: number; input?: Uint8Array } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}

/** File offsets of the records of a classic little-endian pcap (after its 24-byte header). */
export function pcapRecordOffsets(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + dv.getUint32(at + 8, true)) offsets.push(at);
  return offsets;
}

/**
 * samples/call-small.pcap cut `into` bytes into its record number `record` (0-based), written to
 * `file`: the records before it whole. Returns the cut record's offset.
 */
export async function cutSample(file: string, record: number, into: number): Promise<{ offset: number; whole: number }> {
  const bytes = new Uint8Array(await readFile(SMALL_PCAP));
  const offsets = pcapRecordOffsets(bytes);
  const offset = offsets[record]!;
  await writeFile(file, bytes.subarray(0, offset + into));
  return { offset, whole: record };
}

/**
 * samples/call-small.pcap with record number `record`'s captured length made absurd: the file
 * breaks there (the reader cannot go on past it). Returns the record's offset.
 */
export async function brokenSample(file: string, record: number): Promise<number> {
  const bytes = new Uint8Array(await readFile(SMALL_PCAP));
  const offset = pcapRecordOffsets(bytes)[record]!;
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset + 8, 0x7fffffff, true);
  await writeFile(file, copy);
  return offset;
}

/** A shell command line (for a real pipe into the CLI): its exit code and both outputs. */
export function shell(line: string, timeoutMs = 30_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', line], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
