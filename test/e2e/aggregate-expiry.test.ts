/**
 * An aggregate closed for retention (retention shorter than the window, SPEC §3, §4) is made
 * with half its retention left: the window closes at its first item's capture time +
 * retention / 2, and expires at capture time + retention. Were it closed at that expiry, its
 * ts would equal its expiresAt: expired when made, and dropped by the live exporters (NATS does
 * not publish expiresAt <= now, the AI-service spool deletes expired items).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../native-free/write.js';
import { type ExportLine, parseLines, type PcapRecord, policyOf, replayLines, Workspace, writePcapRecords } from './e2e-helpers.js';
import { A, B, callSetup, type Pkt, rtcp, sdp, sr, T0 } from './calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
// retention 5 s, window 10 s (default)
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '5s' } } });

async function aggregatesOf(pkts: Pkt[], step: number): Promise<ExportLine[]> {
  const records: PcapRecord[] = pkts.map((p, i) => ({ ts: T0 + (i + 1) * step, data: p.src.includes(':') ? buildIpv6Udp(p) : buildEthernetIpv4Udp(p) }));
  const file = await ws.file('aggregate-expiry.pcap');
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  const run = await replayLines({ capture: file, policy: POL, explain: true });
  return parseLines<ExportLine>(run.exports).filter((e) => e.type === 'aggregate');
}

describe('an aggregate closed by its retention (retention shorter than the window)', () => {
  it('is not expired the moment it is made: closed at half its retention, expiresAt > ts, so live exporters can deliver it', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-a']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const pkts = [...callSetup({ offer, answer })];
    for (let i = 0; i < 12; i++) pkts.push(rtcp(A, B, 4001, 5001, [sr(1111)]));
    const aggs = (await aggregatesOf(pkts, 1)).map((e) => ({ ts: e.ts, expiresAt: e.expiresAt!, window: e.window! }));
    expect(aggs.length).toBeGreaterThan(1);
    for (const a of aggs) {
      expect(a.expiresAt, JSON.stringify(a)).toBeGreaterThan(a.ts);
      // the first item's data never outlives its retention
      expect(a.expiresAt, JSON.stringify(a)).toBeLessThanOrEqual(a.window.start + 5 + 1e-6);
      // at least half the retention left for delivery and use downstream
      expect(a.expiresAt - a.ts, JSON.stringify(a)).toBeGreaterThanOrEqual(2.5 - 1e-6);
    }
    // the windows of the steady SRs close for retention, 2.5 s after their first item
    expect(aggs.some((a) => Math.abs(a.window.end - a.window.start - 2.5) < 1e-6 && Math.abs(a.expiresAt - a.window.start - 5) < 1e-6)).toBe(true);
  });
});
