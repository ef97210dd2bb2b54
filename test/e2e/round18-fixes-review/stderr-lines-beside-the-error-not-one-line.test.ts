/**
 * Found by a review of the round-18 fixes, fixed since: usage errors and warnings go through the same one-line writer as errors (src/cli/stderr-line.ts sayLine, from main.ts, replay.ts, bindings.ts, inspect.ts).
 */
/**
 * Input: the CLI (dist via bin/aipref-enforcer.js) given a value holding a newline, in the two
 *   places where main.ts's catch-all is not what prints: (1) a usage error quoting the
 *   argument — `replay samples/call-small.pcap 'b<LF>c'` (unexpected argument) and
 *   `replay samples/call-small.pcap --workers '1<LF>x'`; (2) a policy warning quoting the
 *   file's value — a policy `{"default": "a<LF>b", "apts": {}}` (default with no apts entry).
 * Was: 909fc2a made the exit-1 error one line (oneLine escapes control characters), but the
 *   UsageError branch of main.ts writes `err.message` raw, and replay/bindings/live print policy
 *   warnings raw: `aipref-enforcer replay: unexpected argument 'b` then a line `c'`;
 *   `aipref-enforcer replay: /…/policy.json: default 'a` then `b' has no entry in apts…`.
 *   A reader of the first line (2>&1 | head -1, a log scraper) gets a cut complaint, and the
 *   rest reads as a line of its own.
 * Correct: src/cli/main.ts's own contract ("Errors are one line on stderr") and the rule 909fc2a
 *   set for it ("an error message with a newline … is one line with control characters
 *   escaped, no longer cut at the newline"); README Exit codes (one line on stderr naming the
 *   file … or key). The complaint and the warning are each one line, the newline shown as \n;
 *   exit codes unchanged (2 and 0).
 * Fix: src/cli/main.ts: oneLine(err.message) in the UsageError branch too; src/cli/replay.ts,
 *   bindings.ts (and live's policy-warning is JSON already): oneLine each warning before writing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run, SMALL_PCAP } from '../../cli/bad-input-review/bad-input-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r18-oneline-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a usage error quoting an argument with a newline is one line', async () => {
  const r = await run(['replay', SMALL_PCAP, 'b\nc', '--out', 'out'], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe("aipref-enforcer replay: unexpected argument 'b\\nc'");
  const w = await run(['replay', SMALL_PCAP, '--workers', '1\nx', '--out', 'out'], { cwd: dir });
  expect(w.code).toBe(2);
  expect(w.stderr.split('\n')[0]).toMatch(/^aipref-enforcer replay: --workers takes a whole number from 0 to \d+, not '1\\nx'$/);
}, 60_000);

it('a policy warning quoting a value with a newline is one line', async () => {
  const policy = path.join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: 'a\nb', apts: {} }));
  const r = await run(['replay', SMALL_PCAP, '--policy', policy, '--out', 'out'], { cwd: dir });
  expect(r.code).toBe(0);
  const warning = r.stderr.split('\n').filter((l) => l.includes('has no entry in apts') || l.includes('default'));
  expect(warning).toEqual([`aipref-enforcer replay: ${policy}: default 'a\\nb' has no entry in apts: it counts as the most restrictive statement (everything it governs is dropped) unless signaling states it`]);
}, 60_000);
