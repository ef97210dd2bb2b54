/** A hand-built call (A 10.0.0.1 audio 4000/RTCP 4001, SSRC 1111; B 10.0.0.2 audio 5000) whose RTCP compounds are given; replayed through the CLI. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request, response, sdpOf, writeCall } from '../../e2e/hand-built-calls.js';

const BIN = path.resolve(process.cwd(), 'bin/aipref-enforcer.js');
export const SPLIT_POLICY = {
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
  default: null,
};
export const POLICY = {
  apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } },
  dialogs: [{ callId: 'review-lifecycle@10.0.0.1', apt: ['apt-raw'] }],
  default: null,
};

export interface CliRun {
  summary: Record<string, any>;
  exports: Record<string, any>[];
  reports: Record<string, any>[];
  decisions: Record<string, any>[];
  stderr: string;
}

/** Frames 1-3 are SIP; compound i is frame 4 + i, sent A:4001 → B:5001. */
export async function writeCompounds(compounds: Uint8Array[], sdpA: string = sdpOf('a', []), sdpB: string = sdpOf('b', []), port = 4001, dport = 5001): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compound-review-'));
  const file = path.join(dir, 'c.pcap');
  await writeCall(file, (at) => {
    at(0, request('INVITE', 1, sdpA, [], ''), true);
    at(0.1, response('200 OK', 1, sdpB), false);
    at(0.2, request('ACK', 1, null), true);
    compounds.forEach((c, i) => at(1 + i * 0.01, c, true, port, dport));
  });
  return file;
}

export function replayCli(file: string, workers: number, policy: unknown = POLICY): CliRun {
  const out = mkdtempSync(path.join(os.tmpdir(), 'compound-review-out-'));
  const pol = path.join(out, 'policy.json');
  writeFileSync(pol, JSON.stringify(policy));
  let stdout = '';
  let stderr = '';
  try {
    stdout = execFileSync(process.execPath, [BIN, 'replay', file, '--policy', pol, '--out', out, '--workers', String(workers), '--explain', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    stderr = String(e.stderr);
    throw new Error(`replay failed: ${stderr}`);
  }
  const lines = (name: string) =>
    readFileSync(path.join(out, name), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  return { summary: JSON.parse(stdout.trim().split('\n').pop()!), exports: lines('exports.ndjson'), reports: lines('reports.ndjson'), decisions: lines('decisions.ndjson'), stderr };
}

/** tshark fields with udp 5001 decoded as RTCP. */
export function tshark(file: string, fields: string[], extra: string[] = []): string[] {
  return execFileSync('tshark', ['-r', file, '-d', 'udp.port==5001,rtcp', ...extra, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter((l) => l !== '');
}

/** `bindings --json` through the CLI (the binding table at the end of the capture). */
export function bindingsCli(file: string, policy: unknown = POLICY): Record<string, any>[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compound-review-b-'));
  const pol = path.join(dir, 'policy.json');
  writeFileSync(pol, JSON.stringify(policy));
  return JSON.parse(execFileSync(process.execPath, [BIN, 'bindings', file, '--policy', pol, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Replays with 0 and 2 workers, checks both give the same lines and summary, returns the 0-worker run. */
export function replayBoth(file: string, policy: unknown = POLICY): CliRun {
  const [a, b] = [0, 2].map((w) => replayCli(file, w, policy));
  const strip = (r: CliRun) => ({ summary: r.summary, reports: r.reports, decisions: r.decisions, exports: r.exports.map(({ requestId: _r, ...rest }) => rest) });
  if (JSON.stringify(strip(a!)) !== JSON.stringify(strip(b!))) throw new Error('--workers 0 and 2 disagree');
  return a!;
}
