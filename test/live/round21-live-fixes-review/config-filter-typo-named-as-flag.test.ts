/**
 * Found by a review of round 21's live-service fixes, fixed since: a filter a config file gave carries
 *   where it came from (LiveOptions iface.filterFrom, src/cli/live-options.ts liveOptionsFromArgs) into
 *   the line refusing it (src/cli/live.ts startLive).
 * Input: (root, pcap package) `live --config <dir>/live.yaml` with the file
 *   `interface: lo` / `filter: udp prot 5060` / `out: <dir>/out` — the shipped unit's way
 *   (contrib/systemd: options in a config file), with a typo in the filter.
 * Was (observed): exit 2, `aipref-enforcer live: --filter 'udp prot 5060': can't parse filter
 *   expression: syntax error` — it names a flag that is on no command line. Every other bad value a
 *   config file gives is named by its file and key (`<file>: config key 'udp-mode': --udp-mode takes
 *   plain or ip-packet, not 'bogus'`), and the review that asked for this exit 2
 *   (test/cli/round21-readme-review/live-bad-filter-exit-1-restarts.test.ts) asked for "the line naming
 *   `--filter` (or the config key `filter`)". An operator reading the journal greps the unit for
 *   `--filter` and finds nothing.
 * Correct: `aipref-enforcer live: <dir>/live.yaml: config key 'filter': --filter 'udp prot 5060':
 *   can't parse filter expression: syntax error` (exit 2, one line), as for any other config value.
 * Fix: src/cli/live.ts: the BpfFilterError → UsageError conversion happens in startLive, after
 *   liveOptionsFromArgs' config-key naming (src/cli/live-options.ts) has run. Carry where the filter
 *   came from in LiveOptions (e.g. iface.filterFrom = `<file>: config key 'filter'`), or do the
 *   naming in runLive around startLive, using the same rule as liveOptionsFromArgs (key in config,
 *   not in flags).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO } from '../live-helpers.js';

const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
const canRun = process.getuid?.() === 0 && spawnSync(process.execPath, ['-e', "require('pcap')"], { cwd: REPO, stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(path.join(tmpdir(), 'r21-config-filter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(!canRun)("a config file's filter libpcap refuses: named by the file and its key, exit 2", () => {
  const config = path.join(dir, 'live.yaml');
  writeFileSync(config, `interface: lo\nfilter: udp prot 5060\nout: ${path.join(dir, 'out')}\n`);
  const r = spawnSync(process.execPath, [BIN, 'live', '--config', config], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toEqual([`aipref-enforcer live: ${config}: config key 'filter': --filter 'udp prot 5060': can't parse filter expression: syntax error`]);
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
  // a flag over the file is named as the flag (as liveOptionsFromArgs does)
  const flag = spawnSync(process.execPath, [BIN, 'live', '--config', config, '--filter', 'udp prot 5061'], { encoding: 'utf8', timeout: 30_000 });
  expect(flag.status).toBe(2);
  expect(flag.stderr.trim()).toBe("aipref-enforcer live: --filter 'udp prot 5061': can't parse filter expression: syntax error");
}, 60_000);
