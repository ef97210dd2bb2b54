/**
 * Found by a review of the CLI's operator use, checked, nothing changed: `replay --to … --quiet`
 * is accepted and has nothing to silence (src/cli/replay.ts sendCapture).
 * Input: `aipref-enforcer replay samples/call-small.pcap --to udp://127.0.0.1:<port> --speed 0`,
 *   with and without --quiet.
 * Was (and is): exit 0, stdout exactly `{"sent":440,"skipped":0}`, stderr empty, either way.
 *   replay --to draws no progress line and writes no text summary — the two things --quiet
 *   leaves out of a normal replay; its one output is the `{sent, skipped}` JSON line, which
 *   stays as a `--json --quiet` replay's summary stays. Warnings (a record the capture cut
 *   short) go to stderr with or without --quiet, as a normal replay's do.
 * Correct: the same; --quiet keeps being accepted (scripts pass it), not refused.
 */
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { run, SMALL_PCAP } from './operator-helpers.js';

describe('replay --to --quiet', () => {
  it('is accepted and prints what replay --to prints without it: the {sent, skipped} line, nothing on stderr', async () => {
    const socket = createSocket('udp4');
    socket.on('message', () => {});
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const to = `udp://127.0.0.1:${socket.address().port}`;
      const plain = await run(['replay', SMALL_PCAP, '--to', to, '--speed', '0']);
      const quiet = await run(['replay', SMALL_PCAP, '--to', to, '--speed', '0', '--quiet']);
      for (const r of [plain, quiet]) {
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('{"sent":440,"skipped":0}\n');
      }
    } finally {
      socket.close();
    }
  });
});
