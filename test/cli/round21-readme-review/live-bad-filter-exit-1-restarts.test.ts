/**
 * Found by a review of the README's claims (round 21), fixed since: a --filter libpcap refuses
 * on a device that opens without it is a BpfFilterError, which live turns into bad usage (exit 2,
 * `--filter '<bpf>': <libpcap's reason>`, no usage text), the refused start removing what it made
 * (src/sources/native-pcap.ts startInterfaceCapture, liveOpensWithoutFilter; src/cli/live.ts startLive).
 *
 * Input: README "Commands": "A filter libpcap cannot compile is bad usage (exit 2: `--filter 'udp
 * prot 5060': can't parse filter expression: syntax error`)"; README "Live beside a media relay":
 * a mistaken option "is bad usage, exit 2, like a mistyped flag (a systemd unit's
 * `RestartPreventExitStatus=2` then does not restart it)"; "A switch-port mirror": `--interface
 * <name> --filter <bpf>`. Run (root, libpcap): `live --interface lo --filter 'udp prot 5060'
 * --out <tmp>`.
 *
 * Was (observed): exit 1, `aipref-enforcer live: interface lo: can't parse filter expression:
 * syntax error` — the same typo `inspect` calls bad usage (exit 2, naming `--filter`) is "bad
 * input" to live. Under contrib/systemd/aipref-enforcer.service (Restart=on-failure,
 * RestartSec=2, RestartPreventExitStatus=2) a mistyped --filter in live.yaml restarts the service
 * every 2 s for ever, which is what the README says exit 2 is there to prevent.
 *
 * Correct: the code should change — a filter libpcap cannot compile is the operator's typo, for
 * live as for inspect: exit 2, the line naming `--filter` (or the config key `filter`), as the
 * README's exit-code rules and the unit's RestartPreventExitStatus intend.
 *
 * Fix: src/sources/native-pcap.ts startInterfaceCapture: when createSession fails with a filter,
 * try the device without it (as opensWithoutFilter does for files) and throw BpfFilterError when
 * that opens; src/cli/live.ts runLive (or startLive): a BpfFilterError becomes a UsageError
 * (`--filter '<bpf>': …`, withUsage false).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../../e2e/e2e-helpers.js';
import { REPO } from '../../live/live-helpers.js';

/** root (capture on lo) and the pcap package */
const canRun = process.getuid?.() === 0 && spawnSync(process.execPath, ['-e', "require('pcap')"], { cwd: REPO, stdio: 'ignore' }).status === 0;

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.skipIf(!canRun)('live --filter libpcap cannot compile: exit 2 naming --filter, as inspect', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'r21-live-filter-'));
  const inspect = await cli('inspect', path.join(REPO, 'samples/call-small.pcap'), '--filter', 'udp prot 5060');
  expect(inspect.code).toBe(2);
  const live = await cli('live', '--interface', 'lo', '--filter', 'udp prot 5060', '--out', path.join(dir, 'out'));
  expect(live.stderr).toContain("can't parse filter expression");
  expect(live.code).toBe(2);
  expect(live.stderr).toContain("--filter 'udp prot 5060'");
  // one line (no usage text: the command line was well formed), and the refused start leaves nothing behind
  expect(live.stderr.trim().split('\n')).toEqual(["aipref-enforcer live: --filter 'udp prot 5060': can't parse filter expression: syntax error"]);
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
}, 30_000);
