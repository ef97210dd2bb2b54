/**
 * SPEC §2: media-plane tags never relax signaling. An SDES PRIV `aipref` identifier that the
 * signaling does not name is a binding-conflict: both apply and the most restrictive result
 * wins — a user-typed tag in SDES must not override the signaled domain statement the way a
 * signaled user statement would (§3's precedence is for statements that govern a stream, not
 * for a tag the stream attaches to itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import type { CallTruth, StreamTruth } from '../../samples/generator/truth.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import type { PolicyFile } from '../../src/policy/policy-file.js';
import {
  catalogApts,
  type DecisionLine,
  type ExportLine,
  type Generated,
  parseLines,
  policyOf,
  readPcapRecords,
  replayLines,
  type ReplayLines,
  type ReportLine,
  smallCapture,
  Workspace,
  writePcapRecords,
} from './e2e-helpers.js';
import { DecisionModel, type Pref, privConflicts, stricter } from './expectations.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const TAG = 'apt-user-1'; // user, raw, 90 s, media-metrics + rtcp-xr

let g: Generated;
let policy: PolicyFile;
let call: CallTruth;
let stream: StreamTruth;
let run: ReplayLines;
let tagged: Set<number>;

/** A section-bound stream whose signaled identifiers are all domain statements (no user, no regulatory). */
function pickStream(gen: Generated, p: PolicyFile): { call: CallTruth; stream: StreamTruth } | null {
  for (const c of gen.truth.calls) {
    if (c.renegotiations.length > 0) continue;
    for (const s of c.streams) {
      if (!['a=ssrc', 'transport', 'rtp-mid', 'sdes-mid'].includes(s.via) || s.sdesPriv !== null || s.apt.length === 0) continue;
      if (s.apt.every((id) => p.apts.get(id)?.type === 'domain')) return { call: c, stream: s };
    }
  }
  return null;
}

beforeAll(async () => {
  policy = policyOf({ apts: catalogApts() });
  for (const seed of [3, 21, 58, 5, 8, 11, 13, 17]) {
    g = await ws.generate(smallCapture(seed, 8));
    const found = pickStream(g, policy);
    if (found) {
      ({ call, stream } = found);
      break;
    }
  }
  expect(stream, 'a seed with a domain-governed stream').toBeDefined();
  // the stream names TAG in SDES PRIV in every compound it sends
  const { header, records } = await readPcapRecords(g.path);
  tagged = new Set();
  for (const c of g.truth.rtcp.filter((r) => r.ssrc === stream.ssrc)) {
    const packets: RtcpPacketInput[] = g.rtcp.get(c.frame)!.map((p) =>
      'chunks' in p && p.pt === 202 ? { ...p, chunks: p.chunks.map((ch) => ({ ...ch, items: [...ch.items, { type: 8, prefix: 'aipref', value: TAG }] })) } : p,
    ) as RtcpPacketInput[];
    g.rtcp.set(c.frame, packets);
    records[c.frame - 1] = {
      ts: records[c.frame - 1]!.ts,
      data: buildEthernetIpv4Udp({ src: stream.src.address, dst: stream.dst.address, sport: stream.src.rtcpPort, dport: stream.dst.rtcpPort, payload: encodeRtcpCompound(packets) }),
    };
    tagged.add(c.frame);
  }
  const file = await ws.file('tagged.pcap');
  await writePcapRecords(file, header, records);
  run = await replayLines({ capture: file, policy, explain: true });
});

describe('an SDES PRIV identifier the signaling does not name', () => {
  it('is reported once as binding-conflict for the stream, naming it', () => {
    // besides the streams the generator binds by their PRIV tag alone under dialog-level values
    const others = new Set(privConflicts(g.truth));
    const conflicts = parseLines<ReportLine>(run.reports).filter((r) => r.type === 'binding-conflict' && !others.has(r.ssrc!));
    expect(conflicts.map((r) => r.ssrc)).toEqual([stream.ssrc]);
    expect(conflicts[0]!.apt).toContain(TAG);
    expect(conflicts[0]!.dialog?.callId).toBe(call.callId);
  });

  it("never relaxes the signaled statements: the stream's items are judged by the stricter of both", () => {
    const model = new DecisionModel(g.truth, policy);
    const signaled = model.resolve(stream.apt)!;
    const tag = model.resolve([TAG])!;
    const both: Pref = stricter(signaled, tag);
    const decisions = parseLines<DecisionLine>(run.decisions).filter((d) => d.ssrc === stream.ssrc && tagged.has(d.frame));
    expect(decisions.length).toBeGreaterThan(0);
    const rank = { drop: 0, aggregate: 1, export: 2 } as const;
    const allowed = (feature: string): keyof typeof rank =>
      both.export === 'none' || (both.features !== null && !both.features.includes(feature as never)) || both.retentionSec === 0 ? 'drop' : both.export === 'raw' ? 'export' : 'aggregate';
    const looser = decisions.filter((d) => rank[d.decision] > rank[allowed(d.feature)]);
    expect(
      looser.map((d) => `${d.frame}/${d.pt} ${d.feature}: ${d.decision} by [${d.apt}] (${d.reason}); signaled [${stream.apt}] and tag ${TAG} allow at most ${allowed(d.feature)}`),
    ).toEqual([]);
    // and the raw exports of the stream expire no later than the stricter retention
    for (const x of parseLines<ExportLine>(run.exports).filter((e) => e.type === 'telemetry' && e.stream.ssrc === stream.ssrc)) {
      if (both.retentionSec !== null) expect(x.expiresAt).toBeLessThanOrEqual(Math.round((x.ts + both.retentionSec) * 1e6) / 1e6);
    }
  });
});
