/**
 * Found by a review of the AI-service spool, fixed since: `live --spool <dir>` takes `<dir>/spool.lock`
 * at start as `--out` takes `<base>.lock` (src/export/spool.ts DiskSpool.open with lock,
 * src/export/http-exporter.ts AiServiceExporter.open/close).
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --policy p --to <service> --spool S --workers 0`
 *   running; a second `live` with the same `--spool S` (and an `--out` of its own), then SIGTERM to
 *   the first.
 * Was: the second started too, and both services appended to S's segments and acks.
 * Correct: the second exits non-zero before its start (no `start` log line: no packet accepted),
 *   with one plain stderr line naming S, the first's pid and the lock
 *   (`aipref-enforcer live: S: the spool is being used by another exporter (pid N, S/spool.lock): give
 *   each service its own --spool …`), and its own `--out` locks released; the first stops with
 *   exit 0 and removes S/spool.lock.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { LiveChild, REPO } from '../../live/live-helpers.js';
import { liveDeliveryFolder } from '../../live-delivery/live-fixtures.js';
import { startAiService } from '../ai-service-stub.js';

const folder = liveDeliveryFolder('aipref-live-spool-lock-', '1h');

function runLive(args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/aipref-enforcer.js'), 'live', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, stderr, timedOut: true });
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut: false });
    });
  });
}

it('a second live service on the same --spool is refused at start with one line naming the folder and the pid; the first removes the lock at stop', async () => {
  const service = await startAiService((_hit, _n, res) => res.writeHead(503).end());
  const spool = path.join(folder.dir, 'spool');
  const out2 = path.join(folder.dir, 'out2');
  const { live } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--to', service.url, '--spool', spool, '--workers', '0', '--batch-ms', '5']);
  try {
    expect(existsSync(path.join(spool, 'spool.lock'))).toBe(true);
    const second = await runLive(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--to', service.url, '--spool', spool, '--out', out2, '--workers', '0'], 15_000);
    expect(second.timedOut).toBe(false);
    expect(second.code).not.toBe(0);
    const json = second.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(json.filter((l) => (JSON.parse(l) as { event: string }).event === 'start')).toEqual([]);
    const plain = second.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(plain).toEqual([
      `aipref-enforcer live: ${spool}: the spool is being used by another exporter (pid ${live.child.pid}, ${path.join(spool, 'spool.lock')}): give each service its own --spool (delete the lock if no such service runs)`,
    ]);
    expect((await readdir(out2).catch(() => [] as string[])).filter((n) => n.endsWith('.lock'))).toEqual([]);
    expect(await live.terminate()).toBe(0);
    expect(existsSync(path.join(spool, 'spool.lock'))).toBe(false);
  } finally {
    if (live.child.exitCode === null) await live.terminate();
    await service.close();
  }
}, 60_000);
