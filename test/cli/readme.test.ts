/**
 * What README.md shows of the command line is what it does: the sample replay's `--json`
 * summary is the object the command prints (it said implicit-binding 3 where the command, and
 * the README's own text summary above it, say 2), and every flag of `live` — each one the
 * README names, and each one the CLI takes — is in the usage (`--hep-auth-key` was missing).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIVE_OPTIONS } from '../../src/cli/live-options.js';
import { USAGE } from '../../src/cli/usage.js';
import { cli, SMALL_PCAP, SMALL_POLICY, Workspace } from '../e2e/e2e-helpers.js';

const README = readFileSync(path.resolve(process.cwd(), 'README.md'), 'utf8');
const ws = new Workspace();
afterAll(() => ws.cleanup());

/** The first fenced block (of `lang`) after the README text `marker`. */
function readmeBlockAfter(marker: string, lang = ''): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`README has no '${marker}'`);
  const start = README.indexOf('```' + lang + '\n', at) + 3 + lang.length + 1;
  return README.slice(start, README.indexOf('\n```', start));
}

describe('README: the sample replay', () => {
  const jsonBlock = () => JSON.parse(readmeBlockAfter('`--json` prints the summary as one object instead:', 'json')) as { reports: Record<string, number> };

  it('shows the --json summary `replay samples/call-small.pcap --policy samples/policy.json --json` prints', async () => {
    const r = await cli('replay', SMALL_PCAP, '--policy', SMALL_POLICY, '--out', await ws.file('readme-json'), '--json', '--workers', '0');
    expect(r.code).toBe(0);
    expect(jsonBlock()).toEqual(JSON.parse(r.stdout));
  });

  it('shows the same report counts in its text summary and its --json one', () => {
    const reportsLine = readmeBlockAfter('## What a replay does').split('\n').find((l) => l.startsWith('reports: '))!;
    const fromText = Object.fromEntries(reportsLine.slice('reports: '.length).split(', ').map((kv) => [kv.split(' ')[0]!, Number(kv.split(' ')[1])]));
    expect(jsonBlock().reports).toEqual(fromText);
  });
});

describe('the usage lists every live flag', () => {
  const liveSection = README.slice(README.indexOf('## Live beside a media relay'));
  // (rtpengine's own --homer… flags are in the section too)
  const readmeFlags = [...new Set([...liveSection.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))].filter((f) => !f.startsWith('--homer'));

  it('that the CLI takes', () => {
    expect(Object.keys(LIVE_OPTIONS).filter((name) => !USAGE.includes(`--${name}`))).toEqual([]);
  });

  it('that the README names, as `--help` and `live --help` print it', async () => {
    expect(readmeFlags).toContain('--hep-auth-key');
    for (const args of [['--help'], ['live', '--help']]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      expect(readmeFlags.filter((f) => !r.stdout.includes(f))).toEqual([]);
    }
  });
});
