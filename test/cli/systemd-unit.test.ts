/**
 * contrib/systemd/aipref-enforcer.service and contrib/live.yaml do what they say against the real
 * command: the unit's ExecStart (`aipref-enforcer live --config /etc/aipref/live.yaml`, the example
 * config's paths moved into a temporary folder and its addresses to free ports) starts the
 * service; ExecReload's signal (SIGHUP) re-reads the policy (`reload`); KillSignal (SIGTERM) stops
 * it with exit 0 well within TimeoutStopSec; RestartPreventExitStatus=2 is what a config value the
 * command cannot take (bad usage) exits with. The config's out folder is the unit's state folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, SMALL_POLICY, Workspace } from '../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const UNIT = readFileSync(path.resolve(process.cwd(), 'contrib/systemd/aipref-enforcer.service'), 'utf8');
const CONFIG = readFileSync(path.resolve(process.cwd(), 'contrib/live.yaml'), 'utf8');

/** The unit's `Key=value` settings (the last one of a key wins, as systemd reads them). */
function unitSetting(key: string): string {
  const lines = UNIT.split('\n').filter((l) => l.startsWith(`${key}=`));
  expect(lines.length, key).toBeGreaterThan(0);
  return lines.at(-1)!.slice(key.length + 1);
}

/** The example config with its paths in `dir` and its addresses on free loopback ports. */
async function configIn(dir: string, extra = ''): Promise<string> {
  const policy = path.join(dir, 'policy.json');
  await copyFile(SMALL_POLICY, policy);
  const text = CONFIG.replace(/^hep: .*$/m, 'hep: 127.0.0.1:0')
    .replace(/^metrics: .*$/m, 'metrics: 127.0.0.1:0')
    .replace(/^policy: .*$/m, `policy: ${policy}`)
    .replace(/^out: .*$/m, `out: ${path.join(dir, 'state')}`);
  const file = path.join(dir, 'live.yaml');
  await writeFile(file, text + extra);
  return file;
}

/** ExecStart's arguments after the command's name, the config file put in its place. */
function execStartArgs(config: string): string[] {
  const words = unitSetting('ExecStart').split(/\s+/);
  const at = words.indexOf('aipref-enforcer');
  expect(at).toBeGreaterThanOrEqual(0);
  return words.slice(at + 1).map((w) => (w === '/etc/aipref/live.yaml' ? config : w));
}

describe('contrib/systemd/aipref-enforcer.service', () => {
  it('names the example config, and keeps the state where the config writes', () => {
    expect(unitSetting('ExecStart')).toContain('--config /etc/aipref/live.yaml');
    expect(CONFIG).toMatch(/^out: \/var\/lib\/aipref$/m);
    expect(unitSetting('StateDirectory')).toBe('aipref');
    expect(unitSetting('ReadWritePaths')).toBe('/var/lib/aipref');
    // call identifiers and telemetry are not for every user of the host
    expect(unitSetting('StateDirectoryMode')).toBe('0750');
    expect(unitSetting('UMask')).toBe('0027');
  });

  // systemd's own reading of the unit (keys, values, ExecStart's path), where systemd is installed
  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!analyze)('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', path.resolve(process.cwd(), 'contrib/systemd/aipref-enforcer.service')], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('starts, reloads on its ExecReload signal and stops on its KillSignal with exit 0', async () => {
    const dir = await ws.file('unit');
    await mkdir(dir, { recursive: true });
    const args = execStartArgs(await configIn(dir));
    expect(unitSetting('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    const killSignal = unitSetting('KillSignal') as NodeJS.Signals;
    const stopWithinSec = Number(unitSetting('TimeoutStopSec'));

    // under the unit's UMask, as systemd starts it
    const child = spawn('sh', ['-c', `umask ${unitSetting('UMask')} && exec "$@"`, 'sh', process.execPath, BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const waiters: { event: string; resolve: () => void }[] = [];
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const w of [...waiters]) if (stderr.includes(`"event":"${w.event}"`)) w.resolve();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const seen = (event: string) =>
      Promise.race([new Promise<void>((resolve) => waiters.push({ event, resolve })), exited.then(() => undefined), new Promise<void>((r) => setTimeout(r, 15_000))]);
    try {
      await seen('start');
      expect(stderr).toContain('"event":"start"');
      // what the service writes is not readable by other users (no mode set in the code: the umask's)
      const written = await readdir(path.join(dir, 'state'), { recursive: true });
      expect(written.length).toBeGreaterThan(0);
      for (const name of written) expect(((await stat(path.join(dir, 'state', name))).mode & 0o007).toString(8), name).toBe('0');
      child.kill('SIGHUP');
      await seen('reload');
      expect(stderr).toContain('"event":"reload"');
      const stopAsked = Date.now();
      child.kill(killSignal);
      expect(await exited).toBe(0);
      expect((Date.now() - stopAsked) / 1000).toBeLessThan(stopWithinSec);
      expect(stderr).toContain('"event":"stop"');
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);

  it('exits with RestartPreventExitStatus (bad usage) for a config value the command cannot take (a bad flag value)', async () => {
    const dir = await ws.file('unit-bad');
    await mkdir(dir, { recursive: true });
    const args = execStartArgs(await configIn(dir, 'workers: many\n'));
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).toContain("config key 'workers'");
    expect(String(code)).toBe(unitSetting('RestartPreventExitStatus'));
    expect(await readFile(path.join(dir, 'live.yaml'), 'utf8')).toContain('workers: many');
  });
});
