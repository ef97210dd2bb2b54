/**
 * NDJSON files that rotate by size and by age, for a live service that runs for days:
 * `<dir>/<base>.<seq>.ndjson`, seq counting up from past the highest file already there, so a
 * restart never appends to or overwrites an earlier run's file. Each file is an NdjsonFile
 * (whole lines only). A closed file whose every line has passed its expiresAt is deleted:
 * the enforcer keeps nothing past retention (SPEC §4).
 */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NdjsonFile } from './ndjson-file.js';
import { exportLineExpiresAt, type ExportLine, type Exporter } from './exporter.js';

export interface RotatingNdjsonOptions {
  dir: string;
  /** file name stem, e.g. "exports" */
  base: string;
  /** a file is closed once it holds this many bytes; default 64 MiB */
  maxBytes?: number;
  /** a file is closed once it is this old (by `clock`) at the next write; default: no limit */
  maxAgeSec?: number;
  /** closed files kept at most; the oldest are deleted first; default: no limit */
  maxFiles?: number;
  /** seconds since the epoch */
  clock?: () => number;
  /** told of every closed file deleted, and why: every line past its expiresAt, or past maxFiles */
  onDelete?: (path: string, reason: 'expired' | 'max-files') => void;
}

interface ClosedFile {
  path: string;
  /** the latest expiresAt of its lines; Infinity when a line had none */
  expiresAt: number;
}

export class RotatingNdjsonExporter implements Exporter {
  private current: NdjsonFile | undefined;
  private currentBytes = 0;
  private currentOpenedAt = 0;
  private currentExpiresAt = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private readonly closedFiles: ClosedFile[] = [];
  private readonly clock: () => number;

  private constructor(
    private readonly opts: RotatingNdjsonOptions,
    private nextSeq: number,
  ) {
    this.clock = opts.clock ?? (() => Date.now() / 1000);
  }

  static async open(opts: RotatingNdjsonOptions): Promise<RotatingNdjsonExporter> {
    const pattern = new RegExp(`^${escapeRegExp(opts.base)}\\.(\\d+)\\.ndjson$`);
    const existing = (await readdir(opts.dir)).map((n) => pattern.exec(n)).filter((m) => m !== null);
    const highest = existing.reduce((max, m) => Math.max(max, Number(m[1])), 0);
    return new RotatingNdjsonExporter(opts, highest + 1);
  }

  /** Paths of the files this exporter closed and has not deleted, oldest first. */
  get closedPaths(): string[] {
    return this.closedFiles.map((f) => f.path);
  }

  get currentPath(): string | undefined {
    return this.current?.path;
  }

  async send(line: ExportLine): Promise<void> {
    await this.writeLine(JSON.stringify(line), exportLineExpiresAt(line));
  }

  /**
   * Appends one serialised line; `expiresAt` null means the line does not expire. Calls are
   * queued, so lines keep their order and a rotation never cuts between them.
   */
  writeLine(json: string, expiresAt: number | null): Promise<void> {
    return this.serial(() => this.write(json, expiresAt));
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(json: string, expiresAt: number | null): Promise<void> {
    const now = this.clock();
    const bytes = Buffer.byteLength(json) + 1;
    if (this.current && this.currentBytes > 0) {
      const tooBig = this.currentBytes + bytes > (this.opts.maxBytes ?? 64 << 20);
      const tooOld = this.opts.maxAgeSec !== undefined && now - this.currentOpenedAt >= this.opts.maxAgeSec;
      if (tooBig || tooOld) await this.closeCurrent();
    }
    const file = this.current ?? (await this.openNext(now));
    file.writeLine(json);
    this.currentBytes += bytes;
    this.currentExpiresAt = Math.max(this.currentExpiresAt, expiresAt ?? Infinity);
  }

  flush(): Promise<void> {
    return this.serial(async () => {
      await this.current?.flush();
      await this.deleteExpired();
    });
  }

  close(): Promise<void> {
    return this.rotate();
  }

  /** Closes the current file (the next line opens a new one). */
  rotate(): Promise<void> {
    return this.serial(() => this.closeCurrent());
  }

  private async closeCurrent(): Promise<void> {
    const file = this.current;
    if (!file) return;
    this.current = undefined;
    await file.close();
    this.closedFiles.push({ path: file.path, expiresAt: this.currentExpiresAt });
    this.currentBytes = 0;
    this.currentExpiresAt = -Infinity;
    const max = this.opts.maxFiles;
    while (max !== undefined && this.closedFiles.length > max) await this.delete(this.closedFiles.shift()!.path, 'max-files');
    await this.deleteExpired();
  }

  private async deleteExpired(): Promise<void> {
    const now = this.clock();
    for (let i = 0; i < this.closedFiles.length; ) {
      if (this.closedFiles[i]!.expiresAt <= now) await this.delete(this.closedFiles.splice(i, 1)[0]!.path, 'expired');
      else i++;
    }
  }

  private async delete(path: string, reason: 'expired' | 'max-files'): Promise<void> {
    await unlink(path);
    this.opts.onDelete?.(path, reason);
  }

  private async openNext(now: number): Promise<NdjsonFile> {
    const file = await NdjsonFile.create(join(this.opts.dir, `${this.opts.base}.${String(this.nextSeq++).padStart(6, '0')}.ndjson`));
    this.current = file;
    this.currentOpenedAt = now;
    return file;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
