/**
 * Found by a review of the nineteenth round's own fixes, fixed since: any record the snap length cut (a TCP segment, headers) is said and counted as a cut datagram is (src/sources/replay-sender.ts replayCapture snapCutRecord).
 */
/**
 * Input: the capture of tcp-capture.ts cutSegmentCall (SIP over TCP; the snap length kept 40 of
 *   the second segment's payload bytes), `aipref-enforcer replay cut.pcap --to hep://127.0.0.1:<port>
 *   --speed 0`.
 * Was (observed): exit 0, stdout `{"sent":2,"skipped":2}`, stderr empty. The cut segment is
 *   decoded as malformed and skipped without a word (and so is the whole segment after it, held
 *   behind the gap) — while b69cfed says a UDP datagram the snap length cut on stderr ("frame N:
 *   x of its y payload bytes captured … not sent") and the offline replay reports this one
 *   (`malformed-input`: "TCP segment cut by the capture's snap length: 60 of 257 bytes captured").
 * Correct: README (b69cfed): replay --to prints {sent, skipped} and "a record the capture cut
 *   short is said on stderr and counted in skipped; so are datagrams the capture's snap length
 *   cut — the first said, their count at the end". An operator comparing live's reports with an
 *   offline replay needs to know the live side was not sent what the capture cut, whatever the
 *   transport; over hep:// TCP is sent too, so its cut segments are the same case.
 * Fix: src/sources/replay-sender.ts replayCapture: for kind 'malformed' whose view.error is the
 *   decoder's snap-length cut of a TCP segment (or any malformed record: view.error with its
 *   frame), count it with the snap-cut datagrams (first one said with frame and byte offset,
 *   the count at the end), e.g. "…: frame 2: a TCP segment the capture's snap length cut (60 of
 *   257 bytes): not sent, its stream goes on after a gap".
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../../e2e/e2e-helpers.js';
import { cutSegmentCall, writeTcpCapture } from './tcp-capture.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('replay --to hep:// says a TCP segment the snap length cut, as it says a cut datagram', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'round19-tcp-cut-'));
  dirs.push(dir);
  const cap = path.join(dir, 'cut.pcap');
  await writeTcpCapture(cap, cutSegmentCall());
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  try {
    const r = await cli('replay', cap, '--to', `hep://127.0.0.1:${sock.address().port}`, '--speed', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ skipped: expect.any(Number) });
    expect(r.stderr, `stdout ${r.stdout.trim()}`).toMatch(/frame 2\b.*snap length/);
  } finally {
    sock.close();
  }
});
