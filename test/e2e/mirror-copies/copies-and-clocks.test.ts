/**
 * Checks of the duplicate / reordering / odd-timing review that turned out FINE (workers 0 and 2):
 *
 * 1. Every SIP record of the sample captured twice by a mirror (same IP datagram 3 µs later, an
 *    802.1Q tag, TTL one less): reports, decisions and exports (requestIds aside) are those of
 *    the sample, frames renumbered. SPEC §5 "A
 *    retransmitted or repeated identical message changes nothing".
 * 2. Every RTP record captured twice the same way: outputs unchanged (frames renumbered).
 * 3. A non-SIP, non-media datagram mid-capture stamped 5 h ahead, or at time 0: decisions,
 *    reports and exports unchanged (frames renumbered). (A SIP record 5 h ahead is not fine:
 *    future-timestamp-evicts-dialogs.test.ts.)
 * 4. A relay's two legs (B2BUA: Call-IDs leg1 A↔relay, leg2 relay↔B, both SDPs declaring
 *    a=ssrc:1111 for A's stream) carry the same SR and RR: each copy is decided under its own
 *    leg's APT (raw on leg1 exported, none on leg2 dropped), never merged; with both legs
 *    aggregated each leg's RTT is its own (100.2 ms and 99.8 ms: the SR is matched within its
 *    own call).
 * 5. The caller's last RTCP captured 2 ms after its BYE (two interfaces): judged after the BYE
 *    (SPEC §5: "BYE ends the dialog and its bindings") — dropped `no-preference`, reported
 *    `unbound-stream`, nothing exported.
 * 6. An RTP packet from addresses no SDP names, captured twice (or three times): no stream, no
 *    count (RFC 3550 A.1 probation needs sequential packets; a copy is not one); two sequential
 *    packets make one.
 * 7. Every SIP message of the sample seen again 0.5 ms later as a stateful proxy forwards it (one
 *    more top Via, Max-Forwards one less: not byte-identical): outputs unchanged (frames renumbered).
 * 8. An INVITE fragmented into 4 IPv4 fragments, each captured twice (interleaved f1 f1' f2 f2' …,
 *    or the four then their four copies with a VLAN tag): one SIP message taken (3 counted as
 *    SIP: copies of the fragments of a datagram reassembled lately are absorbed — before, the
 *    blocks order reassembled it twice, a retransmission, and the interleaved one's last copy
 *    was a set that never completed), one dialog, no malformed, the SR exported once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { buildEthernetIpv4Udp, fragmentIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { sipText } from '../sample-edits.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { type DecisionLine, type ExportLine, parseLines, type PcapRecord, policyOf, readPcapRecords, replayLines, type ReportLine, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords } from '../e2e-helpers.js';
import { message, request, response, sdpOf, T0 } from '../hand-built-calls.js';
import { lsrOf, rrFrom, srFrom } from '../two-party-rtcp.js';
import { udp, type Udp } from '../sample-edits.js';
import { type Frame, writeFrames } from './build.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const isRtcp = (p: Uint8Array) => p.length >= 8 && p[0]! >> 6 === 2 && p[1]! >= 200 && p[1]! <= 207;
const isSip = (u: Udp) => u.sport === 5060 || u.dport === 5060;

/** The sample with extra records after some; returns the file and old → new frame numbers. */
async function sampleWith(name: string, extra: (r: PcapRecord, u: Udp | null, frame: number) => PcapRecord | null): Promise<{ file: string; renumber: Map<number, number> }> {
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  const out: PcapRecord[] = [];
  const renumber = new Map<number, number>();
  records.forEach((r, i) => {
    out.push(r);
    renumber.set(i + 1, out.length);
    const x = extra(r, udp(r), i + 1);
    if (x !== null) out.push(x);
  });
  const file = await ws.file(`${name}.pcap`);
  await writePcapRecords(file, header, out);
  return { file, renumber };
}

async function sameAsSample(file: string, renumber: Map<number, number>, workers: number): Promise<void> {
  const policy = parsePolicy(await readFile(SMALL_POLICY, 'utf8'), 'policy.json');
  const original = await replayLines({ capture: SMALL_PCAP, policy, workers });
  const run = await replayLines({ capture: file, policy, workers });
  const reframe = <T extends { frame: number }>(lines: string[]) => parseLines<T>(lines).map((l) => JSON.stringify({ ...l, frame: renumber.get(l.frame) }));
  expect(run.reports).toEqual(reframe<ReportLine>(original.reports));
  expect(run.decisions).toEqual(reframe<DecisionLine>(original.decisions));
  const withoutId = (lines: string[]) => parseLines<ExportLine>(lines).map(({ requestId: _, ...rest }) => JSON.stringify(rest));
  expect(withoutId(run.exports)).toEqual(withoutId(original.exports));
  expect(run.result.summary.telemetry).toEqual(original.result.summary.telemetry);
  expect(run.result.summary.dialogs).toBe(original.result.summary.dialogs);
  expect(run.result.summary.streams).toBe(original.result.summary.streams);
}

const mirrorCopy = (r: PcapRecord, u: Udp): PcapRecord => ({ ts: r.ts + 3e-6, data: buildEthernetIpv4Udp({ ...u, vlan: 100, ttl: 63 }) });

describe('mirror copies that change nothing', () => {
  for (const workers of [0, 2]) {
    it(`1. every SIP record twice, VLAN tag and TTL differing (workers ${workers})`, async () => {
      const { file, renumber } = await sampleWith(`sip-twice-${workers}`, (r, u) => (u !== null && isSip(u) ? mirrorCopy(r, u) : null));
      await sameAsSample(file, renumber, workers);
    });
    it(`2. every RTP record twice (workers ${workers})`, async () => {
      const { file, renumber } = await sampleWith(`rtp-twice-${workers}`, (r, u) => (u !== null && !isSip(u) && !isRtcp(u.payload) ? mirrorCopy(r, u) : null));
      await sameAsSample(file, renumber, workers);
    });
    for (const [label, shift] of [['5 h ahead', (t: number) => t + 5 * 3600], ['at time 0', (_: number) => 0]] as const) {
      it(`3. a stray datagram ${label} after frame 100 (workers ${workers})`, async () => {
        const junk = buildEthernetIpv4Udp({ src: '192.0.2.9', dst: '192.0.2.10', sport: 40000, dport: 9, payload: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) });
        const { file, renumber } = await sampleWith(`stray-${label.replace(/\W/g, '')}-${workers}`, (r, _u, frame) => (frame === 100 ? { ts: shift(r.ts), data: junk } : null));
        await sameAsSample(file, renumber, workers);
      });
    }
  }
});

describe("4. a relay's two legs carry the same RTCP", () => {
  const A = '10.0.0.1';
  const R = '10.0.0.5';
  const B = '10.0.0.2';
  const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' }, 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' } } });
  const sdp = (ip: string, port: number, ssrc: number, apt: string) => ['v=0', `o=x 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${ssrc} cname:x`, `a=aipref:session ${apt}`, 'a=sendrecv', ''].join('\r\n');
  const legs = (apt1: string, apt2: string): Frame[] => {
    const sr = encodeRtcpCompound([srFrom(1111, T0 + 1)]);
    const rr = encodeRtcpCompound([rrFrom(2222, [{ ssrc: 1111, lsr: lsrOf(T0 + 1), dlsr: 0 }])]);
    return [
      { ts: T0, src: A, dst: R, sport: 5060, dport: 5060, payload: message('leg1@x', 'INVITE sip:b@r SIP/2.0', 'INVITE', 1, sdp(A, 4000, 1111, apt1), [], '') },
      { ts: T0 + 0.01, src: R, dst: B, sport: 5060, dport: 5060, payload: message('leg2@x', 'INVITE sip:b@b SIP/2.0', 'INVITE', 1, sdp(R, 30000, 1111, apt2), [], '') },
      { ts: T0 + 0.1, src: B, dst: R, sport: 5060, dport: 5060, payload: message('leg2@x', 'SIP/2.0 200 OK', 'INVITE', 1, sdp(B, 5000, 2222, apt2)) },
      { ts: T0 + 0.11, src: R, dst: A, sport: 5060, dport: 5060, payload: message('leg1@x', 'SIP/2.0 200 OK', 'INVITE', 1, sdp(R, 20000, 2222, apt1)) },
      { ts: T0 + 0.2, src: A, dst: R, sport: 5060, dport: 5060, payload: message('leg1@x', 'ACK sip:b@r SIP/2.0', 'ACK', 1, null) },
      { ts: T0 + 0.21, src: R, dst: B, sport: 5060, dport: 5060, payload: message('leg2@x', 'ACK sip:b@b SIP/2.0', 'ACK', 1, null) },
      { ts: T0 + 1, src: A, dst: R, sport: 4001, dport: 20001, payload: sr },
      { ts: T0 + 1.0002, src: R, dst: B, sport: 30001, dport: 5001, payload: sr },
      { ts: T0 + 1.1, src: B, dst: R, sport: 5001, dport: 30001, payload: rr },
      { ts: T0 + 1.1002, src: R, dst: A, sport: 20001, dport: 4001, payload: rr },
    ];
  };
  for (const workers of [0, 2]) {
    it(`each copy decided under its own leg (workers ${workers})`, async () => {
      const run = await replayLines({ capture: await writeFrames(ws, `legs-${workers}`, legs('apt-raw', 'apt-none')), policy, workers });
      expect(run.reports).toEqual([]);
      expect(parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.ssrc} ${d.decision} ${d.apt.join(',')}`)).toEqual([
        '7 1111 export apt-raw',
        '8 1111 drop apt-none',
        '9 2222 drop apt-none',
        '10 2222 export apt-raw',
      ]);
      expect(parseLines<ExportLine>(run.exports).map((e) => `${e.dialog?.callId} ${e.stream.ssrc} ${e.ts}`)).toEqual([`leg1@x 1111 ${T0 + 1}`, `leg1@x 2222 ${T0 + 1.1002}`]);
    });
    it(`each leg's RTT its own (workers ${workers})`, async () => {
      const run = await replayLines({ capture: await writeFrames(ws, `legs-agg-${workers}`, legs('apt-agg', 'apt-agg')), policy, workers });
      const rtt = parseLines<ExportLine>(run.exports).map((e) => `${e.dialog?.callId} ${e.stream.ssrc} ${JSON.stringify((e.stats as { rttMs: unknown }).rttMs)}`);
      expect(rtt).toEqual([
        'leg1@x 1111 null',
        'leg1@x 2222 {"min":100.2,"mean":100.2,"max":100.2,"count":1}',
        'leg2@x 1111 null',
        'leg2@x 2222 {"min":99.8,"mean":99.8,"max":99.8,"count":1}',
      ]);
    });
  }
});

describe('5. the last RTCP captured 2 ms after the BYE', () => {
  for (const workers of [0, 2]) {
    it(`is judged after the BYE: dropped, nothing exported (workers ${workers})`, async () => {
      const A = '10.0.0.1';
      const B = '10.0.0.2';
      const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } });
      const frames: Frame[] = [
        { ts: T0, src: A, dst: B, sport: 5060, dport: 5060, payload: request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-raw']), [], '') },
        { ts: T0 + 0.1, src: B, dst: A, sport: 5060, dport: 5060, payload: response('200 OK', 1, sdpOf('b', [])) },
        { ts: T0 + 0.2, src: A, dst: B, sport: 5060, dport: 5060, payload: request('ACK', 1, null) },
        { ts: T0 + 5, src: A, dst: B, sport: 5060, dport: 5060, payload: request('BYE', 2, null) },
        { ts: T0 + 4.998, src: A, dst: B, sport: 4001, dport: 5001, payload: encodeRtcpCompound([srFrom(1111, T0 + 4.998)]) },
      ];
      const run = await replayLines({ capture: await writeFrames(ws, `bye-first-${workers}`, frames), policy, workers });
      expect(parseLines<DecisionLine>(run.decisions).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['5 drop no-preference']);
      expect(run.exports).toEqual([]);
      expect(parseLines<ReportLine>(run.reports).map((r) => `${r.type} ${r.frame} ${r.ssrc}`)).toEqual(['unbound-stream 5 1111']);
    });
  }
});

describe('6. probation from unsignaled addresses', () => {
  const pkt = (seq: number) => encodeRtpPacket({ pt: 0, seq, ts: 160 * seq, ssrc: 0x12345678, payload: new Uint8Array(160) });
  for (const [seqs, streams] of [[[100, 100], 0], [[100, 100, 100], 0], [[100, 101], 1]] as const) {
    for (const workers of [0, 2]) {
      it(`RTP seq ${seqs.join(',')} (copies with VLAN/TTL differing) → ${streams} stream(s) (workers ${workers})`, async () => {
        const frames: Frame[] = seqs.map((s, i) => ({ ts: T0 + i * 1e-5, src: '192.0.2.50', dst: '192.0.2.51', sport: 30000, dport: 30002, payload: pkt(s), ttl: 64 - i, ...(i > 0 ? { vlan: 5 } : {}) }));
        const run = await replayLines({ capture: await writeFrames(ws, `probation-${seqs.join('-')}-${workers}`, frames), policy: policyOf({ apts: {} }), workers });
        expect(run.result.summary.streams).toBe(streams);
        expect(run.result.summary.rtp).toBe(streams === 0 ? 0 : 2);
      });
    }
  }
});

describe('7. SIP forwarded by a stateful proxy, both copies captured', () => {
  for (const workers of [0, 2]) {
    it(`changes nothing (workers ${workers})`, async () => {
      const { file, renumber } = await sampleWith(`proxy-copies-${workers}`, (r, u) => {
        if (u === null || !isSip(u)) return null;
        let t = sipText(u);
        const eol = t.indexOf('\r\n');
        t = `${t.slice(0, eol + 2)}Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKproxy${Math.round(r.ts * 1e6)}\r\n${t.slice(eol + 2)}`;
        t = t.replace(/Max-Forwards: (\d+)/, (_m, n: string) => `Max-Forwards: ${Number(n) - 1}`);
        return { ts: r.ts + 0.0005, data: buildEthernetIpv4Udp({ ...u, payload: Buffer.from(t, 'latin1') }) };
      });
      await sameAsSample(file, renumber, workers);
    });
  }
});

describe('8. IPv4 fragments of an INVITE, each captured twice', () => {
  const A = '10.0.0.1';
  const B = '10.0.0.2';
  const policy = policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } });
  for (const [order, sipCount] of [['interleaved', 3], ['blocks', 3]] as const) {
    for (const workers of [0, 2]) {
      it(`${order}: one dialog, the SR exported once (workers ${workers})`, async () => {
        const file = await ws.file(`frags-${order}-${workers}.pcap`);
        const w = await PcapWriter.open(file, { linkType: 1 });
        const invite = request('INVITE', 1, sdpOf('a', ['a=aipref:session apt-raw', `a=x-pad:${'x'.repeat(1400)}`]), [], '');
        const frags = fragmentIpv4(buildEthernetIpv4Udp({ src: A, dst: B, sport: 5060, dport: 5060, payload: invite, id: 4242, link: 'raw' }), 600);
        expect(frags.length).toBe(4);
        let t = T0;
        if (order === 'interleaved') {
          for (const f of frags) {
            w.write(t, wrapEthernet(0x0800, f));
            w.write(t + 2e-6, wrapEthernet(0x0800, f, { vlan: 7 }));
            t += 1e-5;
          }
        } else {
          for (const copy of [{}, { vlan: 7 }]) {
            for (const f of frags) {
              w.write(t, wrapEthernet(0x0800, f, copy));
              t += 1e-5;
            }
          }
        }
        w.write(T0 + 0.1, buildEthernetIpv4Udp({ src: B, dst: A, sport: 5060, dport: 5060, payload: response('200 OK', 1, sdpOf('b', [])) }));
        w.write(T0 + 0.2, buildEthernetIpv4Udp({ src: A, dst: B, sport: 5060, dport: 5060, payload: request('ACK', 1, null) }));
        w.write(T0 + 1, buildEthernetIpv4Udp({ src: A, dst: B, sport: 4001, dport: 5001, payload: encodeRtcpCompound([srFrom(1111, T0 + 1)]) }));
        await w.close();
        const run = await replayLines({ capture: file, policy, workers });
        expect(run.result.summary).toMatchObject({ packets: 11, sip: sipCount, rtcp: 1, malformed: 0, dialogs: 1, telemetry: { export: 1, aggregate: 0, drop: 0 } });
        expect(run.reports).toEqual([]);
      });
    }
  }
});
