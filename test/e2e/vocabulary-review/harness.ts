/**
 * Vocabulary review harness: one two-party call (A 10.0.0.1 audio 4000 SSRC 1111, B 10.0.0.2
 * audio 5000 SSRC 2222, RTCP on port+1) whose preference arrives by one carrier — the INVITE's
 * AI-Pref header, an SDP a=aipref line (offer and answer), or an SDES PRIV `aipref` item — and
 * one RTCP compound from A with one item of every feature class:
 * SR (report block on B) → media-metrics, SDES CNAME → sdes, APP → app, RTPFB NACK → feedback,
 * PSFB PLI → feedback, XR VoIP metrics about B → rtcp-xr.
 */
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type DecisionLine, type ExportLine, parseLines, policyOf, type PolicyJson, replayLines, type ReportLine, type Workspace } from '../e2e-helpers.js';
import { request, response, sdpOf, writeCall } from '../hand-built-calls.js';
import { srFrom, T0, type Rtcp, type Run } from '../two-party-rtcp.js';

export { T0 };
export type Carrier = 'header' | 'sdp' | 'sdes';

export const voip = (ssrc: number) => ({
  bt: 7 as const, ssrc, lossRate: 1, discardRate: 0, burstDensity: 0, gapDensity: 0, burstDuration: 0, gapDuration: 0,
  roundTripDelay: 20, endSystemDelay: 30, signalLevel: 127, noiseLevel: 127, rerl: 127, gmin: 16, rFactor: 90, extRFactor: 127,
  mosLq: 41, mosCq: 42, rxConfig: 0, jbNominal: 20, jbMaximum: 40, jbAbsMax: 60,
});

/** The compound from A at `ts` (seconds after T0), with an SDES PRIV tag where given. */
export function compoundOfA(ts: number, tag?: string): RtcpPacketInput[] {
  return [
    srFrom(1111, T0 + ts, [{ ssrc: 2222, fractionLost: 10, cumulativeLost: 3, jitter: 40 }]),
    { pt: 202, ssrc: 1111, chunks: [{ ssrc: 1111, items: [{ type: 1, text: 'alice@10.0.0.1' }, ...(tag === undefined ? [] : [{ type: 8 as const, prefix: 'aipref', value: tag }])] }] },
    { pt: 204, ssrc: 1111, subtype: 0, name: 'TEST', dataLength: 0 },
    { pt: 205, ssrc: 1111, fmt: 1, senderSsrc: 1111, mediaSsrc: 2222, nacks: [{ pid: 5, blp: 0 }] },
    { pt: 206, ssrc: 1111, fmt: 1, senderSsrc: 1111, mediaSsrc: 2222 },
    { pt: 207, ssrc: 1111, blocks: [voip(2222)] },
  ] as RtcpPacketInput[];
}

/**
 * replayTwoParty's call (test/e2e/two-party-rtcp.ts), replayed in-process with --workers 0 only
 * (SET VOCAB_WORKERS=0,2 to also compare --workers 2: the vocabulary does not depend on workers,
 * and worker threads started by the hundred under vitest now and then fail to load, a flake).
 */
async function replayTwoParty(
  ws: Workspace,
  name: string,
  opts: { aLines?: string[]; bLines?: string[]; aHeaders?: string[]; rtcp: Rtcp[]; policy: PolicyJson },
): Promise<Run> {
  const file = await ws.file(`${name}.pcap`);
  await writeCall(file, (at) => {
    at(0, request('INVITE', 1, sdpOf('a', opts.aLines ?? []), opts.aHeaders ?? [], ''), true);
    at(0.1, response('200 OK', 1, sdpOf('b', opts.bLines ?? [])), false);
    at(0.2, request('ACK', 1, null), true);
    for (const r of opts.rtcp) at(r.ts, encodeRtcpCompound(r.packets), r.fromA, r.fromA ? 4001 : 5001, r.fromA ? 5001 : 4001);
  });
  const workers = (process.env['VOCAB_WORKERS'] ?? '0').split(',').map(Number);
  const runs = await Promise.all(workers.map((w) => replayLines({ capture: file, policy: policyOf(opts.policy), workers: w, explain: true })));
  for (const r of runs.slice(1)) {
    if (JSON.stringify([r.decisions, r.reports, r.exports]) !== JSON.stringify([runs[0]!.decisions, runs[0]!.reports, runs[0]!.exports])) throw new Error(`${name}: --workers changes the outcome`);
  }
  const run = runs[0]!;
  return { decisions: parseLines<DecisionLine>(run.decisions), exports: parseLines<ExportLine>(run.exports), reports: parseLines<ReportLine>(run.reports) };
}

export { replayTwoParty };

export interface Judged extends Run {
  /** "<feature> <decision> <reason>" per decided item, in order */
  lines: string[];
}

/**
 * The call with identifier `id` carried by `carrier`; `params` the statement's parameters as
 * name=value pairs (written in the carrier's own syntax), `policy` the policy file.
 */
export async function judge(
  ws: Workspace,
  name: string,
  carrier: Carrier,
  id: string,
  params: [string, string][],
  policy: PolicyJson = { apts: {} },
  extra: { times?: number[]; bothSides?: boolean } = {},
): Promise<Judged> {
  const headerParams = params.map(([k, v]) => `;${k}=${v.includes(',') || v.includes(' ') ? `"${v}"` : v}`).join('');
  const sdpParams = params.map(([k, v]) => ` ${k}=${v}`).join('');
  const aHeaders = carrier === 'header' ? [`AI-Pref: ${id};scope=dialog${headerParams}`] : [];
  const sdpLine = `a=aipref:session ${id}${sdpParams}`;
  const aLines = carrier === 'sdp' ? [sdpLine] : [];
  const bLines = carrier === 'sdp' && extra.bothSides !== false ? [sdpLine] : [];
  const times = extra.times ?? [1];
  const rtcp = times.map((ts) => ({ ts, fromA: true, packets: compoundOfA(ts, carrier === 'sdes' ? id : undefined) }));
  // B tags its own stream first where the tag is the carrier (A's items report on B's stream too)
  if (carrier === 'sdes') rtcp.unshift({ ts: 0.5, fromA: false, packets: [{ pt: 201, ssrc: 2222, reports: [] }, { pt: 202, ssrc: 2222, chunks: [{ ssrc: 2222, items: [{ type: 8, prefix: 'aipref', value: id }] }] }] as RtcpPacketInput[] });
  const run = await replayTwoParty(ws, name, { aHeaders, aLines, bLines, rtcp, policy });
  const ofA = run.decisions.filter((d) => d.ssrc === 1111);
  return { ...run, decisions: ofA, lines: ofA.map((d) => `${d.feature} ${d.decision} ${d.reason}`) };
}

/** The same call with the signaling written out: A's INVITE headers, A's and B's SDP lines, tags per side. */
export async function judgeRaw(
  ws: Workspace,
  name: string,
  o: { aHeaders?: string[]; aLines?: string[]; bLines?: string[]; tagA?: string; tagB?: string; policy?: PolicyJson; times?: number[] },
): Promise<Judged> {
  const rtcp = (o.times ?? [1]).map((ts) => ({ ts, fromA: true, packets: compoundOfA(ts, o.tagA) }));
  if (o.tagB !== undefined) rtcp.unshift({ ts: 0.5, fromA: false, packets: [{ pt: 201, ssrc: 2222, reports: [] }, { pt: 202, ssrc: 2222, chunks: [{ ssrc: 2222, items: [{ type: 8, prefix: 'aipref', value: o.tagB }] }] }] as RtcpPacketInput[] });
  const run = await replayTwoParty(ws, name, { aHeaders: o.aHeaders ?? [], aLines: o.aLines ?? [], bLines: o.bLines ?? [], rtcp, policy: o.policy ?? { apts: {} } });
  const ofA = run.decisions.filter((d) => d.ssrc === 1111);
  return { ...run, decisions: ofA, lines: ofA.map((d) => `${d.feature} ${d.decision} ${d.reason}`) };
}
