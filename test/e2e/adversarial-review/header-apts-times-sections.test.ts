/**
 * Found by a review of adversarial input sizes, fixed since: a scope's identifier lists keep 64, a stand-in nothing states for the rest (src/signaling/negotiated-scope.ts addUnique).
 */
// Input: one SIP INVITE over TCP (240 KB, under the 256 KiB message bound) whose SDP offers 9 000
//   audio m-lines and whose one AI-Pref header names 300 identifiers `pN;scope=media`; then the
//   200 OK (one m-line), ACK and one RTCP SR. Replayed with the heap capped at 160 MB
//   (NODE_OPTIONS=--max-old-space-size=160; the same call with 0 identifiers runs in it).
// Was: the replay dies — "FATAL ERROR: … JavaScript heap out of memory", exit 134 after ~10 s.
//   Uncapped it takes ~22 s and 634 MB resident; 2 000 m-lines × 2 000 identifiers (90 KB)
//   take 50 s and 850 MB; 6 000 × 4 500 (243 KB) ran > 3 min without finishing (killed);
//   a single 59 KB UDP datagram (1 400 × 1 400) takes 24–59 s. Every m-section gets its own copy of
//   every media-scoped header identifier, added with a linear duplicate scan: memory m×n,
//   time ~m×n² (profile: negotiated-scope.ts addUnique, buildNegotiatedScope, diffScopes).
// Correct: the project rule — a malformed or hostile input is counted and reported, never a
//   crash, and state is bounded (README Limits); anyone may send SIP from the internet, so one
//   bounded message must cost bounded memory, linear in its size.
// Fix: src/signaling/negotiated-scope.ts buildNegotiatedScope — share one list of the header's
//   media-scoped identifiers across m-sections (or keep them once per dialog and reference
//   them), dedupe with a Set keyed by id+origin instead of addUnique's `some` scan; diffScopes
//   likewise; or bound the identifiers per message (report `state-limit`) and the m-sections read.
import { describe, expect, it } from 'vitest';
import { replay, tmpCapture } from './adv.js';
import * as C from './cases.js';

const CAPPED = { NODE_OPTIONS: '--max-old-space-size=160' };

async function run(values: number) {
  const cap = await tmpCapture(`sections-${values}.pcap`, [...C.tcpCall(C.sectionsTimesValues(9000, values, 'TCP')), C.rtcpFromA(1, C.srA())]);
  try {
    return await replay(cap.file, 0, [], CAPPED);
  } finally {
    await cap.cleanup();
  }
}

describe('m-sections × media-scoped AI-Pref identifiers in one INVITE', () => {
  it('control: 9 000 m-lines, no identifier — replays in a 160 MB heap', async () => {
    const r = await run(0);
    expect(r.code).toBe(0);
    expect(r.summary?.sip).toBe(3);
  }, 60_000);

  it('9 000 m-lines × 300 identifiers (240 KB) — replays in a 160 MB heap, not a heap-exhaustion abort', async () => {
    const r = await run(300);
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.code).toBe(0);
    expect(r.summary?.sip).toBe(3);
  }, 60_000);
});
