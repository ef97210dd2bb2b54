/** What the capture-format review's tests share: the CLI, the sample's records, tshark's rows. */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { joinBytes } from '../../../native-free/bytes.js';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');
export { joinBytes };

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runOnce(args: readonly string[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end();
  });
}

/** The CLI; a run that died because another helper was rebuilding dist/ is tried again. */
export async function run(args: readonly string[], timeoutMs = 60_000): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    const out = await runOnce(args, timeoutMs);
    const rebuilding = /ERR_MODULE_NOT_FOUND|Cannot find module|SyntaxError|dist\/bundle/.test(out.stderr);
    if (!rebuilding || attempt >= 3) return out;
    await new Promise((r) => setTimeout(r, 30_000));
  }
}

export interface SampleRecord {
  sec: number;
  usec: number;
  data: Uint8Array;
}

/** samples/call-small.pcap's records (little-endian µs pcap). */
export function sampleRecords(): SampleRecord[] {
  const b = new Uint8Array(readFileSync(SMALL_PCAP));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: SampleRecord[] = [];
  for (let at = 24; at + 16 <= b.length; ) {
    const incl = dv.getUint32(at + 8, true);
    out.push({ sec: dv.getUint32(at, true), usec: dv.getUint32(at + 4, true), data: b.slice(at + 16, at + 16 + incl) });
    at += 16 + incl;
  }
  return out;
}

/** tshark's rows of `fields` for every frame, or null without tshark. */
export function tsharkRows(file: string, fields: string[]): string[][] | null {
  try {
    return execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
  } catch (err) {
    // tshark exits non-zero on a damaged file but still prints the frames before the damage
    const out = (err as { stdout?: string }).stdout;
    if (typeof out === 'string' && out !== '') return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    return (err as { code?: string }).code === 'ENOENT' ? null : [];
  }
}

/** tshark's frame.time_epoch (ns text) rounded half up to whole microseconds, as a number. */
export function epochToMicros(text: string): number {
  const [s, f = ''] = text.split('.');
  const ns = BigInt(s!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
  const us = (ns + 500n) / 1000n;
  return Number(us / 1_000_000n) + Number(us % 1_000_000n) / 1e6;
}
