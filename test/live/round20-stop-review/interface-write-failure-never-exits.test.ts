/**
 * Found by a review of live's stop (round 20), fixed since: live --interface's exit timer is set however `done` settled, a write failure too (src/cli/live.ts runLive).
 *
 * Input: `live --interface lo --filter "udp and dst port P" --policy <raw export> --out <dir>
 *   --workers 0` (root, native pcap); once started, exports.000001.ndjson made a symlink to
 *   /dev/full; 5 RTCP SRs sent to 127.0.0.1:P (nobody listens there: the interface sees them),
 *   then nothing more on that port.
 * Was (observed): `write-failed`, `drain`, `stop` and the one plain line
 *   "aipref-enforcer live: …: cannot write: no space left on device (ENOSPC)" — and then the
 *   process stays up, indefinitely (40 s and more; it ended only when a SIGTERM came, 5 s after
 *   it, through afterStop's timer). runLive sets its 300 ms process.exit() timer only after
 *   `await service.done` resolves; a write failure (or an engine failure) rejects `done`, so
 *   the timer is never set, and node_pcap keeps its poll handle referenced until one more
 *   packet passes the filter — on a quiet filter, never.
 * Correct: SPEC §8 — a write failure stops the run with exit 1 and its one line; under
 *   systemd a service that has stopped itself must end, or Restart=on-failure never acts and
 *   the unit shows "active" while nothing is enforced (the comment over the timer itself says
 *   why it exists: "on a quiet interface the process would stay").
 * Fix: src/cli/live.ts runLive — arm the `setTimeout(() => process.exit(), 300).unref()` for
 *   `opts.iface` however `service.done` settles (in the `finally`, once opts is known; or
 *   better, release node_pcap's handle in native-pcap.ts stop()).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt } from '../live-helpers.js';
import { sendSrs } from '../../live-delivery/live-fixtures.js';
import { canCapture, exitWithin, freeUdpPort, spawnLive } from './helpers.js';

const available = (await canCapture()) && existsSync('/dev/full');
let dir = '';
let policy = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'r20-iface-wf-'));
  policy = path.join(dir, 'raw.json');
  await writeFile(policy, JSON.stringify({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it.skipIf(!available)('live --interface that stopped itself on a write failure ends with exit 1', async () => {
  const out = path.join(dir, 'out');
  await mkdir(out);
  const port = await freeUdpPort();
  const { child, text, waitLine } = spawnLive(['--interface', 'lo', '--filter', `udp and dst port ${port}`, '--policy', policy, '--out', out, '--workers', '0', '--batch-ms', '0']);
  try {
    await waitLine((l) => l.event === 'start', 30_000);
    const full = path.join(out, 'exports.000001.ndjson');
    await symlink('/dev/full', full);
    await sendSrs(port, 5);
    await waitLine((l) => l.event === 'stop', 30_000);
    // a correct run ends ~300 ms after its stop line; 30 s is only a bound for a loaded machine
    const ended = await exitWithin(child, 30_000);
    expect(ended, `stderr:\n${text()}`).toEqual({ code: 1, signal: null });
    const plain = text().split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(plain).toEqual([`aipref-enforcer live: ${full}: cannot write: no space left on device (ENOSPC)`]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 120_000);
