/**
 * Found by a review of the NATS fixes (b91494c), fixed since: a --nats entry (one server too) is judged by its host once its userinfo is taken out, as the exporter takes it (src/cli/live-options.ts isServerUrl).
 * Input: `live --nats nats://u:ab/cd+e=@127.0.0.1:<p>` — one server whose password (a base64 one:
 *   `/`, `+`, `=`) is written as is, to a real nats-server with user u / password `ab/cd+e=`.
 * Was (observed): exit 2, `--nats takes a NATS server (e.g. nats://127.0.0.1:4222), or several
 *   separated by commas: the value is not a server URL (not shown: it may carry a password)` and the
 *   usage text. Before b91494c a single value was not put through natsServerList, and this one
 *   started and delivered: the exporter reads the value as it always did — splitUserinfo takes the
 *   userinfo up to the last `@` (`u:p@ss@h` is documented as the same set as `u:p%40ss@h`), so the
 *   password is `ab/cd+e=` and the server 127.0.0.1:<p> — and NatsJetStreamExporter.open with the
 *   very same string connects (checked below). isServerUrl instead parses the raw value with
 *   `new URL`, where the `/` ends the authority: host `u`, port `ab` → no URL.
 * Correct: a value the exporter takes and connects with is not bad usage (b91494c's aim was to read
 *   one server as a list's entry is read, not to refuse what worked): live starts. An operator
 *   with a generated password that worked yesterday gets exit 2 after an upgrade, told the value is
 *   "not a server URL" with no hint that a `/` in it is the cause.
 * Fix: src/cli/live-options.ts isServerUrl (used by natsServerList): judge the entry as the
 *   exporter takes it — `natsServerHost(splitUserinfo(server).server) !== ''` — so userinfo with
 *   `/`, `?` or `#` is taken out first, as NatsJetStreamExporter.open does (a `nats://u:pa,ss@h`
 *   piece `nats://u:pa` still has no `@` and stays refused). Failing that, at least say that `/`,
 *   `?`, `#` in a password are written %2F, %3F, %23.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { accepts, freeTcpPort, NATS_SERVER, runToStart, sleep, tempDir } from '../round22-nats-review/helpers.js';

const { dir, remove } = tempDir('r22fix-slash-');
afterAll(remove);
const PASSWORD = 'ab/cd+e=';

async function serverWithPassword(port: number) {
  const child = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(port), '--user', 'u', '--pass', PASSWORD, '-js', '-sd', mkdtempSync(path.join(dir, 'js-'))], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await accepts(port)); i++) await sleep(50);
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
}

it.skipIf(!NATS_SERVER)('one server whose password has a "/": the exporter connects with it, and live starts', async () => {
  const port = await freeTcpPort();
  const stop = await serverWithPassword(port);
  const value = `nats://u:${PASSWORD}@127.0.0.1:${port}`;
  try {
    // the exporter takes the value as it is written (this passes today)
    const exporter = await NatsJetStreamExporter.open({ servers: value, maxRetentionSec: 60, connection: { timeout: 3000 } });
    await exporter.close(100);
    // …and so should the CLI
    const run = await runToStart(path.join(dir, 'out'), value, {}, PASSWORD);
    expect(run.lines.join('\n')).not.toContain('not a server URL');
    expect(run.outcome, run.lines.join('\n')).toBe('started');
    expect(run.secretShown).toBe(false);
  } finally {
    await stop();
  }
}, 60_000);
