/**
 * Shared by the round-24 review of b0f1ea9 (unbound subjects a call declares) and bd13355 (token
 * expiry by the capture clock): the CLI (`node bin/aipref-enforcer.js replay`, dist) on a
 * hand-built capture, with --workers 0, 1 and 2 — the three runs' lines must be byte-identical.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { cli } from '../e2e-helpers.js';
import { type At, writeCall } from '../hand-built-calls.js';

export interface CliRun {
  decisions: Record<string, unknown>[];
  reports: Record<string, unknown>[];
  exports: Record<string, unknown>[];
  summary: Record<string, unknown>;
}

const read = async (dir: string, base: string): Promise<string> => readFile(path.join(dir, `${base}.ndjson`), 'utf8').catch(() => '');
const parse = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

export class Scratch {
  private dir: string | null = null;
  private n = 0;
  async folder(): Promise<string> {
    this.dir ??= await mkdtemp(path.join(tmpdir(), 'r24-clock-unbound-'));
    return this.dir;
  }
  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  /** Writes the capture (hand-built-calls' A/B), the policy JSON, and replays it by the CLI with workers 0, 1, 2. */
  async replay(name: string, write: (at: At) => void, policy: unknown): Promise<CliRun> {
    const dir = path.join(await this.folder(), `${name}-${this.n++}`);
    const capture = `${dir}.pcap`;
    const pol = `${dir}.policy.json`;
    await writeCall(capture, write);
    await writeFile(pol, JSON.stringify(policy));
    let first: { text: string[]; summary: Record<string, unknown> } | null = null;
    for (const workers of [0, 1, 2]) {
      const out = `${dir}-w${workers}`;
      // (another helper rebuilds dist at times: a missing dist file is retried once)
      let r = await cli('replay', capture, '--policy', pol, '--out', out, '--explain', '--json', '--workers', String(workers));
      if (r.code !== 0 && /Cannot find module|ERR_MODULE_NOT_FOUND/.test(r.stderr)) r = await cli('replay', capture, '--policy', pol, '--out', out, '--explain', '--json', '--workers', String(workers));
      expect(r.code, r.stderr).toBe(0);
      const text = await Promise.all(['decisions', 'reports', 'exports'].map((b) => read(out, b)));
      const summary = JSON.parse(r.stdout) as Record<string, unknown>;
      if (first === null) first = { text, summary };
      else expect({ text, summary }, `workers ${workers}`).toEqual(first);
    }
    return { decisions: parse(first!.text[0]!), reports: parse(first!.text[1]!), exports: parse(first!.text[2]!), summary: first!.summary };
  }
}

/** `frame decision reason` of each decision line (optionally of one SSRC). */
export const decisionsOf = (run: CliRun, ssrc?: number): string[] =>
  run.decisions.filter((d) => ssrc === undefined || d.ssrc === ssrc).map((d) => `${d.frame} ${d.decision} ${d.reason}`);
