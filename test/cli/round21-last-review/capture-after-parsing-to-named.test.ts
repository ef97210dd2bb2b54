/**
 * Found by a review of round 21's last fixes, fixed since: a capture after --to's value is named only when it holds no '@' (src/cli/replay.ts runReplay).
 * Input: `replay --to hep://agent:2024 S3CRET@127.0.0.1:9 --speed 0` — a target with a
 *   user:password@ whose password has a space (`agent:2024 S3CRET`), the quotes forgotten, and its
 *   first word a number; no capture given (the word after --to's value is taken for it).
 * Was (observed, since 7b3f4d1): exit 1, "S3CRET@127.0.0.1:9: at byte 0: cannot open: ENOENT …" —
 *   the rest of the password on stderr. runReplay drops captureAfter for --to: "a target that
 *   parses carries no user:password@ — parseReplayTarget refuses one — so the word after it is not
 *   more of a secret"; but `hep://agent:2024` parses (host 'agent', port 2024): the '@' went with
 *   the next word.
 * Correct: stderr goes to collected logs; the word after a secret option's value is not named when
 *   it may be more of that value (statNamedCapture's rule) — a word after --to's value holding an
 *   '@' is the rest of a user:password@host, whatever the target's first word parsed as.
 * Fix: src/cli/replay.ts runReplay: drop captureAfter for --to only when the capture holds no '@'
 *   (`captureAfter === '--to' && !capture.includes('@')`), or keep it for --to always.
 */
import { expect, it } from 'vitest';
import { cli } from './helpers.js';

it('the word after --to hep://agent:2024 holding an @ is not named', () => {
  const r = cli(['replay', '--to', 'hep://agent:2024', 'S3CRET@127.0.0.1:9', '--speed', '0']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).not.toContain('S3CRET');
});
