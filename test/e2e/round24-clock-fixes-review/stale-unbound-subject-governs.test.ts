/**
 * Found by a review of 49a1859 (the clock/unbound review's fixes), fixed since: in an unbound session, a subject's existing stream governs only when the payloads tagged it (SDES PRIV); an untagged one an earlier report made does not overrule the call's a=ssrc word (src/pipeline/media-core.ts rtcp's subject loop).
 * Input: call A→B (hand-built-calls: A 10.0.0.1 audio 4000 `a=ssrc:1111`, B 10.0.0.2 audio 5000
 *   `a=ssrc:2222`, both m-sections `a=aipref:mid apt-x`; policy apt-x domain raw). A sender no SDP
 *   names (SSRC 5555, 10.0.0.1:7001 → 10.0.0.2:7002: an SFU, or any sender of a plain mirror)
 *   sends RR + SDES {CNAME, PRIV aipref apt-x} compounds whose report block is about 2222, B's
 *   SSRC, which the 200 OK declares: one between the INVITE and its 200 OK (frame 2: 2222 is
 *   nobody's yet), one after it (frame 4). Replayed in-process (workers 0/2 × batch sizes 1–7,
 *   identical) and by the CLI (--workers 0, 1, 2, identical).
 * Was (observed): frame 4's RR `drop no-preference`; the same capture without the frame-2 RR
 *   gives that RR `export raw-allowed` (apt-x). (By reading: at b0f1ea9, before 49a1859, it was exported.)
 * Correct: exported, as without the earlier report. What bears on the RR is the sender's own tag
 *   (apt-x) and, for its subject 2222, the call's a=ssrc word (apt-x) — b0f1ea9: "a subject a call
 *   declares with a=ssrc is that call's stream". 49a1859 lets the unbound session's own stream of
 *   the subject govern where "the payloads already made [it] (an SDES chunk with its PRIV tag)"
 *   (SPEC §2: tags never relax). But `session.streams.has(ssrc)` takes any stream there, also the
 *   untagged one frame 2's report block made before the call declared 2222: a stream that says
 *   nothing, whose lack of a preference (absence, not a tag) now overrules the call's word and
 *   turns the item `no-preference`. An earlier report about the same source must not flip a
 *   later decision (SPEC §6: decisions follow what is in force at the packet).
 * Fix: src/pipeline/media-core.ts readRtcp's subject loop: when `elsewhere !== null` and
 *   `session.scope === null`, let the existing stream govern only where the payloads tagged it
 *   (e.g. `session.streams.get(ssrc)?.sdesApts.length > 0`); an untagged one is passed over as
 *   b0f1ea9 passed over every one (and no new one is made).
 */
import { afterAll, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { type At, decided, request, response, sdpOf } from '../hand-built-calls.js';
import { decisionsOf, Scratch } from '../round24-clock-unbound-review/lib.js';
import { replayAll } from '../token-expiry-review/helpers.js';

const ws = new Workspace();
const s = new Scratch();
afterAll(async () => {
  await ws.cleanup();
  await s.cleanup();
});
const APTS = { 'apt-x': { type: 'domain', export: 'raw', retention: '1h' } };
const chunk = (ssrc: number, priv: string) => ({ ssrc, items: [{ type: 1, text: `c${ssrc}@x` }, { type: 8, prefix: 'aipref', value: priv }] });
const rr = (ssrc: number, about: number[]) => ({ pt: 201, ssrc, reports: about.map((x) => ({ ssrc: x, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 })) }) as never;
/** 5555's RR about `about` and its SDES tagged apt-x, from addresses no SDP names */
const unboundRr = (at: At, ts: number, about: number[]) => at(ts, encodeRtcpCompound([rr(5555, about), { pt: 202, chunks: [chunk(5555, 'apt-x')] } as never]), true, 7001, 7002);
const mid = ['a=aipref:mid apt-x'];

const capture = (early: boolean) => (at: At) => {
  at(0.1, request('INVITE', 1, sdpOf('a', mid), [], ''), true); // 1
  if (early) unboundRr(at, 0.15, [2222]); // 2: 2222 is nobody's yet
  at(0.2, response('200 OK', 1, sdpOf('b', mid)), false); // (2|3): declares 2222
  unboundRr(at, 1, [2222]); // (3|4)
};

it("the unbound sender's report about 2222, after the 200 OK declares it, is exported whether or not an earlier report named 2222", async () => {
  const without = await replayAll(ws, 'without', capture(false), policyOf({ apts: APTS } as never));
  expect(decided(without)).toEqual(['3 export raw-allowed', '3 export raw-allowed']);
  const early = await replayAll(ws, 'early', capture(true), policyOf({ apts: APTS } as never));
  // frame 2: 2222 nobody's yet, no preference (right); frame 4: the call declares it by now
  expect(decided(early)).toEqual(['2 drop no-preference', '2 export raw-allowed', '4 export raw-allowed', '4 export raw-allowed']);
});

it('the same by the CLI (--workers 0, 1, 2)', async () => {
  const run = await s.replay('early', capture(true), { apts: APTS });
  expect(decisionsOf(run, 5555)).toEqual(['2 drop no-preference', '2 export raw-allowed', '4 export raw-allowed', '4 export raw-allowed']);
});
