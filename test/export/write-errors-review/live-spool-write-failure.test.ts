/**
 * Found by a review of write errors, fixed since: a spool file that cannot be written stops live as an NDJSON file does (write-failed, drain, exit 1 with `<dir>/segment-1.ndjson: cannot write: no space left on device (ENOSPC)`) — it was an export-error line `spool <dir>: ENOSPC: …` and the service went on, exit 0 at SIGTERM (src/export/spool.ts SpoolFileError/appendLine, src/cli/live.ts exporterOf).
 */
/**
 * `live --to <url> --spool <dir>` whose spool cannot be written.
 *
 * Input: `aipref-enforcer live --udp 127.0.0.1:0 --policy p --to http://127.0.0.1:<port>/
 *   --spool <dir> --workers 0 --batch-ms 5`, p's default APT `export: raw`; the AI service a
 *   local HTTP server answering 503 (nothing leaves the spool); once the service has started,
 *   <dir>/segment-1.ndjson (the segment the first item goes to) a symlink to /dev/full: every
 *   append fails with ENOSPC. One RTCP SR is sent: its export line and its report go to the spool.
 * Correct: as for an NDJSON file that cannot be written (README, outputs; SPEC §8): a
 *   `write-failed` log line, the service stops as on SIGTERM (the other outputs get every line),
 *   exit 1 with one line naming the file: `<dir>/segment-1.ndjson: cannot write: no space left
 *   on device (ENOSPC)`, no stack.
 */
import { expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { startAiService } from '../ai-service-stub.js';
import { LiveChild } from '../../live/live-helpers.js';
import { liveDeliveryFolder, sendSrs } from '../../live-delivery/live-fixtures.js';

const folder = liveDeliveryFolder('wer-spool-', '1h');

it.skipIf(!existsSync('/dev/full'))('a spool that cannot be written stops live: write-failed, exit 1, one line naming the segment file', async () => {
  const service = await startAiService((_hit, _n, res) => res.writeHead(503).end());
  const spool = path.join(folder.dir, 'spool');
  const out = path.join(folder.dir, 'out');
  await mkdir(out);
  const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--policy', folder.policy, '--to', service.url, '--spool', spool, '--out', out, '--workers', '0', '--batch-ms', '5']);
  try {
    await symlink('/dev/full', path.join(spool, 'segment-1.ndjson'));
    await sendSrs(addresses.udp!.port, 1, 0x11223344);
    const code = await Promise.race([live.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
    const segment = path.join(spool, 'segment-1.ndjson');
    expect(live.logs.filter((l) => l.event === 'write-failed').map((l) => l.error)).toEqual([`${segment}: cannot write: no space left on device (ENOSPC)`]);
    expect(code).toBe(1);
    const plain = live.stderrText.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(plain).toEqual([`aipref-enforcer live: ${segment}: cannot write: no space left on device (ENOSPC)`]);
    // stopped as on SIGTERM: the NDJSON files still got the SR's export line, and their lock went
    const exports = (await readFile(path.join(out, 'exports.000001.ndjson'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(exports).toHaveLength(1);
    expect((await readdir(out)).filter((n) => n.endsWith('.lock'))).toEqual([]);
  } finally {
    if (live.child.exitCode === null) await live.terminate();
    await service.close();
  }
}, 60_000);
