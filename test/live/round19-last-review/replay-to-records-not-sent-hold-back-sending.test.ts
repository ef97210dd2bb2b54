/**
 * Found by a review of the round's last fixes, fixed since: only a record that sends something (its bytes or a TCP direction's it resumed) keeps the pace, from the first that does (src/sources/replay-sender.ts replayCapture).
 */
/**
 * Input: `replay cap.pcap --to udp://… --speed 1` (replayCapture in-process) of small Ethernet
 *   captures holding ARP frames (records replay --to never sends) beside UDP datagrams:
 *   (a) ARP at t=1000, then UDP "one" at t=1003 and "two" at t=1003.3 — a capture started before
 *       the traffic it is about (tcpdump -i any on a relay: ARP, other hosts' traffic first);
 *   (b) UDP "one" at t=1000, an ARP frame stamped t=1004 (time going backwards after it: another
 *       interface's clock in a merged capture, a clock step), UDP "two" at t=1000.3.
 * Was (observed, since 0accb0e): every decoded record, sent or not, is waited for and firstTs is
 *   the first record's: (a) nothing is sent for 3 s (the first datagram leaves ~3000 ms after the
 *   start; with a capture whose first UDP datagram is an hour in, replay sits silent an hour);
 *   (b) "two" leaves ~4000 ms after "one": the ARP frame no one is sent holds it back 4 s.
 *   Before 0accb0e both were paced by the datagrams sent (≈0 ms and ≈300 ms).
 * Correct: --speed 1 "keeps the capture's pace" (README, replay --to) — of what it sends: a
 *   record that is not sent has nothing to keep the pace of. The previous review (resumed TCP
 *   bytes) only needs the wait at a record that sends something (its own bytes or resumed ones).
 * Fix: src/sources/replay-sender.ts replayCapture: do the firstTs/due wait only for a record
 *   that sends (kind 'udp', or 'tcp' with payload over HEP/ip-packet, or one whose
 *   takeResumedTcp() gives runs), and set firstTs at the first such record; skipped records
 *   (non-UDP, malformed, snap-cut) neither wait nor set firstTs. lastTs may stay every record's.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { replayCapture } from '../../../src/sources/replay-sender.js';
import { writeCapture, type Rec } from './pcap.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Replays `recs` at --speed 1 to a UDP socket; the datagrams' texts and arrival times (ms from the start). */
async function replayed(recs: Rec[]): Promise<{ result: { sent: number; skipped: number }; got: Map<string, number> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'r19-replay-pace-'));
  dirs.push(dir);
  const cap = path.join(dir, 'cap.pcap');
  await writeCapture(cap, recs);
  const sock: Socket = createSocket('udp4');
  const got = new Map<string, number>();
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const t0 = performance.now();
  sock.on('message', (m) => got.set(m.toString(), performance.now() - t0));
  try {
    const result = await replayCapture(cap, { scheme: 'udp', host: '127.0.0.1', port: sock.address().port }, { speed: 1 });
    await new Promise((r) => setTimeout(r, 100));
    return { result, got };
  } finally {
    sock.close();
  }
}

it('(a) records before the first datagram sent do not delay it', async () => {
  const { result, got } = await replayed([
    { ts: 1000, kind: 'arp' },
    { ts: 1003, kind: 'udp', payload: 'one' },
    { ts: 1003.3, kind: 'udp', payload: 'two' },
  ]);
  expect(result).toEqual({ sent: 2, skipped: 1 });
  const one = got.get('one')!;
  const two = got.get('two')!;
  expect(two - one).toBeGreaterThan(200); // the pace of what is sent holds
  expect(one, `first datagram sent ${Math.round(one)} ms after the start`).toBeLessThan(1000);
}, 20_000);

it('(b) a record not sent, stamped ahead, does not hold back the next datagram', async () => {
  const { result, got } = await replayed([
    { ts: 1000, kind: 'udp', payload: 'one' },
    { ts: 1004, kind: 'arp' },
    { ts: 1000.3, kind: 'udp', payload: 'two' },
  ]);
  expect(result).toEqual({ sent: 2, skipped: 1 });
  const gap = got.get('two')! - got.get('one')!;
  expect(gap, `"two" sent ${Math.round(gap)} ms after "one" (capture: 300 ms)`).toBeLessThan(1500);
}, 20_000);
