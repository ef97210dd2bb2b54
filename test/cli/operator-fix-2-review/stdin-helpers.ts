/** The CLI with its stdin a socket (Node's child stdio 'pipe') kept open by a writer that stays. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SMALL_PCAP = path.resolve(process.cwd(), 'samples/call-small.pcap');
export const SMALL_POLICY = path.resolve(process.cwd(), 'samples/policy.json');

export interface HeldRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from spawn to exit (or to the kill after timeoutMs) */
  ms: number;
  /** killed after timeoutMs */
  killed: boolean;
}

/**
 * `aipref-enforcer <args>`, `bytes` written to its stdin at once and stdin then left open (a
 * writer still writing, as `tcpdump -w -` on a quiet link); `sigintAfterMs`: SIGINT then.
 * Killed (SIGKILL) after `timeoutMs`.
 */
export function runHeldOpen(args: readonly string[], bytes: Uint8Array, opts: { sigintAfterMs?: number; timeoutMs?: number } = {}): Promise<HeldRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.on('error', () => {});
    child.stdin!.write(bytes);
    const sigint = opts.sigintAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGINT'), opts.sigintAfterMs);
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 8_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (sigint) clearTimeout(sigint);
      child.stdin!.destroy();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, killed });
    });
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
 * A classic pcap of at least `minBytes`: samples/call-small.pcap's records again and again,
 * each copy's times moved on past the one before (so the capture's clock goes forward).
 */
export async function repeatedCapture(minBytes: number): Promise<Uint8Array> {
  const small = new Uint8Array(await readFile(SMALL_PCAP));
  const body = small.subarray(24);
  const copies = Math.ceil(minBytes / body.length);
  const out = new Uint8Array(24 + copies * body.length);
  out.set(small.subarray(0, 24), 0);
  const dv = new DataView(out.buffer);
  const offsets = pcapRecordOffsets(small).map((o) => o - 24);
  for (let c = 0; c < copies; c++) {
    const base = 24 + c * body.length;
    out.set(body, base);
    for (const o of offsets) dv.setUint32(base + o, dv.getUint32(base + o, true) + c * 10, true);
  }
  return out;
}

/** `bytes` with record number `record`'s captured length made absurd; returns the record's offset. */
export function breakRecord(bytes: Uint8Array, record: number): number {
  const offset = pcapRecordOffsets(bytes)[record]!;
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(offset + 8, 0x7fffffff, true);
  return offset;
}

export const lines = (s: string) => s.split('\n').filter((l) => l !== '');

/** A classic little-endian microsecond pcap rewritten as pcapng (SHB, one IDB, EPBs). */
export function pcapToPcapng(pcap: Uint8Array): Uint8Array {
  const dv = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const linkType = dv.getUint32(20, true);
  const snap = dv.getUint32(16, true);
  const parts: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array) => {
    const len = 12 + body.length;
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, len, true);
    b.set(body, 8);
    v.setUint32(len - 4, len, true);
    parts.push(b);
  };
  const shb = new Uint8Array(16);
  const s = new DataView(shb.buffer);
  s.setUint32(0, 0x1a2b3c4d, true);
  s.setUint16(4, 1, true);
  s.setUint16(6, 0, true);
  s.setInt32(8, -1, true);
  s.setInt32(12, -1, true);
  block(0x0a0d0d0a, shb);
  const idb = new Uint8Array(8);
  new DataView(idb.buffer).setUint16(0, linkType, true);
  new DataView(idb.buffer).setUint32(4, snap, true);
  block(1, idb);
  for (const at of pcapRecordOffsets(pcap)) {
    const sec = dv.getUint32(at, true);
    const usec = dv.getUint32(at + 4, true);
    const cap = dv.getUint32(at + 8, true);
    const orig = dv.getUint32(at + 12, true);
    if (at + 16 + cap > pcap.length) break;
    const padded = (cap + 3) & ~3;
    const body = new Uint8Array(20 + padded);
    const v = new DataView(body.buffer);
    const ts = BigInt(sec) * 1_000_000n + BigInt(usec);
    v.setUint32(0, 0, true);
    v.setUint32(4, Number(ts >> 32n), true);
    v.setUint32(8, Number(ts & 0xffffffffn), true);
    v.setUint32(12, cap, true);
    v.setUint32(16, orig, true);
    body.set(pcap.subarray(at + 16, at + 16 + cap), 20);
    block(6, body);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * `aipref-enforcer <args>`, `bytes` fed to its stdin (a socket) in small pieces of varying size
 * (1–3000 bytes), now and then after a pause, then ended: a writer that writes slowly.
 */
export function runFedInPieces(args: readonly string[], bytes: Uint8Array, opts: { pauseMs?: number; timeoutMs?: number; sigintAfterMs?: number; sigintAfterBytes?: number } = {}): Promise<HeldRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.on('error', () => {});
    let at = 0;
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    // SIGINT sigintAfterMs after the child has taken sigintAfterBytes (the pipe holds back the
    // writer: bytes written are bytes read, less the pipe's buffer), not after a wall time alone
    let sigint: NodeJS.Timeout | undefined;
    const armSigint = () => {
      if (opts.sigintAfterMs !== undefined && sigint === undefined && at >= (opts.sigintAfterBytes ?? 0)) sigint = setTimeout(() => child.kill('SIGINT'), opts.sigintAfterMs);
    };
    const next = (): void => {
      while (at < bytes.length) {
        const n = Math.min(bytes.length - at, 1 + Math.floor(rnd() * 3000));
        const ok = child.stdin!.write(bytes.subarray(at, at + n));
        at += n;
        armSigint();
        if (rnd() < 0.01) return void setTimeout(next, opts.pauseMs ?? 1);
        if (!ok) return void child.stdin!.once('drain', next);
      }
      child.stdin!.end();
    };
    armSigint();
    next();
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (sigint) clearTimeout(sigint);
      at = bytes.length;
      child.stdin!.destroy();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, killed });
    });
  });
}
