/**
 * Input: the exporter writes (writeLine, as live does) a 60 s line and a 17 MiB line (an export
 *   line with a long field, expiresAt T0+3600, same ts) into one file — under --rotate-bytes'
 *   64 MiB default; rotate(); flush() at T0+61, then at T0+3601.
 * Was: at T0+61 the file is due for a rewrite; rewriteUnexpired stops at the line longer than
 *   MAX_LINE_BYTES and returns expiry.unreadable() (latest = Infinity), which rewrite() stores
 *   as the file's expiry: the file this very run wrote, whose every line's expiresAt it knew,
 *   is now "never expires" and is kept forever (before this commit it was deleted at T0+3600).
 * Correct: README "Exporters": "a closed file whose every line has expired is deleted ... the
 *   moment its last line expires"; SPEC §4 "The enforcer itself keeps nothing past retention".
 *   The file must be gone at T0+3601 at the latest.
 * Fix: src/export/ndjson-rotating.ts rewrite(): when the rewrite could not read the file
 *   (dropped 0, expiry unreadable) keep the known `latest` of file.expiry and only stop
 *   rewriting it (e.g. a FileExpiry with that latest and rewriteAt Infinity), or let
 *   rewriteUnexpired read lines as long as the exporter's own maxBytes.
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

describe('a file of the exporter’s own with a line over 16 MiB', () => {
  it('is still deleted once its last line has expired', async () => {
    const { at, told, exporter } = await openIn(dir, T0);
    const short = line(1, T0, 60);
    const long = { ...line(2, T0, 3600), pad: 'x'.repeat(17 << 20) };
    await exporter.send(short);
    await exporter.writeLine(JSON.stringify(long), long.expiresAt, long.ts);
    await exporter.rotate();
    at.now = T0 + 61;
    await exporter.flush();
    at.now = T0 + 3601;
    await exporter.flush();
    expect(Object.keys(await onDisk(dir))).toEqual([]);
    expect(told.deletes).toEqual([['exports.000001.ndjson', 'expired']]);
    await exporter.close();
  });
});
