/** Metamorphic harness: replay two captures and compare their outputs under a mapping. */
import { readFile } from 'node:fs/promises';
import { parsePolicy, type PolicyFile } from '../../../src/policy/policy-file.js';
import { APT_CATALOG } from '../../../samples/generator/apt-catalog.js';
import { replayLines, SMALL_POLICY } from '../e2e-helpers.js';

export interface Out {
  exports: any[];
  reports: any[];
  decisions: any[];
  summary: any;
  bindings: any[];
}

export async function run(capture: string, policy: PolicyFile, workers = 0, windowSec = 10): Promise<Out> {
  const r = await replayLines({ capture, policy, workers, windowSec, explain: true });
  return {
    exports: r.exports.map((l) => JSON.parse(l)),
    reports: r.reports.map((l) => JSON.parse(l)),
    decisions: r.decisions.map((l) => JSON.parse(l)),
    summary: r.result.summary,
    bindings: r.result.bindings.map((b) => JSON.parse(JSON.stringify(b))),
  };
}

export const samplePolicy = async (): Promise<PolicyFile> => parsePolicy(await readFile(SMALL_POLICY, 'utf8'), 'policy.json');

/** Every catalog identifier raw, every feature, 1 h retention: everything the capture has is exported raw. */
export function allRawPolicy(extra: Record<string, unknown> = {}): PolicyFile {
  const apts: Record<string, unknown> = {};
  for (const e of APT_CATALOG) apts[e.id] = { type: 'domain', export: 'raw', retention: '1h' };
  apts['apt-all-raw'] = { type: 'domain', export: 'raw', retention: '1h' };
  return parsePolicy(JSON.stringify({ default: 'apt-all-raw', ...extra, apts }), 'all-raw.json');
}

export interface Mapping {
  frame?: (f: number) => number | undefined;
  /** µs added to every time */
  dtUs?: number;
  ssrc?: (n: number) => number;
  /** every string (callId aside unless callIdToo) */
  text?: (s: string) => string;
  callIdToo?: boolean;
  /** mid values (key 'mid') */
  mid?: (s: string) => string;
  dropRequestId?: boolean;
}

const TIME_KEYS = new Set(['ts', 'expiresAt', 'start', 'end']);
const SSRC_KEYS = new Set(['ssrc', 'senderSsrc', 'mediaSsrc', 'ssrcs']);

/** Applies a mapping to an output object (the expected outputs of the transformed capture). */
export function mapOut(x: any, m: Mapping, key = ''): any {
  if (Array.isArray(x)) return x.map((v) => mapOut(v, m, key));
  if (x !== null && typeof x === 'object') {
    const o: any = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === 'requestId' && m.dropRequestId) continue;
      o[k] = mapOut(v, m, k);
    }
    return o;
  }
  if (typeof x === 'number') {
    if (key === 'frame' && m.frame) return m.frame(x) ?? `unmapped frame ${x}`;
    if (TIME_KEYS.has(key) && m.dtUs) return (Math.round(x * 1e6) + m.dtUs) / 1e6;
    if (SSRC_KEYS.has(key) && m.ssrc) return m.ssrc(x);
    return x;
  }
  if (typeof x === 'string' && key === 'mid' && m.mid) return m.mid(x);
  if (typeof x === 'string' && m.text && (key !== 'callId' || m.callIdToo)) return m.text(x);
  return x;
}

export function strip(x: any, m: Mapping): any {
  return mapOut(x, { dropRequestId: m.dropRequestId ?? false });
}

/** First differing line of two arrays of objects, as text, for messages. */
export function firstDiff(a: any[], b: any[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return `#${i}\n expected ${x}\n got      ${y}`;
  }
  return null;
}

const srt = (a: any[]) => a.map((x) => JSON.stringify(x)).sort().map((x) => JSON.parse(x));

/** Lines compared in order, or as multisets with `unordered` (order between lines of one frame/time is not a contract). */
export function compare(base: Out, got: Out, m: Mapping, unordered = false): Record<string, string | null> {
  const exp = mapOut(base, m);
  const g = strip(got, m);
  const d = (a: any[], b: any[]) => (unordered ? firstDiff(srt(a), srt(b)) : firstDiff(a, b));
  return {
    exports: d(exp.exports, g.exports),
    reports: d(exp.reports, g.reports),
    decisions: d(exp.decisions, g.decisions),
    summary: JSON.stringify(base.summary) === JSON.stringify(got.summary) ? null : `${JSON.stringify(base.summary)} vs ${JSON.stringify(got.summary)}`,
    bindings: firstDiff(srt(exp.bindings), srt(g.bindings)),
  };
}
