/**
 * Found by a review of suspicions, fixed since: `live --out` whose file cannot be written stops with exit 1 and one line naming the file, its sockets and files closed (src/export/ndjson-file.ts NdjsonFile, src/cli/live.ts startLive).
 */
/**
 * `live --out` on a full disk (the same writer as replay's files: NdjsonFile).
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --policy p --out <dir>`, then
 *   <dir>/exports.000001.ndjson made a symlink to /dev/full (the service opens it at its first
 *   line), then 5 RTCP SRs the policy exports.
 * Was: the process ended on an unhandled rejection with Node's stack and
 *   `Error: ENOSPC: no space left on device, write`, no file named. With the write error named
 *   but nothing else changed, the service printed the line and stayed up, its UDP socket open and
 *   no engine reading it, until killed.
 * Correct: the project rule (an I/O failure: one clear line naming the file); SPEC §8: exit 1,
 *   one line, never a stack.
 * Fix: NdjsonFile names the file in its write error and never leaves a rejection unobserved;
 *   startLive closes its listeners, exporters and metrics server when the engine fails.
 */
import { expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { LiveChild } from '../../live/live-helpers.js';
import { liveDeliveryFolder, sendSrs } from '../../live-delivery/live-fixtures.js';

const folder = liveDeliveryFolder('aipref-enospc-live-', '60s');

it.skipIf(!existsSync('/dev/full'))('live --out on a full disk: exit 1 by itself, one line naming the file', async () => {
  const out = path.join(folder.dir, 'out');
  await mkdir(out);
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--out', out, '--workers', '0', '--batch-ms', '5']);
  try {
    await symlink('/dev/full', path.join(out, 'exports.000001.ndjson'));
    await sendSrs(addresses.udp!.port, 5, 0x11223344);
    const code = await Promise.race([live.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
    expect(code).toBe(1);
    const plain = live.stderrText.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(plain).toEqual([`aipref-enforcer live: ${path.join(out, 'exports.000001.ndjson')}: cannot write: no space left on device (ENOSPC)`]);
  } finally {
    if (live.child.exitCode === null) await live.terminate();
  }
}, 30_000);
