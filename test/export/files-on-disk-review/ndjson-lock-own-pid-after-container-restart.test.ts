/**
 * Found by a review of the files the enforcer keeps on disk, fixed since: a lock naming this pid is this process's only if one of its exporters holds that token (ndjson-rotating.ts LOCKS_HELD).
 *
 * Input: `<dir>/exports.lock` holding `<this process's pid> <this host> <a token no exporter of
 * this process issued>` — what a crashed (SIGKILLed, OOM-killed) service leaves when the next
 * start gets the same pid: a container restarted in place (`docker restart`, a pod's container
 * restart: same hostname, same volume, the service again pid 1 or the same small pid).
 * RotatingNdjsonExporter.open({dir, base: 'exports'}) is called with no other exporter open.
 *
 * Was: refused: "…: the exports files are being written by another exporter (pid <own pid>,
 * …/exports.lock): give each service its own --out (delete the lock if no such service runs)".
 * ownerMayRun() treats every lock naming process.pid as held (for "two exporters in one
 * process"), so the restarted service never starts until someone deletes the lock by hand.
 *
 * Correct: README Exporters: "a lock whose owner is gone … is taken over". The owner is gone:
 * no exporter in this process holds that token. open() succeeds (and the lock then holds this
 * exporter's token).
 *
 * Fix: src/export/ndjson-rotating.ts, takeLock()/ownerMayRun(): keep a module-level set of the
 * tokens (or lock paths) held by this process's open exporters; a lock naming this pid whose
 * token is not in that set is stale. (Two exporters of one base in one process stay refused:
 * the first one's token is in the set.)
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingNdjsonExporter } from '../../../src/export/ndjson-rotating.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'review-lock-ownpid-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a lock naming this pid with a token no open exporter holds (a crashed predecessor with the same pid) is taken over', async () => {
  await writeFile(join(dir, 'exports.lock'), `${process.pid} ${hostname()} 00000000-dead-4000-8000-000000000000\n`);
  const outcome = await RotatingNdjsonExporter.open({ dir, base: 'exports' }).then(
    async (ex) => {
      const lock = await readFile(join(dir, 'exports.lock'), 'utf8');
      await ex.close();
      return lock.includes('00000000-dead') ? 'opened, stale lock kept' : 'opened';
    },
    (e: Error) => `refused: ${e.message.replace(dir, '<dir>')}`,
  );
  expect(outcome).toBe('opened');
});
