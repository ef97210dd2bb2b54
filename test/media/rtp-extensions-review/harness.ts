/**
 * Shared builders of the RTP header extension review: a BUNDLE call (mids a, v on A:4000 /
 * B:5000, rtcp-mux; a=aipref:mid apt-a aggregated-only, apt-v raw), RTP packets with
 * hand-written extension blocks, and a replay with 0 and 2 workers whose lines AND binding
 * tables must agree (the calls-on-any-address helper compares lines only).
 */
import { expect } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sipMsg, sr, type Pkt } from '../../e2e/calls-on-any-address.js';
import { policyOf, replayLines, type Workspace } from '../../e2e/e2e-helpers.js';

export const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } } });
export const M = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const V = 0x76; // 'v'
export const enc = new TextEncoder();
export const CALL_ID = 'rb-call@10.0.0.1';

/** RTP bytes with a header extension block `profile` holding `ext` (zero-padded to 32 bits; `words` overrides its length field). */
export function rtpWithExt(ssrc: number, profile: number, ext: number[], o: { words?: number; csrcs?: number; pad?: number } = {}): Uint8Array {
  const block = [...ext];
  while (block.length % 4) block.push(0);
  const csrcs = o.csrcs ?? 0;
  const pad = o.pad ?? 0;
  const b = new Uint8Array(12 + 4 * csrcs + 4 + block.length + 20 + pad);
  const dv = new DataView(b.buffer);
  b[0] = 0x90 | (pad ? 0x20 : 0) | csrcs;
  dv.setUint16(2, 1);
  dv.setUint32(4, 1);
  dv.setUint32(8, ssrc);
  for (let i = 0; i < csrcs; i++) dv.setUint32(12 + 4 * i, 0x0c000000 + i);
  const at = 12 + 4 * csrcs;
  dv.setUint16(at, profile);
  dv.setUint16(at + 2, o.words ?? block.length / 4);
  b.set(block, at + 4);
  if (pad) b[b.length - 1] = pad;
  return b;
}

/** B → A on the BUNDLE address */
export const fromB = (ssrc: number, profile: number, ext: number[], o?: Parameters<typeof rtpWithExt>[3]): Pkt => ({ src: B, dst: A, sport: 5000, dport: 4000, payload: rtpWithExt(ssrc, profile, ext, o) });
/** A → B on the BUNDLE address */
export const fromA = (ssrc: number, profile: number, ext: number[]): Pkt => ({ src: A, dst: B, sport: 4000, dport: 5000, payload: rtpWithExt(ssrc, profile, ext) });
export const srFromB = (ssrc: number): Pkt => rtcp(B, A, 5000, 4000, [sr(ssrc)]);
export const srFromA = (ssrc: number): Pkt => rtcp(A, B, 4000, 5000, [sr(ssrc)]);

/** One side's SDP of the BUNDLE call; `ext` goes into both m-sections, `mids` names them. */
export function bundleSdp(side: 'a' | 'b', ext: string[], o: { mids?: [string, string]; audio?: string[]; session?: string[] } = {}): string {
  const [ma, mv] = o.mids ?? ['a', 'v'];
  const addr = side === 'a' ? A : B;
  const port = side === 'a' ? 4000 : 5000;
  const tags = (t: string) => (side === 'a' ? [`a=aipref:mid ${t}`] : []);
  return sdp(
    addr,
    [
      [`m=audio ${port} RTP/AVP 0`, `a=mid:${ma}`, 'a=rtcp-mux', ...ext, ...tags('apt-a'), ...(o.audio ?? [])],
      [`m=video ${port} RTP/AVP 96`, `a=mid:${mv}`, 'a=rtcp-mux', ...ext, ...tags('apt-v')],
    ],
    [`a=group:BUNDLE ${ma} ${mv}`, ...(o.session ?? [])],
  );
}

export function bundleCall(ext: string[], o: Parameters<typeof bundleSdp>[2] = {}): Pkt[] {
  return callSetup({ offer: bundleSdp('a', ext, o), answer: bundleSdp('b', ext, o) });
}

/** A re-INVITE (CSeq `cseq`) from A carrying `offer`, and B's final response: a 200 with `answer`, or a 488 refusal (Warning 399 aipref). */
export function reInvite(offer: string, answer: string | 'refuse', cseq = 2): [Pkt, Pkt] {
  const common = [`Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-re-${cseq}`, `From: <sip:a@${A}>;tag=ftag`, `To: <sip:b@${B}>;tag=ttag`, `Call-ID: ${CALL_ID}`, `CSeq: ${cseq} INVITE`];
  const inv = sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', ...common, `Contact: <sip:a@${A}:5060>`], offer);
  const res =
    answer === 'refuse'
      ? sipMsg(['SIP/2.0 488 Not Acceptable Here', ...common, 'Warning: 399 aipref "Preference unsupported"'], null)
      : sipMsg(['SIP/2.0 200 OK', ...common, `Contact: <sip:b@${B}:5060>`], answer);
  return [
    { src: A, dst: B, sport: 5060, dport: 5060, payload: inv },
    { src: B, dst: A, sport: 5060, dport: 5060, payload: res },
  ];
}

export type Run = Awaited<ReturnType<typeof replay>>;

/** Replays with 0 and 2 workers (lines compared by `replay`), and checks the binding tables agree too. */
export async function run(ws: Workspace, pkts: Pkt[]): Promise<Run> {
  const r = await replay(ws, pkts, POL);
  const two = await replayLines({ capture: r.file, policy: POL, workers: 2, explain: true });
  expect(two.result.bindings.map((b) => JSON.stringify(b)).sort()).toEqual(r.bindings.map((b) => JSON.stringify(b)).sort());
  return r;
}

/** `ssrc mid via [apts]` per binding row, sorted */
export const rows = (r: Run): string[] => r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via} [${b.apt.join(',')}]`).sort();
/** `frame decision reason` per decision line */
export const decisions = (r: Run): string[] => r.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason}`);
