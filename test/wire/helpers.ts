import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodePcapFileHeader, encodePcapRecord } from '../../native-free/write.js';
import { concatBytes as concat } from '../native-free/capture-helpers.js';

export const TMP = path.join(os.tmpdir(), 'aipref-wire-tests');
const BIN = path.resolve(__dirname, '../../bin/aipref-enforcer.js');

/** Byte arrays end to end (the native-free tests' helper, under the name these tests use). */
export { concat };

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export interface Rec {
  ts: number;
  data: Uint8Array;
  /** captured length (snaplen cut); default all */
  capLen?: number;
}

/** Writes a classic µs pcap and returns its path. */
export function writePcap(name: string, linkType: number, records: Rec[]): string {
  mkdirSync(TMP, { recursive: true });
  const parts: Uint8Array[] = [encodePcapFileHeader(linkType)];
  for (const r of records) {
    const cap = r.capLen === undefined ? r.data : r.data.subarray(0, r.capLen);
    parts.push(encodePcapRecord(r.ts, cap, { origLen: r.data.length }));
  }
  const file = path.join(TMP, name);
  writeFileSync(file, concat(...parts));
  return file;
}

export function writeFile(name: string, bytes: Uint8Array): string {
  mkdirSync(TMP, { recursive: true });
  const file = path.join(TMP, name);
  writeFileSync(file, bytes);
  return file;
}

export type Line = Record<string, any>;

/** `inspect --json` through the built CLI. */
export function inspect(file: string): Line[] {
  const out = execFileSync(process.execPath, [BIN, 'inspect', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** tshark -T fields, one array per frame (tab separated). */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=\t', ...extra];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/** A minimal RTP packet. */
export function rtp(ssrc: number, seq: number, payloadBytes = 160): Uint8Array {
  const b = new Uint8Array(12 + payloadBytes);
  const dv = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = 0;
  dv.setUint16(2, seq);
  dv.setUint32(4, seq * 160);
  dv.setUint32(8, ssrc);
  b.fill(0xd5, 12);
  return b;
}

/** Whether tshark is installed (the tests that compare with it say they skip otherwise). */
export const hasTshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
