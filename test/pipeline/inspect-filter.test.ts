import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isNativePcapAvailable } from '../../src/sources/native-pcap.js';

const run = promisify(execFile);
const cli = path.resolve('bin/aipref-enforcer.js');
const built = existsSync(path.resolve('dist/src/cli/main.js'));
const captures = path.resolve('../shared/captures');
const available = await isNativePcapAvailable();

interface InspectLine {
  frame: number;
  proto: string;
  sport: number | null;
  dport: number | null;
}

async function inspectJson(capture: string, ...args: string[]): Promise<InspectLine[]> {
  const { stdout } = await run(process.execPath, [cli, 'inspect', path.join(captures, capture), '--json', '--quiet', ...args]);
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as InspectLine);
}

/** a capture, a BPF filter, and the same choice made on the unfiltered lines */
const cases: [capture: string, bpf: string, keep: (p: InspectLine) => boolean][] = [
  ['heplify_ipip0.pcap', 'udp and src port 5060', (p) => p.sport === 5060],
  ['heplify_sip_ipv4_tcp.pcap', 'udp and src port 6000', (p) => p.sport === 6000],
  ['heplify_sip_ipv4_tcp.pcap', 'tcp', (p) => p.sport === 5060 || p.dport === 5060],
  ['heplify_sip_ipv4_tcp.pcap', 'udp[1] & 1 = 1', (p) => p.proto === 'rtcp'],
];

describe.skipIf(!built)('inspect --filter (BPF through libpcap)', () => {
  for (const [capture, bpf, keep] of cases) {
    it.skipIf(!available)(
      `${capture} '${bpf}': the unfiltered lines the filter selects, frame numbers in the capture included${available ? '' : ' (skipped: optional pcap package not installed — apt-get install libpcap-dev && npm install pcap)'}`,
      async () => {
        const all = await inspectJson(capture);
        const filtered = await inspectJson(capture, '--filter', bpf);
        const expected = all.filter(keep);
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(all.length);
        // SPEC §8: `frame` is the packet's number in the capture, whatever the filter left out
        expect(expected.some((p, k) => p.frame !== k + 1)).toBe(true);
        expect(filtered).toEqual(expected);
      },
    );
  }

  it.skipIf(available)('without the native package says in one line how to get it, exit 1', async () => {
    const err = await run(process.execPath, [cli, 'inspect', path.join(captures, 'heplify_ipip0.pcap'), '--filter', 'udp']).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    const stderr = (err as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/libpcap-dev/);
  });
});
