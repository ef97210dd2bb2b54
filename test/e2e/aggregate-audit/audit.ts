/**
 * The audit itself: a capture replayed with a policy, each aggregate's numbers recomputed by
 * oracle.ts from the capture and compared. Returns the differences (empty when all agree).
 */
import { readFileSync } from 'node:fs';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_POLICY } from '../e2e-helpers.js';
import { aptKey, compact, type Decision, expectedStats, itemsOf, type OItem, readRtcp, readRtp, type SeenSr } from './oracle.js';

const RATE: Record<number, number> = { 0: 8000, 111: 48000, 96: 90000 };
/** retention the sample's SDP states itself (a=aipref:mid apt-user-2 … retention=15m) */
const SIGNALED: Record<string, number> = { 'apt-user-2': 900 };
const DUR: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const seconds = (d: string) => (d === '0' ? 0 : Number(d.slice(0, -1)) * DUR[d.slice(-1)]!);

export const samplePolicyJson = JSON.parse(readFileSync(SMALL_POLICY, 'utf8'));
export const allAggregated = structuredClone(samplePolicyJson);
for (const [id, st] of Object.entries<any>(allAggregated.apts)) allAggregated.apts[id] = { type: st.type, export: 'aggregated-only', retention: id === 'apt-user-1' ? '90s' : '24h' };

export interface Agg {
  ts: number;
  expiresAt: number | null;
  dialog: { callId: string } | null;
  stream: { ssrc: number };
  apt: string[];
  window: { start: number; end: number };
  stats: any;
}

function close(actual: unknown, expected: unknown, path: string, errors: string[]): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    // rttMs: the code rounds each RTT to whole microseconds (round-trip.ts, capture times are µs): ±0.5 µs
    const tol = path.includes('.rttMs.') ? 0.0005 + 1e-9 : 1e-6 * Math.max(1, Math.abs(expected));
    if (Math.abs(actual - expected) > tol) errors.push(`${path}: ${actual} ≠ ${expected}`);
  } else if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return void errors.push(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
    for (const k of new Set([...Object.keys(expected), ...Object.keys(actual as object)])) close((actual as any)[k], (expected as any)[k], `${path}.${k}`, errors);
  } else if (actual !== expected) errors.push(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
}

export async function audit(policyJson: any, windowSec: number, capture: string) {
  const policy = parsePolicy(JSON.stringify(policyJson), 'p.json');
  const run = await replayLines({ capture, policy, windowSec, explain: true });
  const aggs = parseLines<Agg>(run.exports).filter((e: any) => e.type === 'aggregate');
  const decisions = parseLines<Decision>(run.decisions);
  const frames = readRtcp(capture);
  const items = itemsOf(frames, decisions);
  const rtp = readRtp(capture);
  // a statement is the policy entry merged with what signaling says (SPEC §3: shortest retention wins)
  const retention = (apt: string[]) => Math.min(...apt.map((a) => Math.min(SIGNALED[a] ?? Infinity, policyJson.apts[a]?.retention ? seconds(policyJson.apts[a].retention) : Infinity)));

  // SRs an RR may be answered by: those aggregated or exported (kept), never dropped ones
  const srs: SeenSr[] = items
    .filter((i) => i.pt === 200 && i.decision.decision !== 'drop')
    .map((i) => ({ ssrc: i.packet.sender, compact: compact(i.packet.ntpMsw!, i.packet.ntpLsw!), ts: i.ts }));
  const clockRate = (it: OItem, b: { ssrc: number }) => {
    const last = rtp.filter((r) => r.ssrc === b.ssrc && r.frame < it.frame).pop();
    return last === undefined ? -1 : (RATE[last.pt] ?? 0);
  };

  const aggregated = items.filter((i) => i.decision.decision === 'aggregate');
  const assigned = new Map<Agg, OItem[]>(aggs.map((a) => [a, []]));
  const unassigned: OItem[] = [];
  for (const it of aggregated) {
    const cands = aggs.filter((a) => a.stream.ssrc === it.decision.ssrc && aptKey(a.apt) === aptKey(it.decision.apt) && a.window.start <= it.ts && it.ts <= a.window.end);
    cands.sort((a, b) => b.window.start - a.window.start);
    if (cands.length === 0) unassigned.push(it);
    else assigned.get(cands[0]!)!.push(it);
  }
  const errors: string[] = [];
  let unknownRate = 0;
  for (const [agg, its] of assigned) {
    const name = `agg ssrc=${agg.stream.ssrc} [${agg.window.start},${agg.window.end}]`;
    if (its.length === 0) {
      errors.push(`${name}: no item`);
      continue;
    }
    for (const it of its) for (const b of it.packet.blocks ?? []) if (clockRate(it, b) < 0) unknownRate++;
    const expected = expectedStats(its, (it, b) => Math.max(0, clockRate(it, b)), srs);
    close(agg.stats, expected, name, errors);
    // window bounds: start = first item's capture time; end within the window length
    close(agg.window.start, its[0]!.ts, `${name}.window.start`, errors);
    if (agg.window.end > agg.window.start + windowSec + 1e-9) errors.push(`${name}: end past window length`);
    if (its.some((i) => i.ts > agg.window.end)) errors.push(`${name}: item after end`);
    close(agg.ts, agg.window.end, `${name}.ts`, errors);
    // expiresAt = min over items of capture time + retention (README, SPEC §3)
    const exp = Math.min(...its.map((i) => i.ts + retention(i.decision.apt)));
    close(agg.expiresAt, Number.isFinite(exp) ? Math.round(exp * 1e6) / 1e6 : null, `${name}.expiresAt`, errors);
  }
  return { errors, unassigned, unknownRate, aggs, aggregated, assigned, items, run };
}

