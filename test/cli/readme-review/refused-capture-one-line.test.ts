/**
 * Found by a review of the README and the CLI contract (SPEC §8), fixed since: an empty --out
 * value is bad usage (replay and live), `inspect --filter` on a pipe is bad usage naming
 * --filter, a refused capture says only what refused it (policy warnings once the run starts).
 *
 * Input: a policy file whose `default` names an identifier with no `apts` entry
 * (`{"default": "apt-nowhere"}`, accepted with a warning: README "The policy file"), and a
 * capture that is refused (an empty file; also a file that does not exist):
 * `aipref-enforcer replay empty.pcap --policy warn.json --out …`.
 *
 * Was: exit 1 with TWO lines on stderr:
 *   "aipref-enforcer replay: warn.json: default 'apt-nowhere' has no entry in apts: it counts as
 *    the most restrictive statement (everything it governs is dropped) unless signaling states it"
 *   "aipref-enforcer replay: empty.pcap: at byte 0: empty file: not a capture"
 * (`bindings` with the same arguments prints the one error line only.)
 *
 * Correct: SPEC §8 "1 bad input that stopped the run (unreadable file, unknown format) with one
 * clear line on stderr naming the file and the byte offset"; README "Exit codes": "with one line
 * on stderr". A run refused before it reads a record is no run: the policy's warning about what
 * the run would decide is noise in front of the one line a caller (or a check counting lines)
 * reads. The warning belongs to runs that go ahead.
 *
 * Fix: src/cli/replay.ts runReplay: print `policy.warnings()` after the capture has been
 * accepted — after `statCapture` / `probeCaptureFormat` / `checkOutDir` (for a pipe, at the
 * engine's first batch, or simply after those checks) — rather than right after
 * loadPolicyOption.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a refused capture with a policy that warns', () => {
  it('exit 1 and exactly one stderr line: the capture’s', async () => {
    const policy = await ws.file('warn.json');
    await writeFile(policy, JSON.stringify({ default: 'apt-nowhere' }));
    const empty = await ws.file('empty.pcap');
    await writeFile(empty, '');
    const missing = await ws.file('missing.pcap');
    for (const [file, why] of [
      [empty, 'at byte 0: empty file: not a capture'],
      [missing, 'at byte 0: cannot open: ENOENT: no such file or directory'],
    ] as const) {
      const r = await cli('replay', file, '--policy', policy, '--out', await ws.file('out'), '--workers', '0');
      expect(r.code, file).toBe(1);
      expect(r.stderr.split('\n').filter((l) => l !== ''), file).toEqual([`aipref-enforcer replay: ${file}: ${why}`]);
    }
  });
});
