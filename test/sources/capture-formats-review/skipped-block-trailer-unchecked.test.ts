/**
 * Found by a review of capture file formats against tshark, fixed since: a pcapng block without packets too large to buffer is passed over up to its trailing length, which is checked against its header's as a buffered block's is (native-free/pcapng.ts PcapngWalker.walk, skippedLen).
 */
/**
 * A pcapng block skipped unread (no packet in it, larger than the 16 MiB the reader buffers) is
 * never checked against its trailing Block Total Length, so a corrupt length swallows the packets
 * it covers without a word.
 *
 * Input: samples/call-small.pcap as pcapng (SHB, one Ethernet IDB in µs): its first 100 records as
 *   EPBs; then a custom block (type 0x00000BAD, PEN 32473, 8 bytes of data, a real 24-byte block
 *   whose trailing length says 24) whose leading Block Total Length was corrupted to cover the
 *   custom block and the ~17 MiB of EPBs after it (45 000 copies of records 101–400, times moved
 *   on); then records 101–140 as EPBs. The block's two total lengths disagree (first ~17.6 M,
 *   second 388: the last covered EPB's own trailer).
 *   tshark 4.0: frames 1–100, then "The file … appears to be damaged or corrupt. (pcapng: total
 *   block lengths (first 17… and second 388) don't match)".
 *
 * Was: `replay f --json --workers 0` exits 0 with packets 140, no malformed-input: the ~45 000
 *   covered EPBs are skipped unread and the 40 after them are read as frames 101–140; nothing
 *   says data was lost. readCaptureBatches yields 140 records and no error or warning.
 *
 * Correct: the pcapng spec (draft-ietf-opsawg-pcapng §3.1: the trailing Block Total Length
 *   "MUST" equal the leading one; a reader uses it to detect corruption) and SPEC §8 (bad input
 *   that stops the run: exit 1, one line naming the file and the byte offset; what came before is
 *   decided and written, reports.ndjson ending with the break's malformed-input). The reader checks
 *   the trailer of every block it buffers ("block length mismatch: header says …, trailer says
 *   …" at the trailer's offset); a block streamed past must be checked as well when its end is
 *   reached, as the earlier fix of large non-packet blocks asked (test/e2e/capture-inputs/
 *   pcapng-large-nonpacket-block.test.ts, "checking the trailing length when it reaches it").
 *
 * Fix: native-free/pcapng.ts PcapngWalker: when a skipped block's remaining bytes drop to 4 or
 *   fewer, keep (carry) the last 4 bytes instead of discarding them — e.g. set `skipping` to
 *   len − (end − pos) − 4 and a `skipTrailer = { len, at }` field; once the skip is done, read the
 *   trailer word in the section's byte order and fail(at + len − 4, `block length mismatch: …`)
 *   when it differs from len.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../../native-free/capture.js';
import { CaptureError } from '../../../native-free/types.js';
import {
  encodePcapngBlock,
  encodePcapngEnhancedPacket,
  encodePcapngInterface,
  encodePcapngSectionHeader,
} from '../../../native-free/write.js';
import { joinBytes, run, sampleRecords, tsharkRows } from './helpers.js';

let dir: string;
let file: string;
/** where the corrupt block starts, and its (corrupt) leading length */
let blockAt = 0;
let blockLen = 0;
let trailerSays = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cfr-skip-'));
  file = path.join(dir, 'skip-mismatch.pcapng');
  const recs = sampleRecords();
  const epb = (sec: number, usec: number, data: Uint8Array) => encodePcapngEnhancedPacket(0, BigInt(sec) * 1_000_000n + BigInt(usec), data);
  const head = joinBytes([encodePcapngSectionHeader(), encodePcapngInterface(1), ...recs.slice(0, 100).map((r) => epb(r.sec, r.usec, r.data))]);
  const customBody = new Uint8Array(12);
  new DataView(customBody.buffer).setUint32(0, 32473, true);
  const custom = encodePcapngBlock(0x00000bad, customBody);
  const covered: Uint8Array[] = [];
  let size = 0;
  const lastSec = recs[recs.length - 1]!.sec + 1;
  for (let k = 0; size < 17 * 1024 * 1024; k++) {
    const r = recs[100 + (k % 300)]!;
    const b = epb(lastSec + Math.floor(k / 1000), (k % 1000) * 1000, r.data);
    covered.push(b);
    size += b.length;
  }
  const coveredBytes = joinBytes(covered);
  blockAt = head.length;
  blockLen = custom.length + coveredBytes.length;
  new DataView(custom.buffer).setUint32(4, blockLen, true); // the corrupt leading length
  trailerSays = new DataView(coveredBytes.buffer, coveredBytes.byteOffset).getUint32(coveredBytes.length - 4, true);
  const tail = recs.slice(100, 140).map((r) => epb(r.sec, r.usec, r.data));
  await writeFile(file, joinBytes([head, custom, coveredBytes, ...tail]));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a large block skipped unread whose trailing length disagrees with its leading one', () => {
  it('tshark reads 100 frames, then calls the file damaged (the sanity of the input)', () => {
    const rows = tsharkRows(file, ['frame.number']);
    if (rows === null) return; // no tshark here
    expect(rows.length).toBe(100);
  });

  it('the reader stops at the block with a CaptureError at its trailer, after the 100 records before it', async () => {
    let records = 0;
    let error: unknown;
    const warnings: string[] = [];
    try {
      for await (const b of readCaptureBatches(file, { onWarning: (w) => warnings.push(w.message) })) records += b.count;
    } catch (err) {
      error = err;
    }
    expect(records).toBe(100);
    expect(warnings).toEqual([]);
    expect(error).toBeInstanceOf(CaptureError);
    expect((error as CaptureError).offset).toBe(blockAt + blockLen - 4);
    expect((error as CaptureError).reason).toBe(`block length mismatch: header says ${blockLen}, trailer says ${trailerSays}`);
  });

  it('replay stops with exit 1 naming the file and offset, after deciding the 100 packets before it', async () => {
    const out = path.join(dir, 'out');
    const r = await run(['replay', file, '--out', out, '--workers', '0', '--json']);
    expect(r.stderr).toContain(`${file}: at byte ${blockAt + blockLen - 4}: block length mismatch`);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).packets).toBe(100);
    const reports = (await readFile(path.join(out, 'reports.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(reports.at(-1)).toMatchObject({ type: 'malformed-input', frame: 101 });
  });
});
