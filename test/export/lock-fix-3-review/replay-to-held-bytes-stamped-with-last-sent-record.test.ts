/**
 * Found by a review of cf497f1, fixed since: the time of the bytes held at the end is the last record's, whatever was sent (src/sources/replay-sender.ts replayCapture).
 */
/**
 * Input: SIP over TCP: OPTIONS #1 (t=1.0), #2 lost whole, OPTIONS #3 (t=1.2, held behind the gap),
 *   then the server's bare ACK (t=5.0) acknowledging #1 only; the capture ends with #3 still
 *   held. `replay cap --to hep://… --speed 0` to a UDP socket; compared with `inspect --json`.
 * Was (observed): the offline pipeline reads #3 at the end of the capture, on the last record's
 *   frame and time (packet-feed runBatches → resumeAfterGap → endContext: stats.lastTs = 5.0);
 *   replay --to sends it (drainHeldTcp) stamped with `lastTs`, which replayCapture sets only for
 *   records it sends — 1.0, the time of #1 — so live --hep dates #3 four seconds before offline
 *   does (a dialog's start, report times, the window it falls in).
 * Correct: cf497f1 sends held bytes "as the offline pipeline reads them": at the time of the
 *   capture's last record (README: over HEP, live equals offline line for line).
 * Fix: src/sources/replay-sender.ts replayCapture: keep `lastTs` for every record decoded (as
 *   PacketFeed.stats.lastTs: the batch's last ts), not only for records sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../../live/live-helpers.js';
import { hepSink } from './hep-sink.js';
import { sip, writeTcpCapture } from '../../cli/round19-fixes-review/tcp-capture.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('bytes held at the end of the capture go at the time the offline pipeline reads them', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'k-held-ts-'));
  dirs.push(dir);
  const cap = path.join(dir, 'held.pcap');
  const m1 = sip('OPTIONS sip:first@10.0.0.2 SIP/2.0', 'first-call');
  const m2 = sip('OPTIONS sip:second@10.0.0.2 SIP/2.0', 'second-call');
  const m3 = sip('OPTIONS sip:third@10.0.0.2 SIP/2.0', 'third-call');
  await writeTcpCapture(cap, [
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1 },
    { ts: 1.2, from: 'client', seq: 1000 + m1.length + m2.length, ack: 9000, payload: m3 },
    { ts: 5.0, from: 'server', seq: 9000, ack: 1000 + m1.length, payload: '' },
  ]);
  const inspect = await cli(['inspect', cap, '--json']);
  const third = inspect.stdout.split('\n').filter((l) => l.includes('third-call')).map((l) => JSON.parse(l) as { ts: number });
  expect(third.map((l) => l.ts)).toEqual([5]);

  const sink = await hepSink();
  try {
    await cli(['replay', cap, '--to', `hep://127.0.0.1:${sink.port}`, '--speed', '0']);
    await new Promise((r) => setTimeout(r, 300));
    const sent = sink.frames.filter((f) => f.text.includes('third-call'));
    expect(sent.map((f) => f.ts)).toEqual([5]);
  } finally {
    sink.close();
  }
});
