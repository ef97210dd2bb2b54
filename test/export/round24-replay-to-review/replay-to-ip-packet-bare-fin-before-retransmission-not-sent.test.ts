/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: ip-packet mode sends every record's IP packet as captured, a bare FIN included (src/sources/replay-sender.ts replayCapture sendIpPacket; bareTcp removed).
 * Input: SIP over TCP: OPTIONS #1; the first 50 bytes of #2 lost at first; the client's bare
 *   FIN (FIN|ACK, no payload, at the sequence number after those 50 bytes); then the
 *   retransmission of the 50 bytes (the client closes after writing them: a FIN that overtook
 *   a retransmitted segment, or the segment lost and sent again). `replay --to udp://…
 *   --udp-mode ip-packet` to `live --udp … --udp-mode ip-packet`, compared with `replay`.
 * Was (observed): when the FIN comes, bytes before it are missing, so it ends nothing yet
 *   (tcp-stream keeps finSeq; no TcpBoundary.END) and the decoder returns 'pending': the sender
 *   takes it for a bare ACK (bareTcp: no payload) and skips it. Offline the retransmission fills
 *   the gap and the FIN then ends the stream: "sip no-header-end at byte 210 (50 bytes of a
 *   message cut by FIN, dropped)". Live never saw the FIN: "… (50 bytes of a message cut by the
 *   end of the capture, dropped)" — a report line that is not the offline one; a stream the FIN
 *   ended offline stays open live (its next bytes, ports reused without a SYN, would be glued
 *   to the cut message or read past a "lost segment").
 * Correct: README "replay --to": ip-packet sends "not a bare ACK that moves no stream on", i.e.
 *   what the offline reading uses; a FIN is used later even when it ends nothing at once
 *   (tcp-stream.ts: "bytes held ahead of a gap when it comes still count").
 * Fix: src/sources/replay-sender.ts bareTcp: a segment with FIN (or RST) set is never bare — only
 *   a pure ACK (and a SYN sent again) may be left out.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from './harness.js';
import { FIN, ACK, tcp4, writeRecs } from './pkt.js';

const t = setup('r24-fin-');

it('a bare FIN that comes before the retransmission it follows is sent in ip-packet mode', async () => {
  const [m1, m2] = [sipMsg(1), sipMsg(2)];
  const c = (ts: number, seq: number, payload?: string, flags?: number) => ({ ts, ip: tcp4({ from: 'client', seq, ack: 9000, ...(payload !== undefined && { payload }), ...(flags !== undefined && { flags }) }) });
  const cap = await writeRecs(path.join(t.dir(), 'fin.pcap'), [c(1.0, 1000, m1), c(1.2, 1000 + m1.length + 50, undefined, FIN | ACK), c(1.3, 1000 + m1.length, m2.slice(0, 50))]);
  const off = await offlineOf(t.dir(), cap, 'fin', t.policy());
  expect(off.reports.map((r) => String(r.detail))).toEqual([expect.stringContaining('cut by FIN')]);
  const got = await liveOf(t.dir(), cap, 'fin', t.policy(), 'ip-packet');
  expect(reading(got)).toEqual(reading(off));
}, 60_000);
