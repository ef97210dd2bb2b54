/**
 * RotatingNdjsonExporter and SPEC §4 ("The enforcer itself keeps nothing past retention") on a
 * quiet feed and across restarts: its own timer rotates by age and deletes expired files without
 * waiting for a write, and an earlier run's files are adopted (deleted once expired, counted by
 * maxFiles). Real time, short retentions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RotatingNdjsonExporter } from '../../src/export/ndjson-rotating.js';
import { reportLine, telemetryLine } from './lines.js';
import { until } from './rotating-ndjson-helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-ret-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Date.now() / 1000;
// the data files (an open exporter also holds its <base>.lock)
const files = async () => (await readdir(dir)).filter((n) => !n.endsWith('.lock')).sort();
const filesAre = (want: string[]) => async () => JSON.stringify(await files()) === JSON.stringify(want);
// (the timers are real: under load they fire late, so what must happen is waited for, polled, and
// the retentions leave seconds between what must have happened and what must not have yet)

describe('rotating NDJSON exporter: retention without traffic', () => {
  it('rotates by age on its own and deletes the closed file once its lines expire, with no further write', async () => {
    const deleted: string[] = [];
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxAgeSec: 0.2, onDelete: (p, why) => deleted.push(`${basename(p)} ${why}`) });
    await exporter.send(telemetryLine(1, { retentionSec: 2 }));
    await exporter.flush();
    await until(() => exporter.currentPath === undefined);
    expect(exporter.currentPath).toBeUndefined(); // rotated by age, no write needed
    expect(await files()).toEqual(['exports.000001.ndjson']);
    await until(filesAre([]));
    expect(await files()).toEqual([]);
    expect(deleted).toEqual(['exports.000001.ndjson expired']);
    await exporter.close();
  });

  it('without rotate-age, an open file whose every line has expired is closed and deleted', async () => {
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await exporter.send(telemetryLine(1, { retentionSec: 0.2 }));
    await exporter.send(telemetryLine(2, { retentionSec: 2 }));
    await exporter.flush();
    await wait(300);
    // (polled: the first line's expiry rewrites the file, through a .tmp beside it)
    await until(filesAre(['exports.000001.ndjson']));
    expect(await files()).toEqual(['exports.000001.ndjson']); // one line still lives
    await until(filesAre([]));
    expect(await files()).toEqual([]);
    // the next line opens a new file
    await exporter.send(telemetryLine(3, { retentionSec: 60 }));
    await exporter.close();
    expect(await files()).toEqual(['exports.000002.ndjson']);
  });

  it('a line that never expires keeps its file; nothing is due, nothing is rotated without rotate-age', async () => {
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'reports' });
    await exporter.send(reportLine(1));
    await wait(200);
    expect(exporter.currentPath).toBe(join(dir, 'reports.000001.ndjson'));
    await exporter.close();
    expect(await files()).toEqual(['reports.000001.ndjson']);
  });

  it('close leaves no timer behind: a file expiring after close is left for the next run', async () => {
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await exporter.send(telemetryLine(1, { retentionSec: 0.3 }));
    await exporter.close();
    await wait(500);
    expect(await files()).toEqual(['exports.000001.ndjson']);
    // the next run adopts it, and it is past its expiresAt: deleted without a write
    const next = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await until(filesAre([]));
    expect(await files()).toEqual([]);
    await next.close();
  });
});

describe('rotating NDJSON exporter: an earlier run’s files', () => {
  it('are read for their latest expiresAt and deleted when it passes; unreadable or unexpiring lines keep a file, a torn last line does not', async () => {
    const t = now();
    const line = (n: number, expiresIn: number | null) => JSON.stringify(telemetryLine(n, { ts: t, retentionSec: expiresIn })) + '\n';
    await writeFile(join(dir, 'exports.000001.ndjson'), line(1, -10) + line(2, -5)); // expired
    await writeFile(join(dir, 'exports.000002.ndjson'), line(3, -10) + line(4, 4)); // expires soon
    await writeFile(join(dir, 'exports.000003.ndjson'), line(5, -10) + line(6, null)); // a line without expiry
    await writeFile(join(dir, 'exports.000004.ndjson'), line(7, -10) + '{"type":"telemetry","expi'); // torn by a crash: its last line no one can read
    await writeFile(join(dir, 'exports.000005.ndjson'), ''); // nothing in it
    // many lines, the latest expiry last: one streamed pass
    await writeFile(join(dir, 'exports.000006.ndjson'), Array.from({ length: 20_000 }, (_, i) => line(100 + i, -10)).join('') + line(99, 4));
    await writeFile(join(dir, 'other.000007.ndjson'), line(8, -10)); // not this exporter's
    await writeFile(join(dir, 'exports.000008.ndjson'), line(10, -10) + 'not json\n' + line(11, -10)); // a whole line that is no JSON: kept
    await writeFile(join(dir, 'exports.000009.ndjson'), line(12, -10) + line(13, 4).trimEnd()); // whole JSON, only its newline lost: read
    const deleted: string[] = [];
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', onDelete: (p, why) => deleted.push(`${basename(p)} ${why}`) });
    expect(exporter.closedPaths.map((p) => basename(p))).toEqual([1, 2, 3, 4, 5, 6, 8, 9].map((n) => `exports.00000${n}.ndjson`));
    await until(() => deleted.length >= 3);
    expect(deleted.sort()).toEqual(['exports.000001.ndjson expired', 'exports.000004.ndjson expired', 'exports.000005.ndjson expired']);
    await wait(t + 4 - now() > 0 ? (t + 4 - now()) * 1000 : 0);
    await until(filesAre(['exports.000003.ndjson', 'exports.000008.ndjson', 'other.000007.ndjson']));
    expect(await files()).toEqual(['exports.000003.ndjson', 'exports.000008.ndjson', 'other.000007.ndjson']);
    // the next file still counts on from the highest
    await exporter.send(telemetryLine(9));
    expect(exporter.currentPath).toBe(join(dir, 'exports.000010.ndjson'));
    await exporter.close();
  });

  it('count by maxFiles, oldest first; an expired one goes as expired, not pushing a live one out', async () => {
    const t = now();
    await writeFile(join(dir, 'exports.000001.ndjson'), JSON.stringify(telemetryLine(1, { retentionSec: null })) + '\n');
    await writeFile(join(dir, 'exports.000002.ndjson'), JSON.stringify(telemetryLine(2, { retentionSec: null })) + '\n');
    await writeFile(join(dir, 'exports.000003.ndjson'), JSON.stringify(telemetryLine(3, { ts: t - 60, retentionSec: 30 })) + '\n');
    const deleted: string[] = [];
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports', maxFiles: 2, onDelete: (p, why) => deleted.push(`${basename(p)} ${why}`) });
    await until(() => deleted.length >= 1);
    expect(deleted).toEqual(['exports.000003.ndjson expired']);
    await exporter.send(telemetryLine(4, { retentionSec: null }));
    await exporter.close();
    expect(deleted).toEqual(['exports.000003.ndjson expired', 'exports.000001.ndjson max-files']);
    expect(await files()).toEqual(['exports.000002.ndjson', 'exports.000004.ndjson']);
  });

  it('close stops reading them; an unread file stays', async () => {
    await writeFile(join(dir, 'exports.000001.ndjson'), Array.from({ length: 50_000 }, (_, n) => JSON.stringify(telemetryLine(n, { ts: now() - 60, retentionSec: 1 }))).join('\n') + '\n');
    const exporter = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await exporter.close();
    // not waited for a whole read (nor deleted unread)
    expect(await files()).toEqual(['exports.000001.ndjson']);
  });
});

describe('one service per folder and base', () => {
  it('a second exporter of the same files is refused while the first one runs in another process; a lock its dead owner left is taken over; close frees it', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtemp, rm, writeFile, readdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { RotatingNdjsonExporter } = await import('../../src/export/ndjson-rotating.js');
    const folder = await mkdtemp(join(tmpdir(), 'aipref-ndjson-lock-'));
    try {
      // another running process holds the lock
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      await writeFile(join(folder, 'exports.lock'), `${other.pid}\n`);
      await expect(RotatingNdjsonExporter.open({ dir: folder, base: 'exports' })).rejects.toThrow(/being written by another exporter \(pid \d+/);
      // its owner gone, the lock is stale
      const gone = new Promise((r) => other.once('exit', r));
      other.kill('SIGKILL');
      await gone;
      const exporter = await RotatingNdjsonExporter.open({ dir: folder, base: 'exports' });
      // other bases of the same folder are other files
      const reports = await RotatingNdjsonExporter.open({ dir: folder, base: 'reports' });
      await exporter.close();
      await reports.close();
      expect((await readdir(folder)).filter((n) => n.endsWith('.lock'))).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
