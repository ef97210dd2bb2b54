/**
 * SPEC §8: malformed packets inside a readable capture never stop a run — they are counted and
 * reported (malformed-input, with the frame) and change nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import type { StreamTruth } from '../../samples/generator/truth.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import type { PolicyFile } from '../../src/policy/policy-file.js';
import {
  catalogApts,
  type DecisionLine,
  type Generated,
  parseLines,
  type PcapRecord,
  policyOf,
  readPcapRecords,
  replayLines,
  type ReplayLines,
  type ReportLine,
  smallCapture,
  Workspace,
  writePcapRecords,
} from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let g: Generated;
let policy: PolicyFile;
let before: ReplayLines;
let stream: StreamTruth;

beforeAll(async () => {
  g = await ws.generate(smallCapture(21, 8));
  policy = policyOf({ apts: catalogApts() });
  before = await replayLines({ capture: g.path, policy, explain: true });
  stream = g.truth.calls[4]!.streams[0]!;
});

const rtcpDatagram = (s: StreamTruth, payload: Uint8Array) =>
  buildEthernetIpv4Udp({ src: s.src.address, dst: s.dst.address, sport: s.src.rtcpPort, dport: s.dst.rtcpPort, payload });
const rtpDatagram = (s: StreamTruth, payload: Uint8Array) =>
  buildEthernetIpv4Udp({ src: s.src.address, dst: s.dst.address, sport: s.src.rtpPort, dport: s.dst.rtpPort, payload });

async function replayWith(name: string, change: (records: PcapRecord[]) => void): Promise<ReplayLines> {
  const { header, records } = await readPcapRecords(g.path);
  change(records);
  const file = await ws.file(name);
  await writePcapRecords(file, header, records);
  return replayLines({ capture: file, policy, explain: true });
}

function expectReportedAndNothingElse(after: ReplayLines, broken: ReadonlySet<number>): void {
  expect(after.result.summary.packets).toBe(g.truth.packets.total);
  const malformed = parseLines<ReportLine>(after.reports).filter((r) => r.type === 'malformed-input');
  const earlier = parseLines<ReportLine>(before.reports).filter((r) => r.type === 'malformed-input').length;
  for (const f of broken) expect(malformed.some((r) => r.frame === f && String(r.detail).includes(`frame ${f}`)), `malformed-input at frame ${f}`).toBe(true);
  expect(malformed.length).toBe(earlier + broken.size);
  expect(after.result.summary.malformed).toBe(malformed.length);
  const others = (lines: string[]) => lines.filter((l) => !broken.has((JSON.parse(l) as DecisionLine).frame));
  expect(others(after.decisions)).toEqual(others(before.decisions));
}

describe('malformed packets in a readable capture', () => {
  it('an RTCP compound whose second packet is cut: reported at its frame, its first packet still judged, nothing else changes', async () => {
    const c = g.truth.rtcp.filter((r) => r.ssrc === stream.ssrc)[2]!;
    const packets = g.rtcp.get(c.frame)!;
    const whole = encodeRtcpCompound(packets);
    const first = encodeRtcpCompound([packets[0]!]);
    // the first packet, then an SDES header claiming 17 words that are not there
    const payload = new Uint8Array(first.length + 4);
    payload.set(first);
    payload.set([0x81, 202, 0x00, 0x10], first.length);
    expect(whole.length).toBeGreaterThan(first.length);
    const after = await replayWith('cut-compound.pcap', (records) => {
      records[c.frame - 1] = { ts: records[c.frame - 1]!.ts, data: rtcpDatagram(stream, payload) };
    });
    expectReportedAndNothingElse(after, new Set([c.frame]));
    const judged = parseLines<DecisionLine>(after.decisions).filter((d) => d.frame === c.frame);
    const was = parseLines<DecisionLine>(before.decisions).filter((d) => d.frame === c.frame);
    expect(judged).toEqual(was.slice(0, 1));
  });

  it('on a negotiated media transport, an RTCP datagram whose length word overruns it and a 5-byte RTP datagram: counted and reported', async () => {
    const c = g.truth.rtcp.filter((r) => r.ssrc === stream.ssrc)[3]!;
    const rtpFrame = [...Array(40).keys()].map((i) => stream.firstFrame + 20 + i).find((f) => !g.truth.rtcp.some((r) => r.frame === f) && !g.truth.calls.some((k) => k.sip.some((m) => m.frame === f)))!;
    const after = await replayWith('broken-media.pcap', (records) => {
      records[c.frame - 1] = { ts: records[c.frame - 1]!.ts, data: rtcpDatagram(stream, Uint8Array.of(0x80, 200, 0x7f, 0xff, 1, 2, 3, 4, 5, 6, 7, 8)) };
      records[rtpFrame - 1] = { ts: records[rtpFrame - 1]!.ts, data: rtpDatagram(stream, Uint8Array.of(0x80, 0, 0, 1, 2)) };
    });
    expectReportedAndNothingElse(after, new Set([c.frame, rtpFrame]));
  });
});
