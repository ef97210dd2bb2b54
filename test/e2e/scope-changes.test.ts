/**
 * SPEC §5 on hand-built calls: what a renegotiation changes, and only that, changes how a
 * stream's telemetry is judged and aggregated.
 * - A renegotiation that changes nothing for a stream (a session-refresh re-INVITE repeating
 *   its SDP, an answer seen again through a proxy with one more Via) is no retransmission, but
 *   it "changes nothing" all the same: the stream's aggregation windows run on.
 * - A renegotiation that changes one stream's scope closes that stream's windows at the change
 *   (telemetry before judged by the old scope, after by the new), not the others'.
 * - An m-section removed from the SDP stops its streams, as a disabled one (port 0) does: the
 *   scope-removed report says so, and the dialog-level AI-Pref must not take over.
 * Every capture gives the same lines with 0, 1 and 2 worker threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../native-free/write.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { sipText } from '../signaling/sip-fixtures.js';
import { type DecisionLine, type ExportLine, parseLines, type PolicyJson, policyOf, replayLines, type ReplayLines, type ReportLine, Workspace, writePcapRecords } from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const T0 = 1767225600;
const CALL = 'scope-changes@10.0.0.1';
const A = '10.0.0.1';
const B = '10.0.0.2';
const encoder = new TextEncoder();

interface Packet {
  at: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

interface Section {
  kind: 'audio' | 'video';
  mid: string;
  ssrc: number;
  /** 0 disables the section */
  port: number;
  lines?: string[];
}

/** An SDP of `who` at `ip`; BUNDLE groups every section (each then muxes RTCP on its RTP port). */
function sdp(who: string, ip: string, sections: Section[], bundle = false): string {
  const lines = ['v=0', `o=${who} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0'];
  if (bundle) lines.push(`a=group:BUNDLE ${sections.filter((s) => s.port !== 0).map((s) => s.mid).join(' ')}`);
  for (const s of sections) {
    lines.push(`m=${s.kind} ${s.port} RTP/AVP ${s.kind === 'audio' ? 0 : 96}`, `a=mid:${s.mid}`);
    if (bundle) lines.push('a=rtcp-mux');
    if (s.kind === 'video') lines.push('a=rtpmap:96 VP8/90000');
    lines.push(`a=ssrc:${s.ssrc} cname:${who}`, ...(s.lines ?? []), 'a=sendrecv');
  }
  return lines.join('\r\n') + '\r\n';
}

function sip(start: string, o: { cseq: string; branch: string; toTag?: boolean; headers?: string[]; sdp?: string }): Uint8Array {
  return encoder.encode(
    sipText(
      [
        start,
        ...(o.headers ?? []).filter((h) => /^via:/i.test(h)),
        `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK${o.branch}`,
        `From: <sip:a@${A}>;tag=aaa`,
        `To: <sip:b@${B}>${o.toTag === false ? '' : ';tag=bbb'}`,
        `Call-ID: ${CALL}`,
        `CSeq: ${o.cseq}`,
        `Contact: <sip:${start.startsWith('SIP/2.0') ? 'b' : 'a'}@${start.startsWith('SIP/2.0') ? B : A}:5060>`,
        ...(o.headers ?? []).filter((h) => !/^via:/i.test(h)),
        ...(o.sdp ? ['Content-Type: application/sdp'] : []),
      ],
      o.sdp ?? '',
    ),
  );
}

const fromA = (at: number, payload: Uint8Array): Packet => ({ at, src: A, dst: B, sport: 5060, dport: 5060, payload });
const fromB = (at: number, payload: Uint8Array): Packet => ({ at, src: B, dst: A, sport: 5060, dport: 5060, payload });
/** RTCP from A's port `port` to B's `peer` */
const rtcpA = (at: number, port: number, peer: number, packets: RtcpPacketInput[]): Packet => ({ at, src: A, dst: B, sport: port, dport: peer, payload: encodeRtcpCompound(packets) });
const sr = (ssrc: number): RtcpPacketInput => ({ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] });
/** an RR of `ssrc` with one report block about `about` */
const rr = (ssrc: number, about: number): RtcpPacketInput => ({ pt: 201, ssrc, reports: [{ ssrc: about, fractionLost: 0, cumulativeLost: 0, highestSeq: 100, jitter: 5, lsr: 0, dlsr: 0 }] });

async function capture(name: string, packets: Packet[]): Promise<string> {
  const file = await ws.file(`${name}.pcap`);
  const records = packets.map((p) => ({ ts: T0 + p.at, data: buildEthernetIpv4Udp({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload }) }));
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  return file;
}

/** The replay with 0 worker threads, after checking that 1 and 2 give the very same lines. */
async function replay(file: string, policy: PolicyJson): Promise<ReplayLines> {
  const runs: ReplayLines[] = [];
  for (const workers of [0, 1, 2]) runs.push(await replayLines({ capture: file, policy: policyOf(policy), workers, explain: true }));
  for (const other of runs.slice(1)) {
    expect(other.exports).toEqual(runs[0]!.exports);
    expect(other.reports).toEqual(runs[0]!.reports);
    expect(other.decisions).toEqual(runs[0]!.decisions);
  }
  return runs[0]!;
}

/** capture times as seconds after T0, to the millisecond (the pcap keeps microseconds) */
const since = (ts: number) => Math.round((ts - T0) * 1000) / 1000;

const aggregates = (run: ReplayLines, ssrc: number) =>
  parseLines<ExportLine>(run.exports)
    .filter((e) => e.type === 'aggregate' && e.stream.ssrc === ssrc)
    .map((e) => ({ window: [since(e.window!.start), since(e.window!.end)], items: (e.stats as { items: number }).items, apt: e.apt, expiresAt: since(e.expiresAt!) }));

const decisionsOf = (run: ReplayLines, ssrc: number) => parseLines<DecisionLine>(run.decisions).filter((d) => d.ssrc === ssrc).map((d) => [since(d.ts), d.decision, d.reason, d.apt]);

describe('a renegotiation that changes nothing leaves the windows alone (SPEC §5, seed §3)', () => {
  const policy: PolicyJson = { apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' }, 'apt-dlg': { type: 'domain', export: 'aggregated-only', retention: '1h' } } };
  const offer = (cseq: number, branch: string, headers: string[] = []) =>
    sip('INVITE sip:b@10.0.0.2 SIP/2.0', { cseq: `${cseq} INVITE`, branch, toTag: cseq !== 1, headers, sdp: sdp('a', A, [{ kind: 'audio', mid: 'a', ssrc: 1111, port: 4000, lines: ['a=aipref:mid apt-agg'] }]) });
  const answer = (cseq: number, branch: string, headers: string[] = []) => sip('SIP/2.0 200 OK', { cseq: `${cseq} INVITE`, branch, headers, sdp: sdp('b', B, [{ kind: 'audio', mid: 'a', ssrc: 2222, port: 5000 }]) });
  const ack = (cseq: number, branch: string) => sip('ACK sip:b@10.0.0.2 SIP/2.0', { cseq: `${cseq} ACK`, branch });
  const bye = (at: number) => fromA(at, sip('BYE sip:b@10.0.0.2 SIP/2.0', { cseq: '9 BYE', branch: 'bye' }));
  const srA = (at: number) => rtcpA(at, 4001, 5001, [sr(1111)]);

  it('a session-refresh re-INVITE repeating the SDP both ways, with telemetry while it is pending: one window, as without it', async () => {
    const call = [fromA(0, offer(1, 'i1')), fromB(0.1, answer(1, 'i1')), fromA(0.2, ack(1, 'k1')), srA(1), srA(2)];
    const refresh = [fromA(3, offer(2, 'i2')), srA(3.05), fromB(3.1, answer(2, 'i2')), fromA(3.2, ack(2, 'k2'))];
    const withRefresh = await replay(await capture('refresh', [...call, ...refresh, srA(4), srA(5), bye(6)]), policy);
    const without = await replay(await capture('no-refresh', [...call, srA(3.05), srA(4), srA(5), bye(6)]), policy);
    expect(aggregates(without, 1111)).toEqual([{ window: [1, 6], items: 5, apt: ['apt-agg'], expiresAt: 3601 }]);
    expect(aggregates(withRefresh, 1111)).toEqual(aggregates(without, 1111));
    expect(decisionsOf(withRefresh, 1111)).toEqual(decisionsOf(without, 1111));
    expect(parseLines<ReportLine>(withRefresh.reports).map((r) => r.type)).toEqual([]);
  });

  it('the same 200 OK seen again with one more Via (a proxy forwarding it): one window, as when seen once', async () => {
    const dialogPref = ['AI-Pref: apt-dlg;scope=dialog'];
    const head = [fromA(0, offer(1, 'i1')), fromB(0.1, answer(1, 'i1')), fromA(0.2, ack(1, 'k1')), srA(1), fromA(2, offer(2, 'i2')), fromB(2.1, answer(2, 'i2', dialogPref)), srA(3)];
    const copy: Packet = { ...fromB(3.5, answer(2, 'i2', ['Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKproxy1', ...dialogPref])), src: '10.0.0.9' };
    const twice = await replay(await capture('answer-twice', [...head, copy, srA(4), bye(6)]), policy);
    const once = await replay(await capture('answer-once', [...head, srA(4), bye(6)]), policy);
    // the re-INVITE's answer adds a dialog-level value, which changes nothing for a stream bound to its m-section
    expect(aggregates(once, 1111)).toEqual([{ window: [1, 6], items: 3, apt: ['apt-agg'], expiresAt: 3601 }]);
    expect(aggregates(twice, 1111)).toEqual(aggregates(once, 1111));
  });
});

describe("a renegotiation that changes one stream's scope closes that stream's windows, at the change", () => {
  const policy: PolicyJson = {
    apts: {
      'apt-audio': { type: 'user', export: 'aggregated-only', retention: '1h' },
      'apt-video': { type: 'user', export: 'aggregated-only', retention: '1h' },
      'apt-video-2': { type: 'user', export: 'aggregated-only', retention: '15m' },
    },
  };
  const offerSdp = (videoApt: string) =>
    sdp('a', A, [
      { kind: 'audio', mid: 'a', ssrc: 1111, port: 4000, lines: ['a=aipref:mid apt-audio'] },
      { kind: 'video', mid: 'v', ssrc: 3333, port: 4002, lines: [`a=aipref:mid ${videoApt}`] },
    ]);
  const answerSdp = sdp('b', B, [
    { kind: 'audio', mid: 'a', ssrc: 2222, port: 5000 },
    { kind: 'video', mid: 'v', ssrc: 4444, port: 5002 },
  ]);

  it('the video section changes its APT: the video window closes where the change takes effect, the audio window runs on', async () => {
    // audio also reports on the video stream (an RR block about 3333): those items are governed
    // by the video stream's APT too, so their window closes with the video stream's
    const audio = (at: number) => rtcpA(at, 4001, 5001, [sr(1111), rr(1111, 3333)]);
    const file = await capture('video-changes', [
      fromA(0, sip('INVITE sip:b@10.0.0.2 SIP/2.0', { cseq: '1 INVITE', branch: 'i1', toTag: false, sdp: offerSdp('apt-video') })),
      fromB(0.1, sip('SIP/2.0 200 OK', { cseq: '1 INVITE', branch: 'i1', sdp: answerSdp })),
      audio(1),
      rtcpA(1, 4003, 5003, [sr(3333)]),
      fromA(2, sip('INVITE sip:b@10.0.0.2 SIP/2.0', { cseq: '2 INVITE', branch: 'i2', sdp: offerSdp('apt-video-2') })),
      fromB(2.1, sip('SIP/2.0 200 OK', { cseq: '2 INVITE', branch: 'i2', sdp: answerSdp })),
      audio(3),
      rtcpA(3, 4003, 5003, [sr(3333)]),
      fromA(6, sip('BYE sip:b@10.0.0.2 SIP/2.0', { cseq: '3 BYE', branch: 'bye' })),
    ]);
    const run = await replay(file, policy);
    // the shorter retention is a restriction: in force from the offer, where the window closes
    expect(aggregates(run, 3333)).toEqual([
      { window: [1, 2], items: 1, apt: ['apt-video'], expiresAt: 3601 },
      { window: [3, 6], items: 1, apt: ['apt-video-2'], expiresAt: 903 },
    ]);
    const ofAudio = aggregates(run, 1111);
    expect(ofAudio.filter((a) => a.apt.length === 1)).toEqual([{ window: [1, 6], items: 2, apt: ['apt-audio'], expiresAt: 3601 }]);
    expect(ofAudio.filter((a) => a.apt.length === 2)).toEqual([
      { window: [1, 2], items: 1, apt: ['apt-audio', 'apt-video'], expiresAt: 3601 },
      { window: [3, 6], items: 1, apt: ['apt-audio', 'apt-video-2'], expiresAt: 903 },
    ]);
  });
});

describe('a renegotiation that changes only what an identifier says still closes the windows it governs', () => {
  it("a newer version of the stream's APT, with a shorter retention, in an otherwise identical re-INVITE", async () => {
    const offer = (cseq: number, line: string) =>
      sip('INVITE sip:b@10.0.0.2 SIP/2.0', { cseq: `${cseq} INVITE`, branch: `i${cseq}`, toTag: cseq !== 1, sdp: sdp('a', A, [{ kind: 'audio', mid: 'a', ssrc: 1111, port: 4000, lines: [line] }]) });
    const answer = (cseq: number) => sip('SIP/2.0 200 OK', { cseq: `${cseq} INVITE`, branch: `i${cseq}`, sdp: sdp('b', B, [{ kind: 'audio', mid: 'a', ssrc: 2222, port: 5000 }]) });
    const srA = (at: number) => rtcpA(at, 4001, 5001, [sr(1111)]);
    const file = await capture('new-version', [
      fromA(0, offer(1, 'a=aipref:mid apt-v type=user export=aggregated-only retention=1h version=1')),
      fromB(0.1, answer(1)),
      srA(1),
      fromA(2, offer(2, 'a=aipref:mid apt-v type=user export=aggregated-only retention=15m version=2')),
      fromB(2.1, answer(2)),
      srA(3),
      fromA(6, sip('BYE sip:b@10.0.0.2 SIP/2.0', { cseq: '3 BYE', branch: 'bye' })),
    ]);
    const run = await replay(file, { apts: {} });
    expect(aggregates(run, 1111)).toEqual([
      { window: [1, 2], items: 1, apt: ['apt-v'], expiresAt: 3601 },
      { window: [3, 6], items: 1, apt: ['apt-v'], expiresAt: 903 },
    ]);
  });
});

describe('an m-section removed from the SDP stops its streams, as a disabled one does (SPEC §5)', () => {
  const policy: PolicyJson = {
    apts: {
      'apt-audio': { type: 'user', export: 'raw', retention: '1h' },
      'apt-dlg': { type: 'domain', export: 'raw', retention: '1h' },
      'apt-video': { type: 'user', export: 'aggregated-only', retention: '1h' },
    },
  };
  /** audio and video, or audio alone (`video` 'removed'), or video disabled with port 0 */
  const sections = (who: 'a' | 'b', video: 'on' | 'removed' | 'port-0', bundle: boolean): Section[] => {
    const base = who === 'a' ? 4000 : 5000;
    const audio: Section = { kind: 'audio', mid: 'a', ssrc: who === 'a' ? 1111 : 2222, port: base, ...(who === 'a' ? { lines: ['a=aipref:mid apt-audio'] } : {}) };
    if (video === 'removed') return [audio];
    const port = video === 'port-0' ? 0 : bundle ? base : base + 2;
    return [audio, { kind: 'video', mid: 'v', ssrc: who === 'a' ? 3333 : 4444, port, ...(who === 'a' && video === 'on' ? { lines: ['a=aipref:mid apt-video'] } : {}) }];
  };
  const build = (name: string, video: 'removed' | 'port-0', bundle: boolean) => {
    // BUNDLE: everything on the audio port, RTCP muxed; else video's RTCP on its own port + 1
    const videoRtcp = (at: number) => (bundle ? rtcpA(at, 4000, 5000, [sr(3333)]) : rtcpA(at, 4003, 5003, [sr(3333)]));
    const audioRtcp = (at: number) => (bundle ? rtcpA(at, 4000, 5000, [sr(1111)]) : rtcpA(at, 4001, 5001, [sr(1111)]));
    return capture(name, [
      fromA(0, sip('INVITE sip:b@10.0.0.2 SIP/2.0', { cseq: '1 INVITE', branch: 'i1', toTag: false, headers: ['AI-Pref: apt-dlg;scope=dialog'], sdp: sdp('a', A, sections('a', 'on', bundle), bundle) })),
      fromB(0.1, sip('SIP/2.0 200 OK', { cseq: '1 INVITE', branch: 'i1', sdp: sdp('b', B, sections('b', 'on', bundle), bundle) })),
      fromA(0.2, sip('ACK sip:b@10.0.0.2 SIP/2.0', { cseq: '1 ACK', branch: 'k1' })),
      videoRtcp(1),
      fromA(2, sip('INVITE sip:b@10.0.0.2 SIP/2.0', { cseq: '2 INVITE', branch: 'i2', sdp: sdp('a', A, sections('a', video, bundle), bundle) })),
      // between the offer and its answer: a restriction (the stream stops) is in force already
      videoRtcp(2.05),
      fromB(2.1, sip('SIP/2.0 200 OK', { cseq: '2 INVITE', branch: 'i2', sdp: sdp('b', B, sections('b', video, bundle), bundle) })),
      fromA(2.2, sip('ACK sip:b@10.0.0.2 SIP/2.0', { cseq: '2 ACK', branch: 'k2' })),
      videoRtcp(3),
      audioRtcp(3.5),
    ]);
  };

  for (const bundle of [true, false]) {
    it(`${bundle ? 'BUNDLE, RTCP muxed' : 'own ports'}: the video stream's telemetry after the offer is dropped, as with port 0, and the report says the stream stops`, async () => {
      const removed = await replay(await build(`removed-${bundle}`, 'removed', bundle), policy);
      const disabled = await replay(await build(`port-0-${bundle}`, 'port-0', bundle), policy);
      const video = decisionsOf(removed, 3333);
      expect(video.map(([at, decision, reason]) => [at, decision, reason])).toEqual([
        [1, 'aggregate', 'aggregated-only'],
        [2.05, 'drop', 'stream-disabled'],
        [3, 'drop', 'stream-disabled'],
      ]);
      expect(video).toEqual(decisionsOf(disabled, 3333));
      expect(decisionsOf(removed, 1111)).toEqual([[3.5, 'export', 'raw-allowed', ['apt-audio']]]);
      const reports = parseLines<ReportLine>(removed.reports);
      expect(reports.map((r) => [r.type, r.mid, r.apt, r.fallback, r.detail])).toEqual([['scope-removed', 'v', ['apt-video'], [], 'section-removed; falls back to nothing: the stream stops']]);
      expect(parseLines<ReportLine>(disabled.reports).map((r) => r.detail)).toEqual(['section-disabled; falls back to nothing: the stream stops']);
      // nothing of the video stream is exported raw; its window closed at the offer
      expect(parseLines<ExportLine>(removed.exports).filter((e) => e.stream.ssrc === 3333).map((e) => [e.type, e.apt])).toEqual([['aggregate', ['apt-video']]]);
    });
  }
});
