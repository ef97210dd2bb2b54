/**
 * Found by a review of state that grows with input, fixed since: at most 16 SDES PRIV identifiers are kept per stream; past them one nothing states stands
 * for the rest (most restrictive), said once as a state-limit (media-core sdesLimit).
 *
 * Input: one MediaCore (a shard of the live service), one running call (m-section `a`, its own
 * `a=aipref` identifier apt-raw: raw, 1h; both parties bound by transport). The caller's
 * stream (SSRC 1000) sends 2000 RTCP compounds, 0.5 s apart, each an SR and an SDES chunk with
 * CNAME and a PRIV `aipref` item naming an identifier it has not named before (`tag-0` …
 * `tag-1999`: SDES is written by the endpoint — any client, or anyone who can put a datagram on
 * the call's RTCP port, chooses these bytes).
 *
 * Was: the stream keeps every identifier it was ever tagged with, and every one it reported:
 * StreamState.sdesApts holds 2000 entries and reportedApts 4000 ("expected 6000 to be less than
 * or equal to 64"). Nothing bounds either while the stream lives (the call runs; an unbound
 * stream that keeps sending is never idle either). Each compound makes the stream resolve
 * all its identifiers again (a new generation) and say a binding-conflict whose `apt` lists every
 * one of them, so the work and the report lines grow with the tags seen: the 2000th compound's
 * reports are 21 321 bytes, the last 100 compounds' 2.08 MB against 86 KB for the first 100
 * ("expected 2077450 to be less than or equal to 86363"); 2000 compounds take ~9 s, and a run of
 * 8000 such compounds did not finish in 10 minutes (quadratic time and output).
 * Correct: every per-stream collection fed by traffic must be bounded (README "Limits": dialogs,
 * streams and the identifiers signaling brought are, "when a limit evicts something a
 * `state-limit` report says so"); a media-plane tag never relaxes (SPEC §2), so a stream past
 * its bound must stay at least as restricted (it is already: every unknown tag is unresolved,
 * most restrictive). Here: at most 64 distinct SDES PRIV identifiers per stream (a proposed
 * bound — far above any honest endpoint's one or two), and the reports of the last 100
 * compounds no bigger than those of the first 100. Every item stays dropped throughout.
 * Fix: src/pipeline/media-core.ts learnFromSdes (and notYetReported): past a bound on a
 * stream's sdesApts, stop adding identifiers and mark the stream most restrictive (a synthetic
 * unresolved identifier, as AptRegistry does for an unreadable value), reporting a
 * `state-limit` once; reportedApts then stays within the same bound.
 */
import { describe, expect, it } from 'vitest';
import type { DialogScope } from '../../../src/binding/types.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';
import { AptRegistry } from '../../../src/policy/apt-registry.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';

type Any = Record<string, any>;
const ip = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
const CALLER_RTCP: PacketAddress = { v6: false, src4: ip(10, 0, 0, 1), dst4: ip(10, 0, 0, 2), src: '10.0.0.1', dst: '10.0.0.2', sport: 30001, dport: 40001 };
const scope: DialogScope = {
  key: 'c1\nf\nt',
  dialog: { callId: 'c1', fromTag: 'f', toTag: 't' },
  sections: [
    {
      index: 0,
      mid: 'a',
      kind: 'audio',
      disabled: false,
      rtp: [{ address: '10.0.0.1', port: 30000 }, { address: '10.0.0.2', port: 40000 }],
      rtcp: [{ address: '10.0.0.1', port: 30001 }, { address: '10.0.0.2', port: 40001 }],
      ssrcs: [],
      midExtIds: [],
      clockRates: [],
      sharedClockRate: null,
      mediaClockRate: null,
      srtp: false,
      srtcpKeys: [],
      apts: [{ id: 'apt-raw', origin: 'mid' }],
    },
  ],
  dialogApts: [],
  repositoryApts: [],
  pending: null,
};
const compound = (ssrc: number, tag: string): Uint8Array =>
  encodeRtcpCompound([
    { pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] },
    { pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'c@x' }, { type: 8, prefix: 'aipref', value: tag }] }] } as unknown as RtcpPacketInput,
  ]);

describe('SDES PRIV identifiers of one stream', () => {
  it('2000 distinct tags on one running stream: at most 64 kept, reports flat per packet, every item dropped', () => {
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null });
    const policy = parsePolicy(JSON.stringify({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } }), 'p.json');
    const registry = AptRegistry.withParts(policy.statementParts());
    core.event({ kind: 'statements', frame: 0, statements: [registry.get('apt-raw')] });
    core.event({ kind: 'scope', frame: 1, ts: 99, scope });
    let frame = 1;
    let exports = 0;
    const reportBytes: number[] = [];
    let limits = 0;
    for (let n = 0; n < 2000; n++) {
      const p = compound(1000, `tag-${n}`);
      core.rtcp(++frame, 100 + n * 0.5, p, 0, p.length, CALLER_RTCP);
      const out = core.drain();
      exports += out.exports.length;
      reportBytes.push(out.reports.reduce((s, l) => s + l.text.length, 0));
      limits += out.reports.filter((l) => l.text.includes('"type":"state-limit"')).length;
    }
    let held = 0;
    for (const session of (core as unknown as Any).table.sessions.values()) for (const stream of session.streams.values()) held += stream.sdesApts.length + (stream.reportedApts?.size ?? 0);
    const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
    expect.soft(exports).toBe(0);
    expect.soft(limits).toBe(1);
    expect.soft(held).toBeLessThanOrEqual(64);
    expect.soft(sum(reportBytes.slice(-100))).toBeLessThanOrEqual(sum(reportBytes.slice(0, 100)));
  }, 60_000);
});
