/**
 * A capture whose snap length cut packets short (tcpdump -s N: the record's captured length
 * below its length on the wire) is read like tshark reads it: the packets keep their addresses,
 * ports and RTP headers; an RTCP compound cut inside is judged by its whole packets and the
 * cut is reported as such. Here the sample's media records are cut (SIP left whole, so the
 * calls are known): RTP past its header and mid extension, every other RTCP compound inside
 * its second packet.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, policyOf, readPcapRecords, replayLines, type ReplayLines, type ReportLine, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords } from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** Where the UDP payload of an Ethernet/IPv4/UDP record starts, and its ports; null for anything else. */
function udpOf(data: Uint8Array): { at: number; sport: number; dport: number } | null {
  if (data.length < 42 || data[12] !== 0x08 || data[13] !== 0x00 || data[23] !== 17) return null;
  const ihl = (data[14]! & 0x0f) * 4;
  const udp = 14 + ihl;
  return { at: udp + 8, sport: (data[udp]! << 8) | data[udp + 1]!, dport: (data[udp + 2]! << 8) | data[udp + 3]! };
}

describe('a capture cut by its snap length', async () => {
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  let cutRtcp = 0;
  let rtcpSeen = 0;
  const cut = records.map((r) => {
    const u = udpOf(r.data);
    if (u === null || u.sport === 5060 || u.dport === 5060) return r;
    const pt = r.data[u.at + 1]!;
    if (pt >= 200 && pt <= 207) {
      // every other compound of more than one packet: cut 4 bytes into its second packet
      const first = (((r.data[u.at + 2]! << 8) | r.data[u.at + 3]!) + 1) * 4;
      if (u.at + first + 4 >= r.data.length || rtcpSeen++ % 2 === 1) return r;
      cutRtcp++;
      return { ts: r.ts, data: r.data.subarray(0, u.at + first + 4), origLen: r.data.length };
    }
    // RTP: the fixed header, the mid extension (4 + 8 bytes) and 4 bytes of payload kept
    const keep = u.at + 28;
    return keep < r.data.length ? { ts: r.ts, data: r.data.subarray(0, keep), origLen: r.data.length } : r;
  });
  const file = await ws.file('cut.pcap');
  await writePcapRecords(file, header, cut);
  const policy = policyOf(JSON.parse(await readFile(SMALL_POLICY, 'utf8')));
  const whole = await replayLines({ capture: SMALL_PCAP, policy });
  const runs: ReplayLines[] = [];
  for (const workers of [0, 2]) runs.push(await replayLines({ capture: file, policy, workers }));
  const [run] = runs as [ReplayLines];

  it('cuts what it means to: RTP packets and some RTCP compounds', () => {
    expect(cutRtcp).toBeGreaterThan(5);
    expect(cut.filter((r) => r.origLen !== undefined).length).toBeGreaterThan(200);
  });

  it('reads every RTP packet and binds every stream as the whole capture does', () => {
    expect(run.result.summary.rtp).toBe(whole.result.summary.rtp);
    expect(run.result.summary.rtcp).toBe(whole.result.summary.rtcp);
    expect(run.result.bindings).toEqual(whole.result.bindings);
  });

  it('reports each cut compound once, as cut by the snap length, and counts it malformed; nothing else is malformed', () => {
    const malformed = parseLines<ReportLine>(run.reports).filter((r) => r.type === 'malformed-input');
    expect(malformed).toHaveLength(cutRtcp);
    for (const r of malformed) expect(r.detail).toMatch(/snap length/);
    expect(run.result.summary.malformed).toBe(cutRtcp);
  });

  it("judges a cut compound's whole packets: every telemetry item of the whole capture is decided but those cut off", () => {
    const total = (s: ReplayLines) => Object.values(s.result.summary.telemetry).reduce((a, b) => a + b, 0);
    expect(total(run)).toBeLessThan(total(whole));
    expect(total(run)).toBeGreaterThan(total(whole) - cutRtcp * 4);
  });

  it('gives the same lines whatever the workers', () => {
    expect(runs[1]!.exports).toEqual(run.exports);
    expect(runs[1]!.reports).toEqual(run.reports);
    expect(runs[1]!.decisions).toEqual(run.decisions);
  });
});
