/**
 * Found by a review of earlier reviews' suspicions, fixed since: two streams' different statements that agree give `strictest-wins`, `single-statement` only when both sides' is the same one (src/policy/precedence.ts pickOutcome).
 */
/**
 * The `rule` of a decision made by two statements of one rank, one from each stream an item
 * reports on (sender and subject), reads `single-statement` when both give the same value — while
 * the line names both APTs. The same two statements governing one stream give `strictest-wins`.
 *
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts: mid a (A 1111) under apt-raw (user, raw,
 * 1h), mid b (A 1112) under apt-raw90 (user, raw, 90 s, features media-metrics+feedback+rtcp-xr).
 * A's 1111 sends an RR with one report block about 1112 (the same holds for an SFU's RR about a
 * stream of another call: the combination, src/policy/precedence.ts combineRestrictive, is the same).
 *
 * Was (workers 0 and 2 alike):
 *   {"ssrc":1111,"pt":201,"feature":"media-metrics","decision":"export","reason":"raw-allowed","apt":["apt-raw","apt-raw90"],"rule":"single-statement"}
 * — two statements (two user APTs, two streams) applied and both decided `export`, yet the
 * explanation says one statement decided.
 *
 * Correct: SPEC §4 "Every decision can be explained: which APTs applied and which rule decided";
 * SPEC §3: "between statements of the same rank, the most restrictive value of each key wins" —
 * `strictest-wins`, which is what resolveKey says for the same two statements on one stream
 * (precedence.ts: `applying.length === 1 ? 'single-statement' : 'strictest-wins'`). A rule of
 * `single-statement` beside two APT identifiers contradicts itself.
 *
 * Fix: src/policy/precedence.ts pickOutcome, `aDecides && bDecides`: when the two outcomes name
 * different APTs, a `single-statement` on either side becomes `strictest-wins` (keep the rule only
 * when both sides name the same statement, or when the rules are the stronger ones —
 * regulatory-floor, unresolved-apt, integrity-failure — and equal).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('rule of an item decided by two same-rank statements of two streams', () => {
  it('is strictest-wins, not single-statement, when the line names both APTs', async () => {
    const p = C.callWithMedia();
    p.push(C.fromA(1, C.compound(C.RR(1111, [{ ssrc: 1112 }]))));
    const r = await C.replay(ws, p);
    const rr = r.decisions.filter((d) => d.pt === 201).map((d) => ({ decision: d.decision, apt: [...d.apt].sort(), rule: (d as unknown as { rule: string }).rule }));
    expect(rr).toEqual([{ decision: 'export', apt: ['apt-raw', 'apt-raw90'], rule: 'strictest-wins' }]);
  });
});
