/**
 * Found by a review of round 21's live-service fixes, fixed since: the cannot-connect line names every
 *   server of the list, each in its display form, and the client's text has each server replaced by it
 *   (src/cli/live.ts startLive, the NatsJetStreamExporter.open catch). Entries with different credentials
 *   are now bad usage before any connect (nats-list-different-credentials-first-wins): that case is here
 *   the same credentials in both entries.
 * Input: `live --udp 127.0.0.1:0 --nats <list>` where no server of the list accepts (two closed
 *   ports), the list being `nats://127.0.0.1:<a>,nats://u:secret@127.0.0.1:<b>` (credentials in the
 *   second entry only), `nats://x:pw1@127.0.0.1:<a>,nats://y:pw2@127.0.0.1:<b>`, or
 *   `nats://127.0.0.1:<a>/?q=1,nats://127.0.0.1:<b>`.
 * Was (observed): `aipref-enforcer live: --nats nats://127.0.0.1:<b>: cannot connect: CONNECTION_REFUSED`
 *   — only the LAST server is named in the first two cases, and in the third
 *   `--nats nats://127.0.0.1:<a>/?q=…: cannot connect` (the second server swallowed into the first's
 *   query). The line reads as if live only tried <b> (or only <a>): an operator checks the wrong host.
 * Correct: the line names every server of the list, each without credentials
 *   (`--nats nats://127.0.0.1:<a>,nats://127.0.0.1:<b>: cannot connect: …`), as README's NATS bullet
 *   says ("a message names the server without them"; "Several servers go as a comma-separated list").
 *   No password shown either way.
 * Fix: src/cli/live.ts startLive, the NatsJetStreamExporter.open catch: call
 *   natsServersForDisplay(opts.nats.serverList ?? opts.nats.servers) — it is handed the raw comma
 *   string, which splitUserinfo treats as ONE URL (everything up to the last '@' is cut as userinfo,
 *   and urlForDisplay cuts everything after the first '?').
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freeTcpPort } from '../../export/nats-server-process.js';
import { REPO } from '../live-helpers.js';

const BIN = path.join(REPO, 'bin/aipref-enforcer.js');

it.each([
  ['credentials in the second entry only', (a: number, b: number) => `nats://127.0.0.1:${a},nats://u:secret@127.0.0.1:${b}`],
  ['the same credentials in both entries', (a: number, b: number) => `nats://x:pw1@127.0.0.1:${a},nats://x:pw1@127.0.0.1:${b}`],
  ['a query in the first entry', (a: number, b: number) => `nats://127.0.0.1:${a}/?q=1,nats://127.0.0.1:${b}`],
])('%s: the cannot-connect line names both servers, no credentials', async (_what, list) => {
  const a = await freeTcpPort();
  const b = await freeTcpPort();
  const r = spawnSync(process.execPath, [BIN, 'live', '--udp', '127.0.0.1:0', '--nats', list(a, b), '--quiet'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(1);
  const line = r.stderr.trim();
  expect(line).not.toMatch(/secret|pw1|pw2/);
  expect(line).toContain('cannot connect');
  expect(line).toContain(`127.0.0.1:${a}`);
  expect(line).toContain(`127.0.0.1:${b}`);
}, 90_000);
