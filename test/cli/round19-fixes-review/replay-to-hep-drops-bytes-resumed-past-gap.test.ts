/**
 * Found by a review of the nineteenth round's own fixes, fixed since: replay --to sends a TCP direction's bytes resumed past a gap, and at the end the bytes held behind one, as the offline pipeline reads them (src/sources/replay-sender.ts replayCapture sendResumed).
 */
/**
 * Input: a capture of SIP over TCP (tcp-capture.ts cutSegmentCall: the client sends three OPTIONS
 *   on one connection; the snap length kept 40 bytes of the second segment; the server's 200 OK
 *   acknowledges all three), sent with `aipref-enforcer replay cut.pcap --to hep://127.0.0.1:<port>
 *   --speed 0` to a UDP socket standing for `live --hep`; compared with an offline
 *   `aipref-enforcer replay cut.pcap` of the same capture.
 * Was (observed): the third OPTIONS, captured whole, is never sent: no HEP frame holds
 *   `OPTIONS sip:third@`, though the offline pipeline reads it (`inspect --json`: frame 4
 *   holds a `bytes-lost` error, then OPTIONS sip:third@ with Call-ID third-call); stdout `{"sent":2,"skipped":2}`, stderr says nothing of it. The cut segment
 *   leaves a gap; the segment after it is held (kind 'pending', counted as skipped); the server's
 *   answer acknowledging past the gap resumes the held bytes into the decoder's `resumed` runs,
 *   which packet-feed reads (resumeOthers) but replayCapture never takes
 *   (decoder.takeResumedTcp()), and the next add() clears them. The same holds for a segment the
 *   capture lost, and for bytes held at the end of the capture.
 * Correct: README: "Over HEP the live exports and reports equal an offline `replay` of the same
 *   capture line for line (test/live; for a capture whose snap length cut datagrams, of what was
 *   sent)": what the offline replay reads of a stream — the whole third message — reaches the live
 *   side; bytes given up are at least counted and said, as b69cfed does for cut datagrams.
 * Fix: src/sources/replay-sender.ts replayCapture: after each decode of kind 'tcp' or 'pending',
 *   take `decoder.takeResumedTcp()` and send each run's bytes as frames of its direction (the
 *   flow key's addresses and ports, IP protocol 6, the record's time) before the record's own
 *   bytes; at the end, what the decoder still holds past a gap likewise (packet-feed's
 *   resumeAfterGap). Count them in `sent`.
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

it('replay --to hep:// sends the stream bytes an offline replay reads after a cut segment', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'round19-tcp-gap-'));
  dirs.push(dir);
  const cap = path.join(dir, 'cut.pcap');
  await writeTcpCapture(cap, cutSegmentCall());

  // offline: the third message is read (after a `bytes-lost` error for the cut one)
  const offline = await cli('inspect', cap, '--json');
  expect(offline.code, offline.stderr).toBe(0);
  expect(offline.stdout).toMatch(/"requestUri":"sip:third@10\.0\.0\.2","callId":"third-call"/);

  const sock = createSocket('udp4');
  const frames: Buffer[] = [];
  sock.on('message', (m) => frames.push(m));
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  try {
    const r = await cli('replay', cap, '--to', `hep://127.0.0.1:${sock.address().port}`, '--speed', '0');
    expect(r.code, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 300));
    const all = Buffer.concat(frames).toString('latin1');
    expect(all).toContain('OPTIONS sip:first@');
    expect(all, `stdout ${r.stdout.trim()}, stderr ${JSON.stringify(r.stderr)}`).toContain('OPTIONS sip:third@');
  } finally {
    sock.close();
  }
});
