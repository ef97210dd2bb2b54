/**
 * Found by a review of bad input on the command line, fixed since: `replay --to` says a record cut short on stderr, as the enforcing commands do, and counts it in `skipped` (src/sources/replay-sender.ts onWarning).
 *
 * Input: `aipref-enforcer replay cut.pcap --to udp://127.0.0.1:<port> --speed 0`, cut.pcap being
 *   samples/call-small.pcap cut 30 bytes into its record 221 (offset 75917: 220 whole records,
 *   then a record header saying 354 data bytes of which 14 are there).
 * Was: exit 0, stdout `{"sent":220,"skipped":0}`, nothing on stderr: the cut record is neither
 *   reported nor counted (src/sources/replay-sender.ts calls readCaptureBatches(path) with no
 *   onWarning, so the reader's "record cut short" warning goes nowhere). The same file given to
 *   `replay` (enforcing), `inspect` or `bindings` says on stderr
 *   "cut.pcap: at byte 75917: record cut short: 14 of 354 data bytes" and counts it malformed.
 * Correct: SPEC §8 "Malformed packets inside a readable capture never stop a run: they are counted
 *   and reported"; the project rule "Bad input gets a clear one-line error naming the file, the
 *   offset…". The sender, whose `skipped` counts "records not sent: … malformed"
 *   (ReplayResult's doc), counts the cut record there and says where the capture was cut on
 *   stderr, in the line the other commands print.
 * Fix: src/sources/replay-sender.ts replayCapture: take an onWarning option, pass it to
 *   readCaptureBatches and count each warning in result.skipped; src/cli/replay.ts sendCapture
 *   passes `(w) => process.stderr.write(`aipref-enforcer replay: ${w.file}: at byte ${w.offset}: ${w.message}\n`)`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutSample, run } from './bad-input-helpers.js';

let dir: string;
let sink: Socket;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aipref-bad-input-to-'));
  sink = createSocket('udp4');
  sink.on('message', () => {});
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
  port = sink.address().port;
});
afterAll(async () => {
  sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('replay --to on a capture cut inside its last record', () => {
  it('reports the cut on stderr (file, byte offset) as enforcing replay does, and counts the record as skipped', async () => {
    const file = path.join(dir, 'cut.pcap');
    const { offset } = await cutSample(file, 220, 30);
    expect(offset).toBe(75917);
    // the reference: the enforcing replay of the same file
    const enforced = await run(['replay', file, '--out', path.join(dir, 'out'), '--quiet']);
    expect(enforced.code).toBe(0);
    const expectedLine = `aipref-enforcer replay: ${file}: at byte ${offset}: record cut short: 14 of 354 data bytes`;
    expect(enforced.stderr.trim()).toBe(expectedLine);

    const sent = await run(['replay', file, '--to', `udp://127.0.0.1:${port}`, '--speed', '0']);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ sent: 220, skipped: 1 });
    expect(sent.stderr.trim()).toBe(expectedLine);
  });
});
