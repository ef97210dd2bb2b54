/**
 * Report review (SPEC §5, §6, §8 reports.ndjson): checks that came out FINE, kept as regression
 * tests. Hand-built calls (calls-on-any-address.ts; audio mid "a", A SSRC 1111 RTCP 4001 → B
 * 5001); every run is replayed with workers 0 and 2 and the lines compared (replay()), and the
 * summary's `reports` counts equal the lines by type. Checked:
 * - scope-removed: a re-INVITE dropping `a=aipref:mid apt-raw` (session apt-agg remains), sent
 *   twice, its 200 twice, then the same SDP re-sent as a new re-INVITE, then late copies of
 *   re-INVITE/200/ACK after the ACK: exactly one report, at the 200 (frame 5), mid "a",
 *   fallback ["apt-agg"]; port 0 on the video m-section: one report naming both APTs, fallback
 *   []; an AI-Pref value dropped: no mid; session-level removal with an operator default: one per
 *   m-section, fallback [default].
 * - scope-transitioned: a 488 with Warning 399 aipref to a re-INVITE and its retransmission
 *   (also after the ACK): one "offer refused" report at the first 488's frame, dialog with toTag;
 *   a re-INVITE adding a=aipref:mid, sent twice then re-sent with a new CSeq: one "mid scope
 *   added" at the 200; version=2 replacing version=1 in one INVITE (retransmitted): one
 *   version-replaced line.
 * - inconsistent-signaling (AI-Pref export=raw vs a=aipref export=none): once, at the INVITE,
 *   toTag "", not again for its retransmission, the 200 and ACK restating the header, nor a
 *   refresh re-INVITE repeating it.
 * - implicit-binding: once per stream (SSRC 1111 at its first RTCP, 2222 at its own), mid "a",
 *   apt [dialog-level id], not again at the next RTCP.
 * - unresolved-apt: under the INVITE (toTag "") and again by the stream with ssrc and mid
 *   (toTag known); not again for the retransmitted INVITE.
 * - malformed-input: an a=aipref line without identifier and with an unknown scope, AI-Pref values
 *   that break their grammar — one line each, INVITE retransmission not re-reported; a 5-byte
 *   non-RTP datagram on the negotiated transport and an RTCP length past the datagram end: one
 *   per frame with that frame's ts, summary `malformed` equal; a broken CSeq / Content-Length.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { A, B, callSetup, replay, rtcp, sdp, sipMsg, sr, type Pkt } from '../calls-on-any-address.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { audio, video } from '../explanations-review/helpers.js';
import { ack, answer, countsOf, dialog, policy, reinvite, response } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const T = (i: number) => Math.round((1767225600 + i / 10) * 1e6) / 1e6;
const brief = (r: { reports: { type: string; frame: number; ts: number }[] }) => r.reports.map((x) => [x.type, x.frame, x.ts === T(x.frame)]);
async function run(pkts: Pkt[], pol = policy) {
  const r = await replay(ws, pkts, pol);
  expect(r.summary.reports).toEqual(countsOf(r.reports));
  return r;
}

describe('scope-removed', () => {
  it('once, at the answer, whatever is re-sent', async () => {
    const o1 = sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-raw'])], ['a=aipref:session apt-agg']);
    const o2 = sdp(A, [audio(4000, 1111)], ['a=aipref:session apt-agg']);
    const r = await run([...callSetup({ offer: o1, answer }), reinvite(2, o2), response(2, answer), ack(2), reinvite(2, o2), response(2, answer), ack(2), reinvite(3, o2), response(3, answer), ack(3), rtcp(A, B, 4001, 5001, [sr(1111)])]);
    expect(r.reports).toEqual([{ type: 'scope-removed', ts: T(5), frame: 5, dialog, mid: 'a', apt: ['apt-raw'], fallback: ['apt-agg'], detail: 'attribute-removed; falls back to section-level apt-agg' }]);
  });

  it('port 0, AI-Pref value dropped, session removal with a default', async () => {
    const o1 = sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-raw']), video(4002, 3333, ['a=aipref:mid apt-raw'])], ['a=aipref:session apt-agg']);
    const o2 = sdp(A, [audio(4000, 1111), ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=aipref:mid apt-raw']], ['a=aipref:session apt-agg']);
    const a2 = sdp(B, [audio(5000, 2222), ['m=video 0 RTP/AVP 96', 'a=mid:v']]);
    const r = await run([
      ...callSetup({ offer: o1, answer: sdp(B, [audio(5000, 2222), video(5002, 4444)]), inviteHeaders: ['AI-Pref: apt-raw;scope=dialog'] }),
      reinvite(2, o2), response(2, a2), ack(2), reinvite(3, o2, ['AI-Pref: apt-agg;scope=dialog']), response(3, a2), ack(3),
    ]);
    expect(r.reports).toEqual([
      { type: 'scope-removed', ts: T(5), frame: 5, dialog, mid: 'a', apt: ['apt-raw'], fallback: ['apt-agg'], detail: 'attribute-removed; falls back to section-level apt-agg' },
      { type: 'scope-removed', ts: T(5), frame: 5, dialog, mid: 'v', apt: ['apt-agg', 'apt-raw'], fallback: [], detail: 'section-disabled; falls back to nothing: the stream stops' },
      { type: 'scope-removed', ts: T(8), frame: 8, dialog, apt: ['apt-raw'], fallback: ['apt-agg'], detail: 'header-value-dropped; falls back to dialog-level apt-agg' },
      { type: 'scope-transitioned', ts: T(8), frame: 8, dialog, apt: ['apt-agg'], detail: 'header-dialog scope added' },
    ]);
    const both = sdp(B, [audio(5000, 2222), video(5002, 4444)]);
    const r2 = await run(
      [...callSetup({ offer: sdp(A, [audio(4000, 1111), video(4002, 3333)], ['a=aipref:session apt-agg']), answer: both }), reinvite(2, sdp(A, [audio(4000, 1111), video(4002, 3333)])), response(2, both), ack(2)],
      policyOf({ apts: { 'apt-raw': { type: 'user', export: 'raw' }, 'apt-agg': { type: 'user', export: 'aggregated-only' } }, default: 'apt-raw' }),
    );
    expect(r2.reports.map((x) => [x.type, x.frame, x.mid, x.apt, x.fallback])).toEqual([
      ['scope-removed', 5, 'a', ['apt-agg'], ['apt-raw']],
      ['scope-removed', 5, 'v', ['apt-agg'], ['apt-raw']],
    ]);
  });
});

describe('scope-transitioned', () => {
  it('a refusal once, whatever is re-sent; a scope added once', async () => {
    const W = ['Warning: 399 b.example "aipref"'];
    const o1 = sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-agg'])]);
    const o2 = sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-raw'])]);
    const r = await run([...callSetup({ offer: o1, answer }), reinvite(2, o2), response(2, null, '488 Not Acceptable Here', W), response(2, null, '488 Not Acceptable Here', W), ack(2, 're2'), response(2, null, '488 Not Acceptable Here', W), rtcp(A, B, 4001, 5001, [sr(1111)])]);
    expect(r.reports).toEqual([{ type: 'scope-transitioned', ts: T(5), frame: 5, dialog, detail: 'offer refused: 488 with Warning 399 aipref; its changes are discarded' }]);
    const plain = sdp(A, [audio(4000, 1111)]);
    const r2 = await run([...callSetup({ offer: plain, answer }), reinvite(2, o1), reinvite(2, o1), response(2, answer), ack(2), reinvite(3, o1), response(3, answer), ack(3)]);
    expect(r2.reports).toEqual([{ type: 'scope-transitioned', ts: T(6), frame: 6, dialog, mid: 'a', apt: ['apt-agg'], detail: 'mid scope added' }]);
  });

  it('version-replaced once for a retransmitted INVITE', async () => {
    const s = callSetup({ offer: sdp(A, [audio(4000, 1111)]), answer, inviteHeaders: ['AI-Pref: apt-v;version=1;export=raw', 'AI-Pref: apt-v;version=2;export=none'] });
    const r = await run([s[0]!, s[0]!, ...s.slice(1)]);
    expect(r.reports.filter((x) => x.type === 'scope-transitioned')).toEqual([{ type: 'scope-transitioned', ts: T(1), frame: 1, dialog: { ...dialog, toTag: '' }, apt: ['apt-v'], detail: 'version-replaced (version); version 2 replaces version 1' }]);
  });
});

describe('inconsistent-signaling, implicit-binding, unresolved-apt', () => {
  it('inconsistent-signaling once per call, whatever restates it', async () => {
    const o1 = sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-1 export=none'])]);
    const h = 'AI-Pref: apt-1;export=raw;type=user';
    const s = callSetup({ offer: o1, answer, inviteHeaders: [h], okHeaders: [h] });
    const ackH = { ...s[2]!, payload: Buffer.from(Buffer.from(s[2]!.payload).toString('latin1').replace('CSeq: 1 ACK', `CSeq: 1 ACK\r\n${h}`)) };
    const r = await run([s[0]!, s[0]!, s[1]!, ackH, reinvite(2, o1, [h]), response(2, answer), ack(2), rtcp(A, B, 4001, 5001, [sr(1111)])]);
    expect(r.reports).toEqual([
      { type: 'inconsistent-signaling', ts: T(1), frame: 1, dialog: { ...dialog, toTag: '' }, apt: ['apt-1'], detail: 'inconsistent-signaling (export): "raw" from ai-pref-header vs "none" from sdp-aipref; parts disagree on export; most restrictive kept: "none"' },
    ]);
  });

  it('implicit-binding once per stream; unresolved-apt under the INVITE and by the stream', async () => {
    const s = callSetup({ offer: sdp(A, [audio(4000, 1111)]), answer, inviteHeaders: ['AI-Pref: apt-raw;scope=dialog'] });
    const r = await run([...s, rtcp(A, B, 4001, 5001, [sr(1111)]), rtcp(A, B, 4001, 5001, [sr(1111)]), rtcp(B, A, 5001, 4001, [sr(2222)])]);
    const detail = 'dialog-level AI-Pref applied: its m-section a names no identifier';
    expect(r.reports).toEqual([
      { type: 'implicit-binding', ts: T(4), frame: 4, dialog, mid: 'a', ssrc: 1111, apt: ['apt-raw'], detail },
      { type: 'implicit-binding', ts: T(6), frame: 6, dialog, mid: 'a', ssrc: 2222, apt: ['apt-raw'], detail },
    ]);
    const u = callSetup({ offer: sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-unk'])]), answer });
    const r2 = await run([u[0]!, u[0]!, ...u.slice(1), rtcp(A, B, 4001, 5001, [sr(1111)]), rtcp(A, B, 4001, 5001, [sr(1111)])]);
    expect(r2.reports).toEqual([
      { type: 'unresolved-apt', ts: T(1), frame: 1, dialog: { ...dialog, toTag: '' }, apt: ['apt-unk'], detail: 'no statement for this identifier: counted as most restrictive' },
      { type: 'unresolved-apt', ts: T(5), frame: 5, dialog, mid: 'a', ssrc: 1111, apt: ['apt-unk'], detail: 'no statement for the identifier: counted as most restrictive' },
    ]);
  });
});

describe('malformed-input', () => {
  it('signaling: one line per problem, not again for a retransmission', async () => {
    const s = callSetup({ offer: sdp(A, [audio(4000, 1111, ['a=aipref:mid', 'a=aipref:bogus apt-x'])]), answer, inviteHeaders: ['AI-Pref: apt-raw;scope=', 'AI-Pref: ;;'] });
    const r = await run([s[0]!, s[0]!, ...s.slice(1)]);
    expect(r.reports.filter((x) => x.type === 'malformed-input').map((x) => [x.frame, x.detail])).toEqual([
      [1, 'frame 1: sdp bad-aipref at line 10 (missing-identifier: )'],
      [1, 'frame 1: sdp bad-aipref at line 11 (unknown-scope: bogus (apt-x kept for its mid scope, unresolved))'],
      [1, 'frame 1: ai-pref missing-param-value at column 14 (apt-raw;scope= (apt-raw kept, unresolved))'],
      [1, 'frame 1: ai-pref bad-pref-id at column 0 (;;)'],
    ]);
    const bad = { ...s[0]!, payload: Buffer.from(Buffer.from(s[0]!.payload).toString('latin1').replace('CSeq: 1 INVITE', 'CSeq: x INVITE')) };
    const r2 = await run([bad]);
    expect(brief(r2)).toEqual([['malformed-input', 1, true]]);
    expect(r2.reports[0]!.detail).toBe('frame 1: sip bad-cseq at byte 185 (a value of 8 characters that is not a sequence number and a method)');
  });

  it('media: one per frame, with its frame and ts; summary malformed equal', async () => {
    const s = callSetup({ offer: sdp(A, [audio(4000, 1111, ['a=aipref:mid apt-raw'])]), answer });
    const good = rtcp(A, B, 4001, 5001, [sr(1111)]);
    const cut = new Uint8Array(good.payload.length + 8);
    cut.set(good.payload);
    cut.set([0x81, 201, 0, 50, 0, 0, 4, 87], good.payload.length);
    const junk = { src: A, dst: B, sport: 4001, dport: 5001, payload: new Uint8Array([0xf0, 2, 3, 4, 5]) };
    const r = await run([...s, junk, { ...good, payload: cut }, { ...good, payload: cut }]);
    expect(r.reports.map((x) => [x.type, x.ts, x.frame, x.dialog, x.detail])).toEqual([
      ['malformed-input', T(4), 4, null, 'frame 4: 5-byte datagram on a negotiated media transport is neither RTP nor RTCP (starts f0 02 03 04)'],
      ['malformed-input', T(5), 5, null, 'frame 5: rtcp length-past-end at byte 28: RTCP packet of 204 bytes runs past the datagram (8 left)'],
      ['malformed-input', T(6), 6, null, 'frame 6: rtcp length-past-end at byte 28: RTCP packet of 204 bytes runs past the datagram (8 left)'],
    ]);
    expect(r.summary.malformed).toBe(3);
  });
});
void sipMsg;
