/**
 * Found by a review of state that outlives calls, fixed since: a statement part is keyed by
 * what it says, not by its binding keys (partKey leaves out scope, integrity, uri).
 *
 * Input: 2000 short calls one after another (each INVITE/100/180/200/ACK, one RTP packet and one
 * SR each way, BYE/200), every INVITE a multipart body whose application/aipref+json part
 * carries the statement of a standing identifier `apt-user` and is referenced from the header
 * the way seed §5.2 and SPEC §2.2 describe: `AI-Pref: apt-user;scope=dialog;uri=<cid:…>`. The
 * Content-ID is new in every message, as RFC 2392 §2 requires ("globally unique"). Policy file:
 * apt-user raw, 1h. Replayed in-process (workers 0 and 2: the signaling front runs on the main
 * thread either way) as one live-like source; the front's registry is read after 500 and after
 * 2000 calls.
 *
 * Was: every call leaves one more statement part of apt-user behind, for good: the registry's
 * held parts (all identifiers; apt-user's own header parts are all but 3 of them) go
 * 503 → 2003 ("expected 2003 to be 503"), and the front's `signaled` map (what a policy reload
 * delivers again) 501 → 2001. The
 * identifier is in the policy file (and signaled by every call), so forgetIdle never takes it;
 * nothing else bounds the parts of one identifier. Each new part also makes the statement be
 * rebuilt from all the parts (buildStatement in addPart), so a call costs time in proportion to
 * the calls before it. Replay times here, the same calls with and without the multipart body
 * and its uri= handle (one capture, workers 0): 2000 calls 3.1 s vs 1.0 s, 4000 calls 12.2 s vs
 * 1.0 s, 8000 calls 71 s vs 2.2 s — superlinear; a live service's signaling thread grinds
 * after a few thousand such calls.
 * Correct: the parts differ only in `uri`, a binding parameter — statement.ts's own BINDING_KEYS
 * (scope, integrity, uri): "about where the APT applies, not what it says" — so every call's
 * header part says the same as the first and is a repeat (seed §3 idempotency, SPEC §3 "one
 * statement"); what a running service holds must follow the calls still running (README,
 * Limits: "What was kept for a dialog goes when it ends"). After 2000 calls apt-user holds
 * the parts it held after 500: the policy file's, one header part, one body part.
 * Fix: src/policy/apt-registry.ts partKey (and signaledKey in src/pipeline/signaling-front.ts):
 * identify a part by what it says — leave the binding keys scope/integrity/uri (and the
 * origin) out of the key, so a part that differs from a held one only in those is a repeat;
 * or bound the parts per identifier by folding older parts that say the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { policy, rounds } from './calls.js';
import { installProbes, replayFiles } from './probe.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a standing identifier referenced by a fresh Content-ID in every call', () => {
  for (const workers of [0, 2]) it(`keeps no statement part per ended call (workers ${workers})`, async () => {
    installProbes();
    const files = await rounds(ws, ['bye-multipart'], 500, 4);
    const { after, result } = await replayFiles(files, policy(), workers);
    expect(result.summary.dialogs).toBe(2000);
    // every call's SR and SDES exported raw under apt-user: the statement is resolved throughout
    expect(result.summary.telemetry).toEqual({ export: 8000, aggregate: 0, drop: 0 });
    const held = after.map((a) => a['registry.heldParts']);
    const signaled = after.map((a) => a['front.signaled']);
    // after 500 calls, and after 2000: the same
    expect(held[3]).toBe(held[0]);
    expect(signaled[3]).toBe(signaled[0]);
    // (at most: apt-user's policy-file, header and body parts, and apt-long's policy-file part)
    expect(held[3]).toBeLessThanOrEqual(4);
  }, 60_000);
});
