/**
 * Review harness (round 22, unbound-session retirement, eede090): hand-built captures with
 * explicit capture times, IPv4 or IPv6 datagrams, replayed in process under several worker
 * counts and batch sizes. Not a test file.
 */
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';
import { type DecisionLine, type ExportLine, parseLines, policyOf, type ReplayLines, replayLines, type ReportLine, type Workspace } from '../e2e-helpers.js';
import { sip, T0 } from '../hand-built-calls.js';
import { type Pkt, rtcpPkt, rtp, srIn } from '../port-reuse-review/common.js';

export { T0, policyOf, rtcpPkt, rtp, srIn, type Pkt };

export const A = '10.0.0.1';
export const B = '10.0.0.2';

export const POLICY = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
});
/** the same, the operator's default apt-agg (SPEC §9): media no dialog binds is aggregated */
export const AGG_DEFAULT = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
  default: 'apt-agg',
});

/** One audio m-section: c= at `ip` (IP4 or IP6 by its form), RTP at `port`, extra media lines. */
export function sdpAt(ip: string, port: number, mediaLines: string[] = [], sessionLines: string[] = [], proto = 'RTP/AVP'): string {
  const v = ip.includes(':') ? 'IP6' : 'IP4';
  return ['v=0', `o=- 1 1 IN ${v} ${ip}`, 's=-', `c=IN ${v} ${ip}`, 't=0 0', ...sessionLines, `m=audio ${port} ${proto} 0`, 'a=mid:a', 'a=rtpmap:0 PCMU/8000', ...mediaLines, 'a=sendrecv', ''].join('\r\n');
}

const head = (call: string, start: string, method: string, cseq: number, toTag: string, from: string, to: string) => [
  start,
  `Via: SIP/2.0/UDP ${from}:5060;branch=z9hG4bK-${call}-${method}${cseq}`,
  'From: <sip:a@a.example>;tag=aaa',
  `To: <sip:b@b.example>${toTag}`,
  `Call-ID: ${call}`,
  `CSeq: ${cseq} ${method}`,
  `Contact: <sip:x@${from}:5060>`,
  ...(to ? [] : []),
];

/** SIP is always carried between A and B on 5060 (IPv4), whatever the media addresses. */
export const req = (call: string, method: string, cseq: number, body: string | null, toTag = ';tag=bbb') => sip(head(call, `${method} sip:b@b.example SIP/2.0`, method, cseq, toTag, A, B), body);
export const res = (call: string, status: string, method: string, cseq: number, body: string | null) => sip(head(call, `SIP/2.0 ${status}`, method, cseq, ';tag=bbb', A, B), body);

export const sipA = (ts: number, payload: Uint8Array): Pkt => ({ ts, src: A, dst: B, sport: 5060, dport: 5060, payload });
export const sipB = (ts: number, payload: Uint8Array): Pkt => ({ ts, src: B, dst: A, sport: 5060, dport: 5060, payload });

/** INVITE (A's offer) / 200 (B's answer) / ACK from t on. */
export function setup(call: string, t: number, aSdp: string, bSdp: string, cseq = 1): Pkt[] {
  return [sipA(t, req(call, 'INVITE', cseq, aSdp, cseq === 1 ? '' : ';tag=bbb')), sipB(t + 0.01, res(call, '200 OK', 'INVITE', cseq, bSdp)), sipA(t + 0.02, req(call, 'ACK', cseq, null))];
}
export function bye(call: string, t: number, cseq: number): Pkt[] {
  return [sipA(t, req(call, 'BYE', cseq, null)), sipB(t + 0.01, res(call, '200 OK', 'BYE', cseq, null))];
}

export const sdesPriv = (ssrc: number, value: string): RtcpPacketInput => ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'c@x' }, { type: 8, prefix: 'aipref', value }] }] }) as unknown as RtcpPacketInput;

export async function writeCapture(file: string, pkts: readonly Pkt[]): Promise<void> {
  const w = await PcapWriter.open(file, { linkType: 1 });
  for (const p of pkts) {
    const o = { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, payload: p.payload };
    w.write(T0 + p.ts, p.src.includes(':') ? buildIpv6Udp(o) : buildEthernetIpv4Udp(o));
  }
  await w.close();
}

export interface Variant {
  name: string;
  workers: number;
  maxBatchRecords?: number;
}
export const VARIANTS: Variant[] = [
  { name: 'workers 0', workers: 0 },
  { name: 'workers 1', workers: 1 },
  { name: 'workers 2', workers: 2 },
  { name: 'workers 0, batches of 1', workers: 0, maxBatchRecords: 1 },
  { name: 'workers 2, batches of 1', workers: 2, maxBatchRecords: 1 },
  { name: 'workers 2, batches of 2', workers: 2, maxBatchRecords: 2 },
  { name: 'workers 2, batches of 3', workers: 2, maxBatchRecords: 3 },
];

export interface Out {
  run: ReplayLines;
  decisions: DecisionLine[];
  exports: ExportLine[];
  reports: ReportLine[];
  bindings: { ssrc: number; dialog: { callId: string } | null; via: string | null; apt: string[]; ended: boolean }[];
  /** "frame ssrc decision reason apt+…" per decision line */
  d: string[];
  /** "ended callId|null via" per binding row of the SSRC, sorted */
  rows: (ssrc: number) => string[];
}

export function outOf(run: ReplayLines): Out {
  const decisions = parseLines<DecisionLine>(run.decisions);
  const bindings = run.result.bindings as unknown as Out['bindings'];
  return {
    run,
    decisions,
    exports: parseLines<ExportLine>(run.exports),
    reports: parseLines<ReportLine>(run.reports),
    bindings,
    d: decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${x.apt.join('+')}`),
    rows: (ssrc) => bindings.filter((b) => b.ssrc === ssrc).map((b) => `${b.ended} ${b.dialog?.callId ?? null} ${b.via}`).sort(),
  };
}

/** Writes the capture and replays it once (workers 0). */
export async function replayOnce(ws: Workspace, name: string, pkts: readonly Pkt[], policy: PolicyFile = POLICY, v: Variant = VARIANTS[0]!): Promise<Out> {
  const file = await ws.file(`${name}.pcap`);
  await writeCapture(file, pkts);
  return outOf(await replayLines({ capture: file, policy, workers: v.workers, explain: true, ...(v.maxBatchRecords !== undefined ? { maxBatchRecords: v.maxBatchRecords } : {}) }));
}

/** Every variant's outputs as one comparable text per part. */
export async function replayAll(ws: Workspace, name: string, pkts: readonly Pkt[], policy: PolicyFile = POLICY, variants = VARIANTS): Promise<{ name: string; out: Out; text: Record<string, string> }[]> {
  const file = await ws.file(`${name}.pcap`);
  await writeCapture(file, pkts);
  const runs = await Promise.all(
    variants.map(async (v) => {
      const run = await replayLines({ capture: file, policy, workers: v.workers, explain: true, ...(v.maxBatchRecords !== undefined ? { maxBatchRecords: v.maxBatchRecords } : {}) });
      return {
        name: v.name,
        out: outOf(run),
        text: { exports: run.exports.join('\n'), reports: run.reports.join('\n'), decisions: run.decisions.join('\n'), summary: JSON.stringify(run.result.summary), bindings: JSON.stringify(run.result.bindings) },
      };
    }),
  );
  return runs;
}

/** The parts (exports, reports…) where a variant differs from the first, as "variant: part". */
export function differences(runs: { name: string; text: Record<string, string> }[]): string[] {
  const base = runs[0]!;
  const diffs: string[] = [];
  for (const r of runs.slice(1)) for (const part of Object.keys(base.text)) if (r.text[part] !== base.text[part]) diffs.push(`${r.name}: ${part}`);
  return diffs;
}
