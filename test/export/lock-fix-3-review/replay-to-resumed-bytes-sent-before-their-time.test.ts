/**
 * Found by a review of cf497f1, fixed since: every record keeps the pace before anything it resumes is sent (src/sources/replay-sender.ts replayCapture).
 */
/**
 * Input: SIP over TCP: OPTIONS #1 at t=1.0, #2 lost whole, OPTIONS #3 at t=1.05 (held behind the
 *   gap), the server's 200 OK at t=2.0 acknowledging all (which resumes #3, read at t=2.0 by the
 *   offline pipeline). `replay cap --to hep://… --speed 1` to a UDP socket: arrival times.
 * Was (observed): #3 arrives right after #1 (about 0 ms later), a second before the 200 OK: the
 *   resumed runs are sent (sendResumed) before the record's pacing wait, i.e. at the time of the
 *   previous record sent. Over HEP the frame still says 2.0, but `--udp-mode ip-packet` and plain
 *   mirrors are stamped with arrival times by live (documented), so #3 is read a second early.
 * Correct: --speed 1 replays at the capture's pace: bytes read at the record at t=2.0 leave at
 *   t=2.0, not before (the offline pipeline reads them at that record, packet-feed resumeOthers).
 * Fix: src/sources/replay-sender.ts replayCapture: do the `firstTs`/`due` pacing wait before
 *   sendResumed (for any record that sends resumed runs, 'pending' included), then send the runs
 *   and the record's own bytes.
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

it('--speed 1: bytes resumed by a record leave at that record\'s time', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'k-resumed-pace-'));
  dirs.push(dir);
  const cap = path.join(dir, 'paced.pcap');
  const m1 = sip('OPTIONS sip:first@10.0.0.2 SIP/2.0', 'first-call');
  const m2 = sip('OPTIONS sip:second@10.0.0.2 SIP/2.0', 'second-call');
  const m3 = sip('OPTIONS sip:third@10.0.0.2 SIP/2.0', 'third-call');
  const ok = `SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-first-call\r\nFrom: <sip:a@10.0.0.1>;tag=first-call\r\nTo: <sip:b@10.0.0.2>;tag=s\r\nCall-ID: first-call\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  const end = 1000 + m1.length + m2.length + m3.length;
  await writeTcpCapture(cap, [
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1 },
    { ts: 1.05, from: 'client', seq: 1000 + m1.length + m2.length, ack: 9000, payload: m3 },
    { ts: 2.0, from: 'server', seq: 9000, ack: end, payload: ok },
  ]);
  const sink = await hepSink();
  try {
    await cli(['replay', cap, '--to', `hep://127.0.0.1:${sink.port}`, '--speed', '1']);
    await new Promise((r) => setTimeout(r, 200));
    const first = sink.frames.find((f) => f.text.includes('first-call') && f.text.startsWith('OPTIONS'))!;
    const third = sink.frames.find((f) => f.text.includes('third-call'))!;
    const answer = sink.frames.find((f) => f.text.startsWith('SIP/2.0 200'))!;
    expect([first, third, answer].every(Boolean)).toBe(true);
    expect(answer.at - first.at).toBeGreaterThan(800); // the pace itself holds
    expect(third.at - first.at, `#3 arrived ${Math.round(third.at - first.at)} ms after #1`).toBeGreaterThan(800);
  } finally {
    sink.close();
  }
});
