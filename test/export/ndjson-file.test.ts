import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NdjsonFile } from '../../src/export/ndjson-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aipref-ndjson-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('NdjsonFile backpressure', () => {
  it('a writer that cannot keep up (a pipe nobody reads yet) makes backpressure() wait until it has caught up', async () => {
    // a named pipe is a real slow disk: writes block once its buffer is full, until the reader reads
    const fifo = join(dir, 'out.ndjson');
    execFileSync('mkfifo', [fifo]);
    const reader = createReadStream(fifo);
    reader.pause();
    const file = await NdjsonFile.create(fifo, 1024);
    const line = JSON.stringify({ type: 'telemetry', pad: 'x'.repeat(200) });
    for (let i = 0; i < 2000; i++) file.writeLine(line);
    expect(file.backlogBytes).toBeGreaterThan(256 * 1024);
    const wait = file.backpressure(64 * 1024);
    expect(wait).toBeInstanceOf(Promise);
    let settled = false;
    void wait!.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false); // nobody reads: the producer keeps waiting
    const chunks: Buffer[] = [];
    reader.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
    reader.resume();
    await wait;
    expect(file.backpressure(64 * 1024)).toBeUndefined();
    await file.close();
    await new Promise<void>((r) => reader.on('close', () => r()));
    const text = Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2000);
    expect(new Set(lines)).toEqual(new Set([line]));
  });

  it('a writer that keeps up never holds the producer back', async () => {
    const file = await NdjsonFile.create(join(dir, 'fast.ndjson'), 1024);
    for (let i = 0; i < 100; i++) file.writeLine('{"n":1}');
    expect(file.backpressure()).toBeUndefined();
    await file.close();
  });
});

describe('NdjsonFile contents', () => {
  it('writes every line whole and in order, whatever its characters and length, as encoding the joined lines would', async () => {
    const path = join(dir, 'mixed.ndjson');
    // 256-byte buffers: lines fill them unevenly, one is longer than a buffer, and buffers
    // go back to the pool while later ones are still queued
    const file = await NdjsonFile.create(path, 256);
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      const kind = i % 7;
      const text =
        kind === 0 ? 'ascii'
        : kind === 1 ? 'caf\u00e9 \u00fcber' // two-byte UTF-8
        : kind === 2 ? '\u65e5\u672c\u8a9e' // three-byte
        : kind === 3 ? '\ud83d\udcde call' // a surrogate pair: four bytes
        : kind === 4 ? 'lone \ud800 surrogate' // JSON.stringify escapes this one
        : kind === 5 ? 'x'.repeat(100 + (i % 50)) // about a buffer's third
        : 'y'.repeat(300); // longer than a buffer
      // and a raw lone surrogate after the JSON, which UTF-8 encoding replaces (U+FFFD) as Buffer.from does
      lines.push(JSON.stringify({ i, text }) + (kind === 4 ? ' \ud800' : ''));
    }
    for (const l of lines) file.writeLine(l);
    expect(file.lineCount).toBe(500);
    await file.close();
    const written = await readFile(path);
    expect(written.equals(Buffer.from(lines.join('\n') + '\n', 'utf8'))).toBe(true);
  });

  it('writeBytes appends runs of encoded lines as writeLine would the lines, runs larger than a buffer included', async () => {
    const path = join(dir, 'bytes.ndjson');
    const file = await NdjsonFile.create(path, 256);
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(JSON.stringify({ i, text: i % 5 === 0 ? 'caf\u00e9 \ud83d\udcde' : 'x'.repeat(i % 90) }));
    // runs of 1 to 12 lines, one of them written through writeLine between the runs
    let i = 0;
    let run = 1;
    while (i < lines.length) {
      const take = lines.slice(i, i + run);
      if (run % 4 === 0) file.writeLine(take.shift()!), i++;
      const bytes = Buffer.from(take.map((l) => l + '\n').join(''), 'utf8');
      // within a larger array, at an offset: the run is bytes[start, end)
      const padded = new Uint8Array(bytes.length + 20);
      padded.set(bytes, 7);
      file.writeBytes(padded, 7, 7 + bytes.length, take.length);
      i += take.length;
      run = (run % 12) + 1;
    }
    expect(file.lineCount).toBe(300);
    await file.close();
    expect((await readFile(path)).equals(Buffer.from(lines.join('\n') + '\n', 'utf8'))).toBe(true);
  });

  it('an empty file stays empty', async () => {
    const path = join(dir, 'empty.ndjson');
    const file = await NdjsonFile.create(path);
    await file.flush();
    await file.close();
    expect((await readFile(path)).length).toBe(0);
  });
});
