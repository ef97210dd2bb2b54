/**
 * Found by a review of adversarial input sizes, fixed since: a multipart nested past the bound is reported bad-multipart (src/signaling/sip-multipart.ts parsePart).
 */
// Input: an INVITE (UDP) whose multipart body nests 5 levels before its leaf multipart, which
//   holds the SDP offer and an application/aipref+json statement part <s1@x> (export raw),
//   named by `AI-Pref: apt-x;scope=session;uri=<cid:s1@x>`; the call's RTCP SR follows.
// Was: at 4 levels the statement is read and the SR exported; at 5 the nested multipart is kept
//   as one opaque part (sip-multipart.ts MAX_DEPTH = 4): neither the SDP offer nor the statement
//   is read and nothing says why — no malformed-input or state-limit; only `unresolved-apt`
//   "uri=<cid:s1@x> names no body part of the message that could be read", which is untrue (the
//   part is there) and says nothing of the unread SDP.
// Correct: project rule / README §Commands (a malformed or refused input is counted and
//   reported); README Limits lists every bound and says a limit that drops something reports it:
//   a body nested past the reader's bound is reported (malformed-input or state-limit naming the
//   nesting), so the operator learns the offer and statement were not read.
// Fix: src/signaling/sip-multipart.ts parsePart — when depth reaches MAX_DEPTH on a multipart/*
//   part, push a sipError('bad-multipart', …, 'multipart nested deeper than 4 levels: not read').
import { describe, expect, it } from 'vitest';
import { replayBoth, tmpCapture, udpCall } from './adv.js';
import * as C from './cases.js';

async function run(depth: number) {
  const cap = await tmpCapture(`depth-${depth}.pcap`, [...udpCall(C.nestedMultipart(depth, true)), C.rtcpFromA(1, C.srA())]);
  try {
    const [w0, w2] = await replayBoth(cap.file);
    expect(w0.code).toBe(0);
    expect(w2.raw.reports).toBe(w0.raw.reports);
    return w0;
  } finally {
    await cap.cleanup();
  }
}

describe('a multipart body nested past the reader bound', () => {
  it('control: 4 levels — statement read, SR exported, nothing reported', async () => {
    const r = await run(4);
    expect(r.summary?.telemetry).toEqual({ export: 1, aggregate: 0, drop: 0 });
    expect(r.reports).toEqual([]);
  }, 60_000);

  it('5 levels — what was not read is reported as such', async () => {
    const r = await run(5);
    expect(r.summary?.telemetry).toEqual({ export: 0, aggregate: 0, drop: 1 });
    const told = r.reports.filter((x) => (x.type === 'malformed-input' || x.type === 'state-limit') && /nest|deep|depth|level/i.test(String(x.detail)));
    expect(told.length).toBe(1);
  }, 60_000);
});
