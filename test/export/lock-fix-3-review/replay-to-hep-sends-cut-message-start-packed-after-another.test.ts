/**
 * Found by the fix of a known limit (8418f0b), fixed since: over HEP a direction's bytes go up to
 * the end of the last message they complete, the unfinished message's bytes held back (the framer
 * says how many it holds), so a later cut drops exactly what the offline framer drops
 * (src/signaling/sip-flows.ts SipFlowDemux.pendingBytes, src/sources/replay-sender.ts replayCapture sendStream).
 */
/**
 * Input: SIP over TCP: one segment holding OPTIONS #1 whole and the first 60 bytes of OPTIONS #2;
 *   the rest of #2 never captured; an INVITE (#3) whole, held behind the gap; the server's 200 OK
 *   acknowledging everything. `replay --to hep://… --speed 0` to `live --hep`; compared with an
 *   offline `replay` (--workers 0, raw-export policy).
 * Was (observed): offline reads #1, reports #2's 60 bytes as cut by a lost segment, then reads
 *   the INVITE (sip 4); live gets #1 and #2's 60 bytes in one frame, then the INVITE: it reads
 *   the INVITE's start line as a header line of #2 (a malformed-input report, the INVITE never read).
 * Correct: README, replay --to: over HEP a message a lost segment cut is not sent; the live side
 *   reads everything else as the offline replay does.
 * Fix: src/signaling/sip-flows.ts: a SipFlowDemux.pendingBytes(flowKey) (its framer's held
 *   bytes); src/sources/replay-sender.ts sendStream: send all but that many of the direction's
 *   bytes, hold the rest.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeTcpCapture, sip, type Segment } from '../../cli/round19-fixes-review/tcp-capture.js';
import { cli, ensureBuilt, kill, offline, startLive, stopAndRead, tempDir, untilReceived, writeJson, type LiveChild } from '../../live/live-vs-replay-review/lvr-helpers.js';

function packedThenLost(): Segment[] {
  const m1 = sip('OPTIONS sip:first@10.0.0.2 SIP/2.0', 'first-call');
  const m2 = sip('OPTIONS sip:second@10.0.0.2 SIP/2.0', 'second-call');
  const m3 = sip('INVITE sip:third@10.0.0.2 SIP/2.0', 'third-call').replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE').replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\r\nContact: <sip:a@10.0.0.1:40000;transport=tcp>\r\n');
  const ok = `SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-first-call\r\nFrom: <sip:a@10.0.0.1>;tag=first-call\r\nTo: <sip:b@10.0.0.2>;tag=s\r\nCall-ID: first-call\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  const c0 = 1000;
  const s0 = 9000;
  return [
    { ts: 1.0, from: 'client', seq: c0, ack: s0, payload: m1 + m2.slice(0, 60) },
    // m2.slice(60): lost, never captured
    { ts: 1.2, from: 'client', seq: c0 + m1.length + m2.length, ack: s0, payload: m3 },
    { ts: 1.3, from: 'server', seq: s0, ack: c0 + m1.length + m2.length + m3.length, payload: ok },
  ];
}

let dir: string;
let cleanup: () => Promise<void>;
let cap: string;
let policy: string;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('k-tcp-packed-'));
  cap = path.join(dir, 'packed.pcap');
  await writeTcpCapture(cap, packedThenLost());
  policy = await writeJson(path.join(dir, 'p.json'), { apts: { d: { type: 'domain', export: 'raw', retention: '9999d' } }, default: 'd' });
});
afterAll(async () => cleanup?.());

it('over HEP the start of a message a lost segment cut is not sent when it shared a segment with the one before', async () => {
  const off = await offline(cap, path.join(dir, 'off'), ['--policy', policy, '--explain']);
  expect(off.summary).toMatchObject({ malformed: 1, sip: 4 });
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    const r = await cli(['replay', cap, '--to', `hep://127.0.0.1:${s.addresses.hep!.udp.port}`, '--speed', '0']);
    const sent = (JSON.parse(r.stdout) as { sent: number }).sent;
    await untilReceived(s.addresses.metrics!.port, 'hep', sent);
    const got = await stopAndRead(live, out, true);
    expect(got.code).toBe(0);
    // as over HEP without the packing: the cut message's report is said by the sender, the rest as offline
    expect(r.stderr).toContain(`packed.pcap: ${String(off.reports[0]!.detail)}: the offline replay's report, not the live side's`);
    expect({ summary: got.summary, reports: got.reports }).toEqual({ summary: { ...off.summary, packets: sent, sip: 3, malformed: 0, reports: {} }, reports: [] });
  } finally {
    kill(live);
  }
});
