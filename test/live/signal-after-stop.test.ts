/**
 * Found by CI (stop 33's run, test/export/write-errors-review/checked-fine.test.ts), fixed since:
 * a SIGTERM, SIGINT or SIGHUP that reached live after it had stopped itself on a write failure —
 * between the end of its drain and the process's end, while main printed the failure — found the
 * default action and ended the process by that signal: exit status "killed by SIGTERM" instead of
 * 1, which systemd counts as a clean exit (Restart=on-failure would not act), and the one-line
 * error could be lost (src/cli/live.ts runLive). Three moments: the listeners removed once the
 * service had stopped; a listener swapped for another (removed first: for a moment none); and
 * Node's teardown once the event loop is empty, which closes the signal listeners before the
 * process ends (now left from the 'exit' event, before that teardown).
 *
 * Input: `live --udp 127.0.0.1:0 --policy <raw export> --out <dir> --workers 0`, exports.000001.ndjson
 *   a symlink to /dev/full, RTCP SRs sent; from the `write-failed` log line on, the signal sent
 *   every millisecond until the process has ended.
 * Correct: SPEC §8 — exit 1 (not a signal), the one plain line on stderr.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuilt, LiveChild } from './live-helpers.js';
import { sendSrs } from '../live-delivery/live-fixtures.js';

let dir = '';
let policy = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'sig-after-stop-'));
  policy = path.join(dir, 'raw.json');
  await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  // a few runs each: the moment hit differs from run to run
  it.skipIf(!existsSync('/dev/full')).each([1, 2, 3, 4])(`${signal} over and over from the write failure to the end: exit 1, the one line (run %i)`, async (n) => {
    const out = path.join(dir, `out-${signal}-${n}`);
    await mkdir(out);
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', policy, '--out', out, '--workers', '0', '--batch-ms', '0']);
    const full = path.join(out, 'exports.000001.ndjson');
    await symlink('/dev/full', full);
    try {
      const sending = sendSrs(addresses.udp!.port, 1).catch(() => undefined);
      await live.waitFor((l) => l.event === 'write-failed', 15_000);
      let signals = 0;
      while (live.child.exitCode === null && live.child.signalCode === null && signals < 20_000) {
        live.child.kill(signal);
        signals++;
        await new Promise((r) => setTimeout(r, 1));
      }
      const code = await live.exited;
      await sending;
      expect({ code, signal: live.child.signalCode }).toEqual({ code: 1, signal: null });
      const plain = live.stderrText.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
      expect(plain).toEqual([`aipref-enforcer live: ${full}: cannot write: no space left on device (ENOSPC)`]);
    } finally {
      if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
    }
  }, 60_000);
}
