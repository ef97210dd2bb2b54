/**
 * Found by a review of the NATS fixes (ee4d134), fixed since: an entry with userinfo and no scheme
 * after an entry with a scheme and no userinfo is refused by number, nothing shown
 * (src/cli/live-options.ts natsServerList).
 * Input: `live --nats nats://enf:2024,Summer@127.0.0.1:<closed port>` — one server whose password
 *   `2024,Summer` holds a ',' written as is, the piece before it digits only (a year, a PIN: anything
 *   a port may be, up to 65535).
 * Was (observed): exit 1, `aipref-enforcer live: --nats nats://enf:2024,127.0.0.1:<p>: cannot connect:
 *   CONNECTION_REFUSED` — the user name and the first piece of the password on stderr (collected
 *   logs). The value is split at ',' into `nats://enf:2024` — which isServerUrl takes as host `enf`,
 *   port 2024 — and `Summer@127.0.0.1:<p>` (token `Summer`): no entry is refused, only one carries
 *   credentials, so none "differ"; the failure line then shows `nats://enf:2024` as a server.
 *   (Not new in ee4d134 — isServerUrl judged that piece the same before — but it is the case its
 *   rule is meant for: a password split at ',' leaves `nats://u:pa`, "said by its number, never
 *   shown"; a piece that happens to be a number escapes it. `nats://enf:S3cr,et@h` is refused, exit 2.)
 * Correct: nothing of the password shown, as for `nats://enf:S3cr,et@h`: exit 2, "entry 1 of 2 is
 *   not a server URL (not shown: a ',' in a password is written %2C)" or the like — an entry
 *   carrying userinfo with no scheme of its own (`Summer@h`) right after an entry with a scheme and
 *   no userinfo is the second half of a split password far more often than a server list.
 * Fix: src/cli/live-options.ts natsServerList: refuse by number, nothing shown, an entry that has
 *   userinfo ('@') but no `scheme://` when an earlier entry has a scheme and no userinfo (or, more
 *   simply, a `scheme://x:digits` entry with no '@' followed by a scheme-less entry with an '@').
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { BIN, freeTcpPort } from '../round22-nats-review/helpers.js';

it('a password "2024,Summer" written as is: no piece of it on stderr', async () => {
  const closed = await freeTcpPort();
  const r = spawnSync(process.execPath, [BIN, 'live', '--hep', '127.0.0.1:0', '--nats', `nats://enf:2024,Summer@127.0.0.1:${closed}`], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).not.toContain('Summer');
  expect(r.stderr.split('\n')[0]).not.toContain('2024');
  expect(r.status).toBe(2);
}, 90_000);
