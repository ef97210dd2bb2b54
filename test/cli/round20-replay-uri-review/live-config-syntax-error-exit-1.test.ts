/**
 * Found by a review of replay outputs and live options (round 20), fixed since: a config file that does not parse or is not a mapping is a UsageError without the usage text, one that cannot be read stays an Error (src/cli/live-options.ts readConfig).
 */
/**
 * Input: `aipref-enforcer live --config /etc/aipref/live.json` (the systemd unit's ExecStart) where
 *   the operator's edit broke the file: (a) a trailing comma `{"hep": "0.0.0.0:9060",}`, (b) a key
 *   given twice (`hep` twice — refused, "as strict as the policy file"), (c) a YAML line indented
 *   wrongly, (d) a JSON array instead of an object.
 * Was: (observed) exit 1 for all four ("cannot read config file: …", "config file must be a JSON
 *   object"), while `{"hepp": …}` (an unknown key) and `{"explain": "yes"}` are exit 2 since 2959c65.
 *   With Restart=on-failure and RestartPreventExitStatus=2 (contrib/systemd) the service is
 *   restarted every 2 s for ever, logging the same line, for a mistake no restart can mend.
 * Correct: exit 2 (SPEC §8: 2 bad usage): the config file is the command line written in a file
 *   (README: "keys are the flags' names"); a broken one is a mistyped command line, as an unknown
 *   key is — 2959c65's own reason (the unit's RestartPreventExitStatus). A config file that is
 *   missing or unreadable stays exit 1 (it may yet appear: a mount, config management), as a
 *   policy or CA file named in it does (checked fine in checked-fine.test.ts).
 * Fix: src/cli/live-options.ts readConfig: throw UsageError (withUsage false: the line says all)
 *   for a parse error and for a document that is not a mapping; keep Error for readFile failing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r20-live-config-syntax-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const cases: [string, string, string][] = [
  ['(a) a trailing comma', 'live.json', '{"hep": "127.0.0.1:0",}'],
  ['(b) a key given twice', 'live.json', '{"hep": "127.0.0.1:0", "hep": "127.0.0.1:0"}'],
  ['(c) YAML indented wrongly', 'live.yaml', 'hep: 127.0.0.1:0\n  policy: /etc/aipref/policy.json\n'],
  ['(d) an array, not an object', 'live.json', '["hep", "127.0.0.1:0"]'],
];

for (const [name, file, text] of cases) {
  it(`${name}: bad usage, exit 2`, async () => {
    const sub = await mkdtemp(path.join(dir, 'c-'));
    const config = path.join(sub, file);
    await writeFile(config, text);
    const r = cli(['live', '--config', config, '--out', path.join(sub, 'out'), '--quiet']);
    expect(r.stderr).toContain(config);
    expect(r.status, r.stderr.split('\n')[0]).toBe(2);
  }, 60_000);
}
