/**
 * Found by a review of the round's last fixes, fixed since: an unknown config key or a value of the wrong type is bad usage, exit 2 (src/cli/live-options.ts readConfig).
 */
/**
 * Input: `aipref-enforcer live --config live.yaml` (the unit's ExecStart form) with a config
 *   whose key is mistyped (`polciy: /etc/aipref/policy.json`) or whose boolean key has a string
 *   (`quiet: "yes"`).
 * Was (observed): exit 1 ("unknown config key 'polciy'" / "config key 'quiet' takes true or
 *   false"), while the same mistakes as flags (`--polciy`, a bad `window:` value) exit 2.
 *   contrib/systemd/aipref-enforcer.service says "exit 2 is bad usage (a wrong flag or config
 *   key): restarting cannot mend it" (RestartPreventExitStatus=2, Restart=on-failure): with exit
 *   1, systemd restarts the service every RestartSec (2 s) until its start limit (5 in 10 s by
 *   default) and the unit ends as start-limit-hit, the log five copies of the same line —
 *   found while checking what the new ExecStartPost does when live exits at once.
 * Correct: exit 2, bad usage (SPEC §8: "2 bad usage"; the config file holds the flags by their
 *   names, a wrong name is an unknown flag), as the unit's comment and RestartPreventExitStatus
 *   expect. An unreadable config file may stay 1 (bad input).
 * Fix: src/cli/live-options.ts readConfig: throw UsageError (not Error) for an unknown key and
 *   for a value of the wrong type (boolean / string-or-number).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN } from '../../e2e/e2e-helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it.each([
  ['a mistyped key', 'hep: 127.0.0.1:0\npolciy: /etc/aipref/policy.json\n', /unknown config key 'polciy'/],
  ['a boolean key given a string', 'hep: 127.0.0.1:0\nquiet: "yes"\n', /config key 'quiet'/],
])('live --config with %s is bad usage (exit 2, RestartPreventExitStatus)', async (_what, text, message) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'r19-config-key-'));
  dirs.push(dir);
  const config = path.join(dir, 'live.yaml');
  await writeFile(config, text);
  const r = spawnSync(process.execPath, [BIN, 'live', '--config', config], { encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).toMatch(message);
  expect(r.status, r.stderr).toBe(2);
});
