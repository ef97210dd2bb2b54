/**
 * Found by a review of cf497f1, fixed since: the unit's ExecStartPost waits until the process catches SIGHUP (its SigCgt mask) before the start is done (contrib/systemd/aipref-enforcer.service).
 */
/**
 * Input: contrib/systemd/aipref-enforcer.service (Type=exec, ExecReload=/bin/kill -HUP $MAINPID)
 *   and `systemctl start aipref-enforcer && systemctl reload aipref-enforcer`. With Type=exec the
 *   start job is done once execve succeeded and every ExecStartPost= has run; the reload job runs
 *   then. Modelled here: ExecStart's command spawned (node bin/aipref-enforcer.js live --config …),
 *   the unit's ExecStartPost= commands (if any) run to their end with $MAINPID, then ExecReload's
 *   signal sent at once (a few ms after exec; systemctl's own round trip is about that).
 * Was (observed): the process dies of SIGHUP (exit by signal, no `start`). cf497f1's listener in
 *   bin/aipref-enforcer.js only exists once node has booted and run bin's first lines (~45 ms here:
 *   SIGHUP at 2, 10, 20, 30, 40 ms after spawn killed it; at 60 ms it was noted and applied); node
 *   resets inherited signal dispositions at boot, so nothing before it can help. systemd counts
 *   SIGHUP as a clean exit: Restart=on-failure leaves the service down.
 * Correct: the unit promises "systemctl reload re-reads the policy file (SIGHUP)"; a reload asked
 *   right after a start must not stop the service.
 * Fix: contrib/systemd/aipref-enforcer.service: do not let ExecReload run before the process can
 *   take SIGHUP — an ExecStartPost= that waits for it (e.g. until `live` logged `start`, or wrote a
 *   ready file / its metrics port answers; live could write `<state>/ready`), or Type=notify with
 *   READY=1 sent after `start` (NotifyAccess=all, systemd-notify --ready --pid=$MAINPID).
 *   (A Type=notify unit needs this test to emulate NOTIFY_SOCKET instead of ExecStartPost.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN, SMALL_POLICY } from '../../e2e/e2e-helpers.js';

const UNIT = readFileSync(path.resolve(process.cwd(), 'contrib/systemd/aipref-enforcer.service'), 'utf8');
const settings = (key: string) => UNIT.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('systemctl start && systemctl reload: the reload does not end the service', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'k-reload-exec-'));
  dirs.push(dir);
  const policy = path.join(dir, 'policy.json');
  await copyFile(SMALL_POLICY, policy);
  const config = path.join(dir, 'live.yaml');
  await writeFile(config, `hep: 127.0.0.1:0\nmetrics: 127.0.0.1:0\npolicy: ${policy}\nout: ${path.join(dir, 'state')}\n`);
  expect(settings('Type').at(-1)).toBe('exec');
  expect(settings('ExecReload').at(-1)).toBe('/bin/kill -HUP $MAINPID');
  const words = settings('ExecStart').at(-1)!.split(/\s+/);
  const args = words.slice(words.indexOf('aipref-enforcer') + 1).map((w) => (w === '/etc/aipref/live.yaml' ? config : w));

  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    // the start job: ExecStartPost= commands, in order, each to its end
    for (const post of settings('ExecStartPost')) {
      const cmd = post.replace(/^[-@:+!]+/, '');
      const r = spawnSync('sh', ['-c', cmd], { env: { ...process.env, MAINPID: String(child.pid) }, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, `ExecStartPost ${cmd}: ${r.stderr}`).toBe(0);
    }
    await new Promise((r) => setTimeout(r, 5)); // systemctl reload's own round trip
    child.kill('SIGHUP'); // ExecReload=/bin/kill -HUP $MAINPID
    const end = Date.now() + 15_000;
    while (!stderr.includes('"event":"reload"') && Date.now() < end) {
      const gone = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
      if (gone !== null) break;
    }
    const gone = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    expect(gone, `ended by the reload: ${JSON.stringify(gone)}; stderr: ${stderr}`).toBeNull();
    expect(stderr).toContain('"event":"reload"');
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  } finally {
    child.kill('SIGKILL');
  }
}, 40_000);
