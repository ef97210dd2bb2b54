/**
 * Checked and fine (a check of 8418f0b's sender, after the fix of its known limit: held tails):
 * 1. The end of the capture: a segment ending OPTIONS #1 and starting #2, the capture ending
 *    there: the held start of #2 goes at the end, and the live side reports it cut by the end of
 *    the capture as the offline replay does (summaries and reports equal, `packets` aside).
 * 2. Several messages in one segment and a message over many segments: #1, #2 whole and #3's
 *    first 30 bytes in one segment, #3 in three more, the last one starting #4, whose rest is
 *    lost; #5 after the gap: live reads #1, #2, #3, #5 as offline, and #4's cut is said by the
 *    sender, not sent (src/sources/replay-sender.ts replayCapture sendStream).
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeTcpCapture, sip, type Segment } from '../../cli/round19-fixes-review/tcp-capture.js';
import { cli, ensureBuilt, kill, offline, startLive, stopAndRead, tempDir, untilReceived, writeJson, type LiveChild } from '../../live/live-vs-replay-review/lvr-helpers.js';

const m = (n: number) => sip(`OPTIONS sip:m${n}@10.0.0.2 SIP/2.0`, `call-${n}`);

let dir: string;
let cleanup: () => Promise<void>;
let policy: string;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('k-tcp-framing-'));
  policy = await writeJson(path.join(dir, 'p.json'), { apts: { d: { type: 'domain', export: 'raw', retention: '9999d' } }, default: 'd' });
});
afterAll(async () => cleanup?.());

async function liveOf(cap: string, name: string): Promise<{ summary: unknown; reports: unknown; stderr: string; sent: number }> {
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, `live-${name}`);
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    const r = await cli(['replay', cap, '--to', `hep://127.0.0.1:${s.addresses.hep!.udp.port}`, '--speed', '0']);
    const sent = (JSON.parse(r.stdout) as { sent: number }).sent;
    await untilReceived(s.addresses.metrics!.port, 'hep', sent);
    const got = await stopAndRead(live, out, true);
    expect(got.code).toBe(0);
    return { summary: got.summary, reports: got.reports, stderr: r.stderr, sent };
  } finally {
    kill(live);
  }
}

it('a message start held at the end of the capture is reported cut by it live as offline', async () => {
  const cap = path.join(dir, 'end.pcap');
  const m1 = m(1);
  const m2 = m(2);
  const segs: Segment[] = [
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1 + m2.slice(0, 60) },
    { ts: 1.1, from: 'server', seq: 9000, ack: 1000 + m1.length + 60, payload: '' },
  ];
  await writeTcpCapture(cap, segs);
  const off = await offline(cap, path.join(dir, 'off-end'), ['--policy', policy, '--explain']);
  expect(off.summary).toMatchObject({ malformed: 1, sip: 2 });
  const got = await liveOf(cap, 'end');
  expect(got.stderr).toBe('');
  expect({ summary: got.summary, reports: got.reports }).toEqual({ summary: { ...off.summary, packets: got.sent }, reports: off.reports });
});

it('several messages in a segment and one over many go as offline reads them, a cut one not', async () => {
  const cap = path.join(dir, 'many.pcap');
  const [m1, m2, m3, m4, m5] = [m(1), m(2), m(3), m(4), m(5)];
  const c0 = 1000;
  const at3 = c0 + m1.length + m2.length;
  const at5 = at3 + m3.length + m4.length;
  const segs: Segment[] = [
    { ts: 1.0, from: 'client', seq: c0, ack: 9000, payload: m1 + m2 + m3.slice(0, 30) },
    { ts: 1.1, from: 'client', seq: at3 + 30, ack: 9000, payload: m3.slice(30, 80) },
    { ts: 1.2, from: 'client', seq: at3 + 80, ack: 9000, payload: m3.slice(80, 150) },
    { ts: 1.3, from: 'client', seq: at3 + 150, ack: 9000, payload: m3.slice(150) + m4.slice(0, 40) },
    // m4.slice(40): lost
    { ts: 1.5, from: 'client', seq: at5, ack: 9000, payload: m5 },
    { ts: 1.6, from: 'server', seq: 9000, ack: at5 + m5.length, payload: '' },
  ];
  await writeTcpCapture(cap, segs);
  const off = await offline(cap, path.join(dir, 'off-many'), ['--policy', policy, '--explain']);
  expect(off.summary).toMatchObject({ malformed: 1, sip: 5 });
  const got = await liveOf(cap, 'many');
  expect(got.stderr).toContain(`many.pcap: ${String(off.reports[0]!.detail)}: the offline replay's report, not the live side's`);
  expect({ summary: got.summary, reports: got.reports }).toEqual({ summary: { ...off.summary, packets: got.sent, sip: 4, malformed: 0, reports: {} }, reports: [] });
});
