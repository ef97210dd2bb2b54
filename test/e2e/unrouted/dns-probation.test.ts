/**
 * RTP from addresses no signaling routes is a source only from its second packet in sequence
 * (RFC 3550 A.1, MIN_SEQUENTIAL 2). About one DNS message in twenty decodes as a whole RTP
 * header (an id whose first byte is 128–191, a P/X/CC that fits): the flags word is where RTP's
 * sequence number would be, and a resolver's queries repeat it.
 *
 * Input: the sample with 40 such DNS queries (ids chosen so that the RTP header decodes without
 * error, half with an EDNS OPT record) from one stub resolver port and 20 from ports of their
 * own, and their 20 responses, off every negotiated transport.
 *
 * Was (0 and 2 workers): the queries and responses were counted as `rtp` (354 → 434) and made
 * unbound streams (`streams` 12 → 34: the fixed-port queries share SSRC 0 or 1, their
 * nscount/arcount words), one `unbound-stream` report each, listed in `bindings`. Now none of it: the summary, the
 * reports and the bindings are the sample's. (A real unrouted call's RTP still makes its stream
 * at its second packet: traffic-beside-calls.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRtpHeaderView, decodeRtpHeader } from '../../../src/media/rtp.js';
import { Workspace } from '../e2e-helpers.js';
import type { Udp } from '../sample-edits.js';
import { bothWorkers, dns, reportsOf, withInserted } from './unrouted-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** ids of `name`'s query (with or without EDNS) whose bytes decode as an RTP header without error */
function rtpLookingIds(name: string, edns: boolean, n: number): number[] {
  const view = createRtpHeaderView();
  const ids: number[] = [];
  for (let id = 0x8000; id < 0xc000 && ids.length < n; id += 7) {
    const b = dns(id, name, { edns });
    if (decodeRtpHeader(b, 0, b.length, view) === null) ids.push(id);
  }
  return ids;
}

describe('DNS that decodes as RTP, off negotiated transports', () => {
  it('makes no stream, count or report', async () => {
    const fixedPort = [...rtpLookingIds('www.example.com', false, 20), ...rtpLookingIds('sip.example.com', true, 20)];
    const ownPorts = rtpLookingIds('api.example.net', true, 20);
    expect([fixedPort.length, ownPorts.length]).toEqual([40, 20]);
    const datagrams: Udp[] = [
      ...fixedPort.map((id, k): Udp => ({ src: '10.9.0.10', dst: '10.9.0.53', sport: 35353, dport: 53, payload: dns(id, k < 20 ? 'www.example.com' : 'sip.example.com', { edns: k >= 20 }) })),
      ...ownPorts.flatMap((id): Udp[] => [
        { src: '10.9.0.10', dst: '10.9.0.53', sport: 20000 + id, dport: 53, payload: dns(id, 'api.example.net', { edns: true }) },
        { src: '10.9.0.53', dst: '10.9.0.10', sport: 53, dport: 20000 + id, payload: dns(id, 'api.example.net', { flags: 0x8180, answers: ['192.0.2.7'], edns: true }) },
      ]),
    ];
    // spread over the capture, among the calls' packets
    const inserts = new Map<number, Udp[]>();
    datagrams.forEach((d, k) => inserts.set(20 + k * 4, [d]));
    const capture = await withInserted(ws, 'dns-probation.pcap', inserts);
    const runs = await bothWorkers(capture);
    for (const r of runs) {
      const s = r.result.summary;
      expect({ packets: s.packets, rtp: s.rtp, rtcp: s.rtcp, malformed: s.malformed, streams: s.streams }).toEqual({ packets: 440 + 80, rtp: 354, rtcp: 54, malformed: 0, streams: 12 });
      expect(reportsOf(r).filter((x) => x.type === 'unbound-stream' || x.type === 'malformed-input')).toEqual([]);
      expect(r.result.bindings.filter((b) => b.dialog === null)).toEqual([]);
    }
    expect(runs[1].reports).toEqual(runs[0].reports);
    expect(runs[1].decisions).toEqual(runs[0].decisions);
  });
});
