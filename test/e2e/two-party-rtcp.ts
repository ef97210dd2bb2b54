/**
 * A two-party call (A 10.0.0.1 audio 4000 SSRC 1111, B 10.0.0.2 audio 5000 SSRC 2222,
 * RTCP on port+1) with hand-built RTCP compounds, replayed in-process with --explain.
 */
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { type DecisionLine, type ExportLine, parseLines, policyOf, type PolicyJson, type ReportLine, type Workspace } from './e2e-helpers.js';
import { replayCall, request, response, sdpOf } from './hand-built-calls.js';

export const NTP_UNIX = 2_208_988_800;
export const T0 = 1767225600;

export interface Rtcp {
  ts: number;
  fromA: boolean;
  packets: RtcpPacketInput[];
}

export interface Run {
  decisions: DecisionLine[];
  exports: ExportLine[];
  reports: ReportLine[];
}

export interface BlockInput {
  ssrc: number;
  fractionLost?: number;
  cumulativeLost?: number;
  jitter?: number;
  lsr?: number;
  dlsr?: number;
}

/** NTP seconds and fraction of a Unix time. */
export function ntpOf(unix: number): { ntpSec: number; ntpFrac: number } {
  const whole = Math.floor(unix);
  return { ntpSec: (whole + NTP_UNIX) >>> 0, ntpFrac: Math.floor((unix - whole) * 2 ** 32) >>> 0 };
}

/** The middle 32 bits of the NTP timestamp of a Unix time (what LSR echoes). */
export function lsrOf(unix: number): number {
  const { ntpSec, ntpFrac } = ntpOf(unix);
  return (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
}

export function srFrom(ssrc: number, ntpUnix: number, reports: BlockInput[] = []): RtcpPacketInput {
  return {
    pt: 200,
    ssrc,
    ...ntpOf(ntpUnix),
    rtpTs: 0,
    packetCount: 10,
    octetCount: 100,
    reports: reports.map((r) => ({ fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0, ...r })),
  };
}

export function rrFrom(ssrc: number, reports: BlockInput[]): RtcpPacketInput {
  return { pt: 201, ssrc, reports: reports.map((r) => ({ fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0, ...r })) };
}

export async function replayTwoParty(
  ws: Workspace,
  name: string,
  opts: { aLines?: string[]; bLines?: string[]; aHeaders?: string[]; rtcp: Rtcp[]; policy: PolicyJson },
): Promise<Run> {
  const run = await replayCall(
    ws,
    name,
    (at) => {
      at(0, request('INVITE', 1, sdpOf('a', opts.aLines ?? []), opts.aHeaders ?? [], ''), true);
      at(0.1, response('200 OK', 1, sdpOf('b', opts.bLines ?? [])), false);
      at(0.2, request('ACK', 1, null), true);
      for (const r of opts.rtcp) at(r.ts, encodeRtcpCompound(r.packets), r.fromA, r.fromA ? 4001 : 5001, r.fromA ? 5001 : 4001);
    },
    policyOf(opts.policy),
  );
  return { decisions: parseLines<DecisionLine>(run.decisions), exports: parseLines<ExportLine>(run.exports), reports: parseLines<ReportLine>(run.reports) };
}
