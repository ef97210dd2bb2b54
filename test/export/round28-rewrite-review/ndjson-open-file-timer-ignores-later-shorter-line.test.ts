/**
 * Input: a quiet feed; the open exports file gets a line of 1 h retention (or one with
 *   expiresAt null), then a line of the same capture time whose retention is 0.3 s; nothing
 *   else is written, nothing calls flush()/rotate().
 * Was: write() calls schedule() only for a file's first line ("later lines only move the open
 *   file's moments later"), but a later line with a shorter retention moves the open file's
 *   earliest expiresAt, hence its rewriteAt/dueAt, EARLIER. The timer stays set for the first
 *   line's moment (1 h; none at all when the first line never expires), so the 0.3 s line is
 *   kept in the open file for an hour — or forever — past its expiresAt + spread (spread 0).
 * Correct: README "Exporters": a timer, not the next line, acts on a quiet feed; "Lines written
 *   together go at their expiry; no line stays longer past its expiry than its file's spread";
 *   "The open file is closed for it ... (by the timer)"; SPEC §4 "The enforcer itself keeps
 *   nothing past retention". The file must be closed and rewritten without the short line at
 *   about expiresAt (+0 spread).
 * Fix: src/export/ndjson-rotating.ts write(): call this.schedule() after adding a line whenever
 *   currentExpiry.dueAt went below this.timerDue (not only when `opening`); schedule() already
 *   keeps a timer that fires early enough.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { line, onDisk, openIn, sleep, tempDir } from './common.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

describe('open file: a later line that expires sooner than the first', () => {
  for (const firstRetention of [3600, null] as const) {
    it(`first line retention ${firstRetention}, second 0.3 s: the timer takes the short one out at its expiry`, async () => {
      // the real clock: the exporter's own timer must act, no flush() or rotate()
      const { told, exporter } = await openIn(dir, null);
      const now = Date.now() / 1000;
      const first = line(1, now, firstRetention);
      const short = line(2, now, 0.3);
      await exporter.send(first);
      await exporter.send(short);
      await sleep(1500);
      // the short line is past its expiresAt (spread 0) by more than a second: the timer has
      // closed the open file and rewritten it without that line
      expect(told.rewrites).toEqual([['exports.000001.ndjson', 1]]);
      expect(exporter.currentPath).toBeUndefined();
      expect(await onDisk(dir)).toEqual({ 'exports.000001.ndjson': [first.requestId] });
      expect(told.errors).toEqual([]);
      await exporter.close();
      expect(await readFile(join(dir, 'exports.000001.ndjson'), 'utf8')).toBe(JSON.stringify(first) + '\n');
    });
  }
});
