/**
 * Found by a review of the README and the CLI contract (SPEC §8), fixed since: an empty --out
 * value is bad usage (replay and live), `inspect --filter` on a pipe is bad usage naming
 * --filter, a refused capture says only what refused it (policy warnings once the run starts).
 *
 * Input: samples/call-small.pcap through a pipe, `cat call-small.pcap | aipref-enforcer inspect
 * /dev/stdin --filter 'udp port 5060'` (a FIFO does the same). The usage says of every
 * command's `<capture>`: "a pcap or pcapng file, or a pipe or FIFO carrying one"; the README
 * documents `inspect <capture> [--json] [--filter <bpf>]`.
 *
 * Was: exit 1, stderr
 *   "aipref-enforcer inspect: /dev/stdin: at byte 0: cannot read: ESPIPE: invalid seek, read"
 * — the capture is blamed (at byte 0) for what is a combination the command cannot do: --filter
 * walks the file twice (libpcap, and native-free's reader alongside it to number the frames),
 * and a pipe can be read once. The line does not say --filter is the reason, and a capture that
 * is perfectly readable without --filter is reported as unreadable.
 *
 * Correct: either it works (the 32 SIP frames, numbered as in the file: the same lines as
 * `inspect call-small.pcap --filter 'udp port 5060'`), or it is refused as bad usage (SPEC §8:
 * exit 2) in one line naming --filter and saying it needs a capture file, not a pipe — as the
 * README already does for gzip ("`--filter` (libpcap) does not read it", refused with a line
 * saying so). It must not be exit 1 blaming byte 0 of the capture.
 *
 * Fix: src/cli/inspect.ts runInspect: when values.filter is set and `statCapture(capture)` is
 * not a regular file (`!info.isFile()`), throw new UsageError("--filter reads a capture file
 * twice (libpcap and the frame numbering): give a file, not a pipe or FIFO"); or spool the
 * pipe to a temporary file first. Say so in the usage line of inspect.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isNativePcapAvailable } from '../../../src/sources/native-pcap.js';
import { BIN, cli, SMALL_PCAP } from '../../e2e/e2e-helpers.js';

const available = await isNativePcapAvailable();

const run = promisify(execFile);

async function sh(script: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('sh', ['-c', script, 'sh', ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe.skipIf(!available)('inspect --filter on a capture that comes through a pipe (needs the optional native pcap package)', () => {
  it('works as on the file, or is bad usage naming --filter — never "cannot read: ESPIPE" at byte 0 of the capture', async () => {
    const fromFile = await cli('inspect', SMALL_PCAP, '--filter', 'udp port 5060', '--json');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout.trim().split('\n')).toHaveLength(32);

    const piped = await sh('cat "$1" | "$2" "$3" inspect /dev/stdin --filter "udp port 5060" --json', SMALL_PCAP, process.execPath, BIN);
    expect(piped.stderr).not.toContain('ESPIPE');
    if (piped.code === 0) {
      expect(piped.stdout).toBe(fromFile.stdout);
    } else {
      expect(piped.code).toBe(2);
      expect(piped.stderr.split('\n')[0]).toMatch(/^aipref-enforcer inspect: --filter\b.*(pipe|FIFO|file)/);
      expect(piped.stdout).toBe('');
    }
  });
});
