import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isNativePcapAvailable } from '../../src/sources/native-pcap.js';

const run = promisify(execFile);
const cli = path.resolve('bin/aipref-enforcer.js');
const built = existsSync(path.resolve('dist/src/cli/main.js'));
const capture = path.resolve('../shared/captures/heplify_ipip0.pcap');
const available = await isNativePcapAvailable();

async function inspectJson(...args: string[]): Promise<{ frame: number; proto: string; dport: number | null; sport: number | null }[]> {
  const { stdout } = await run(process.execPath, [cli, 'inspect', capture, '--json', '--quiet', ...args]);
  return stdout.trim().split('\n').map((l) => JSON.parse(l));
}

describe.skipIf(!built)('inspect --filter (BPF through libpcap)', () => {
  it.skipIf(!available)(`keeps exactly the packets the filter selects${available ? '' : ' (skipped: optional pcap package not installed — apt-get install libpcap-dev && npm install pcap)'}`, async () => {
    const all = await inspectJson();
    const filtered = await inspectJson('--filter', 'udp and src port 5060');
    const expected = all.filter((p) => p.sport === 5060);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    // frames are renumbered among what the filter let through; everything else is the same
    expect(filtered.map((p) => ({ ...p, frame: 0 }))).toEqual(expected.map((p) => ({ ...p, frame: 0 })));
  });

  it.skipIf(available)('without the native package says in one line how to get it, exit 1', async () => {
    const err = await run(process.execPath, [cli, 'inspect', capture, '--filter', 'udp']).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    const stderr = (err as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/libpcap-dev/);
  });
});
