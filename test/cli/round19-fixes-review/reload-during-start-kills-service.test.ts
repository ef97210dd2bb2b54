/**
 * Found by a review of the nineteenth round's own fixes, fixed since: live's signal handlers go in before the config is read, and bin/aipref-enforcer.js notes a SIGHUP while the bundle loads, applied once the service has started (src/cli/live.ts runLive, bin/aipref-enforcer.js).
 */
/**
 * Input: the unit contrib/systemd/aipref-enforcer.service (Type=exec, ExecReload=/bin/kill -HUP
 *   $MAINPID) and `systemctl start aipref-enforcer && systemctl reload aipref-enforcer` (a config
 *   management run that installs the policy and reloads, `systemctl reload-or-restart`, a logrotate
 *   or policy-deploy hook that fires during a restart). With Type=exec systemd takes the service for
 *   started as soon as execve succeeded, so ExecReload may signal it before `live` has installed its
 *   SIGHUP handler. Made deterministic here: ExecStart's command with its --config a FIFO; once the
 *   process has opened the config (the FIFO's writer open returns), it gets SIGHUP, then the config.
 * Was (observed): the process dies of SIGHUP (Node's default action) — no `start`, no reload, exit
 *   by signal. runLive installs its handlers only after liveOptionsFromArgs (which reads the config
 *   and so may wait on a slow disk), and before that the bundle's loading takes ~0.1–0.3 s. systemd
 *   counts SIGHUP among the clean exit signals (SIGHUP, SIGINT, SIGTERM, SIGPIPE), so
 *   Restart=on-failure does not restart it: the service stays down after a reload.
 * Correct: a reload asked while the service starts is applied once it has started (runLive's own
 *   `early = 'reload'` path, which exists for this) or at least does not end the process: the unit
 *   promises "systemctl reload re-reads the policy file (SIGHUP)".
 * Fix: install the SIGHUP (and SIGTERM/SIGINT) handlers before anything is awaited: in runLive
 *   before liveOptionsFromArgs, and better first thing in bin/aipref-enforcer.js for `live` (a
 *   listener that records the signal until runLive takes over), or make the unit Type=notify
 *   (NotifyAccess=main, READY=1 after the start line) so systemd does not run ExecReload before
 *   the service is ready.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN, SMALL_POLICY } from '../../e2e/e2e-helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('a SIGHUP (ExecReload) while live is still starting neither kills it nor is lost', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'round19-reload-start-'));
  dirs.push(dir);
  const policy = path.join(dir, 'policy.json');
  await copyFile(SMALL_POLICY, policy);
  const config = path.join(dir, 'live.yaml');
  expect(spawnSync('mkfifo', [config]).status).toBe(0);

  const child = spawn(process.execPath, [BIN, 'live', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) if (stderr.includes(w.text)) w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const seen = (text: string) =>
    Promise.race([new Promise<void>((resolve) => waiters.push({ text, resolve })), exited.then(() => undefined), new Promise<void>((r) => setTimeout(r, 15_000))]);
  try {
    // returns once the service has opened its config: it is past execve, still starting
    const fifo = await open(config, 'w');
    child.kill('SIGHUP'); // ExecReload=/bin/kill -HUP $MAINPID
    await new Promise((r) => setTimeout(r, 200));
    await fifo.write(`hep: 127.0.0.1:0\npolicy: ${policy}\nout: ${path.join(dir, 'state')}\n`).catch(() => undefined);
    await fifo.close().catch(() => undefined);
    await seen('"event":"reload"');
    const gone = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    expect(gone, `exited while starting: ${JSON.stringify(gone)}; stderr: ${stderr}`).toBeNull();
    expect(stderr).toContain('"event":"start"');
    expect(stderr).toContain('"event":"reload"');
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  } finally {
    child.kill('SIGKILL');
  }
}, 40_000);
