/**
 * Found by a review of cf497f1 (a known limit until then), fixed since: over HEP each TCP direction is framed as the offline pipeline frames it and its bytes go once they complete a message, so a message a lost segment cut is never sent (its report said on stderr), and in ip-packet mode a TCP segment goes as its captured IP packet (src/sources/replay-sender.ts replayCapture sendSegment).
 */
/**
 * Input: a capture of SIP over TCP where a segment in the middle of a message was lost (client:
 *   OPTIONS #1 whole; the first 60 bytes of OPTIONS #2; the rest of #2 never captured; an INVITE
 *   (#3) whole, held behind the gap; the server's 200 OK acknowledging everything, which resumes
 *   the held INVITE). Sent with `replay --to hep://… --speed 0` to `live --hep`, and with
 *   `replay --to udp://… --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`; compared
 *   with an offline `replay` of the same capture (--workers 0, raw-export policy).
 * Was (observed): offline reads #2's 60 bytes as cut ("60 bytes of a message cut by a lost
 *   segment, dropped": one malformed-input report, malformed 1) and then the INVITE of
 *   third-call as a message of its own (summary sip 4). Live (both modes) gets the 60 bytes and the
 *   resumed INVITE bytes back to back — HEP frames carry no sequence number and source-batch.ts
 *   gives each direction a running one, the ip-packet sender (SourcePacketBatcher) likewise —
 *   so the INVITE's start line is read as a header line of #2: the INVITE of third-call is
 *   never read; live's one report is "frame 3: sip cseq-method-mismatch at byte 236 (its method
 *   is not the request's)" (the glued message) where offline's is "frame 4: sip no-header-end …
 *   (60 bytes of a message cut by a lost segment, dropped)"; summary sip 3 where offline has 4.
 * Correct: README: over HEP the live exports and reports equal an offline replay of the same
 *   capture line for line; cf497f1 sends the resumed bytes "as the offline pipeline reads them".
 *   Sending them is not enough while the gap before them is invisible to the receiver. In
 *   ip-packet mode live equals offline (times aside). Over HEP the receiver cannot see a gap, so
 *   the report of what it cut is the offline replay's alone: replay --to says it on stderr in the
 *   offline report's words and sends none of the cut bytes; everything else equals offline
 *   (the INVITE read as a message of its own; `packets` counts the frames sent) — README, replay --to.
 * Fix: src/sources/replay-sender.ts replayCapture. ip-packet mode: send the captured IP packet
 *   itself (original sequence/ack numbers, bare ACKs too) for TCP, so the live decoder sees the
 *   gap as offline does; or restart the direction's running sequence with a gap (a
 *   SourcePacketBatcher hook to skip `lostBytes`). HEP: the receiver cannot see a gap, so do not
 *   send stream bytes the offline framer drops: frame the direction on the sender side
 *   (SipFlowDemux, gapThenBytes as packet-feed) and send whole messages, or send bytes of an
 *   unfinished message cut by a gap no further (its tail stays out of the next message).
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeTcpCapture, sip, type Segment } from '../../cli/round19-fixes-review/tcp-capture.js';
import { cli, ensureBuilt, kill, offline, startLive, stopAndRead, tempDir, untilReceived, writeJson, type LiveChild } from '../../live/live-vs-replay-review/lvr-helpers.js';

function lostMidMessage(): Segment[] {
  const m1 = sip('OPTIONS sip:first@10.0.0.2 SIP/2.0', 'first-call');
  const m2 = sip('OPTIONS sip:second@10.0.0.2 SIP/2.0', 'second-call');
  const m3 = sip('INVITE sip:third@10.0.0.2 SIP/2.0', 'third-call').replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE').replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\r\nContact: <sip:a@10.0.0.1:40000;transport=tcp>\r\n');
  const ok = `SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK-first-call\r\nFrom: <sip:a@10.0.0.1>;tag=first-call\r\nTo: <sip:b@10.0.0.2>;tag=s\r\nCall-ID: first-call\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  const c0 = 1000;
  const s0 = 9000;
  const end = c0 + m1.length + m2.length + m3.length;
  return [
    { ts: 1.0, from: 'client', seq: c0, ack: s0, payload: m1 },
    { ts: 1.1, from: 'client', seq: c0 + m1.length, ack: s0, payload: m2.slice(0, 60) },
    // m2.slice(60): lost, never captured
    { ts: 1.2, from: 'client', seq: c0 + m1.length + m2.length, ack: s0, payload: m3 },
    { ts: 1.3, from: 'server', seq: s0, ack: end, payload: ok },
  ];
}

let dir: string;
let cleanup: () => Promise<void>;
let cap: string;
let policy: string;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('k-tcp-gap-'));
  cap = path.join(dir, 'lost.pcap');
  await writeTcpCapture(cap, lostMidMessage());
  policy = await writeJson(path.join(dir, 'p.json'), { apts: { d: { type: 'domain', export: 'raw', retention: '9999d' } }, default: 'd' });
});
afterAll(async () => cleanup?.());

for (const mode of ['hep', 'ip-packet'] as const) {
  it(`a message cut by a lost segment is not glued to the next one over ${mode} (live = offline)`, async () => {
    const off = await offline(cap, path.join(dir, `off-${mode}`), ['--policy', policy, '--explain']);
    // the offline reading: #2 cut (one report), the INVITE a dialog of its own
    expect(off.reports.map((r) => r.type)).toEqual(['malformed-input']);
    expect(off.summary).toMatchObject({ malformed: 1, sip: 4 });
    let live: LiveChild | undefined;
    try {
      const out = path.join(dir, `live-${mode}`);
      const s = await startLive(out, [...(mode === 'hep' ? ['--hep', '127.0.0.1:0'] : ['--udp', '127.0.0.1:0', '--udp-mode', 'ip-packet']), '--policy', policy, '--explain']);
      live = s.live;
      const target = mode === 'hep' ? `hep://127.0.0.1:${s.addresses.hep!.udp.port}` : `udp://127.0.0.1:${s.addresses.udp!.port}`;
      const r = await cli(['replay', cap, '--to', target, '--speed', '0', ...(mode === 'hep' ? [] : ['--udp-mode', 'ip-packet'])]);
      const sent = (JSON.parse(r.stdout) as { sent: number }).sent;
      await untilReceived(s.addresses.metrics!.port, mode === 'hep' ? 'hep' : 'udp', sent);
      const got = await stopAndRead(live, out, true);
      expect(got.code).toBe(0);
      if (mode === 'hep') {
        // the cut message's report is the offline replay's alone, said by the sender in its words;
        // the rest as offline: the INVITE read on its own (sip 3 = #1, the INVITE, the 200 OK)
        expect(r.stderr).toContain(`lost.pcap: ${String(off.reports[0]!.detail)}: the offline replay's report, not the live side's`);
        expect({ summary: got.summary, reports: got.reports }).toEqual({ summary: { ...off.summary, packets: sent, sip: 3, malformed: 0, reports: {} }, reports: [] });
        return;
      }
      // (ip-packet mode: times are arrival times, documented)
      const noTs = (rs: Record<string, unknown>[]) => rs.map(({ ts: _ts, ...r }) => r);
      expect({ summary: got.summary, reports: noTs(got.reports) }).toEqual({ summary: off.summary, reports: noTs(off.reports) });
    } finally {
      kill(live);
    }
  });
}
