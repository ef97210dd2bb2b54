/**
 * Input: --max-files 3; a batch (written as live's take() writes one: every writeLine queued,
 *   then flush()) of an old capture replayed through HEP (capture times kept: ts = T0, clock
 *   T0+1000), alternating a 60 s raw line (already past its expiresAt) and a 7-day aggregate
 *   (not expiring for a week): 5 of each.
 * Was: write() closes the open file whenever its dueAt <= now (added by this commit), and a line
 *   that arrives expired makes that true at once: every next line closes the file (rewriting or
 *   deleting it) and opens a new one — one file and one file-rewritten per 7-day line. With
 *   maxFiles those one-line files push each other out: the older 7-day lines, a week from
 *   expiry, are deleted as 'max-files' after a batch of ten lines (without maxFiles: five files
 *   and four rewrites for ten lines).
 * Correct: unexpired lines are not lost (README "Exporters": --rotate-bytes 64 MiB / --rotate-age
 *   decide rotation; "The open file is closed for it only once lines stop coming past that
 *   moment"); the expired lines must go (SPEC §4), not take live lines with them.
 * Fix: src/export/ndjson-rotating.ts write(): do not write a line whose expiresAt <= now (it is
 *   already past retention), or close the open file before a write only when its dueAt was
 *   reached after its last line was written (lines already expired when written leave to the
 *   timer's rewrite, once per batch).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { line, onDisk, openIn, T0, tempDir } from './common.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

describe('lines that arrive already expired among live ones', () => {
  it('do not split the file line by line and push live lines out by maxFiles', async () => {
    const { told, exporter } = await openIn(dir, T0 + 1000, { maxFiles: 3 });
    const raw = [0, 1, 2, 3, 4].map((i) => line(i, T0, 60));
    const week = [0, 1, 2, 3, 4].map((i) => line(100 + i, T0, 7 * 86400));
    await Promise.all(raw.flatMap((r, i) => [exporter.send(r), exporter.send(week[i]!)]));
    await exporter.flush();
    const kept = Object.values(await onDisk(dir)).flat();
    for (const r of raw) expect(kept).not.toContain(r.requestId);
    expect(told.deletes.filter(([, why]) => why === 'max-files')).toEqual([]);
    expect(kept.sort()).toEqual(week.map((w) => w.requestId).sort());
    await exporter.close();
  });
});
