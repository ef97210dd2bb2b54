/**
 * Found by a review of round 17's folding of statement parts, fixed since: a wire `type: null` keeps its wire meaning in a folded part (read as regulatory, unknown-value); issuers that differed are marked by `folded.issuersDiffered`, not by `type: null` (src/policy/apt-registry.ts foldInto, src/policy/statement.ts buildStatement).
 */
/**
 * Input: AptRegistry (src/policy/apt-registry.ts) gets ten unsigned parts of `apt-x`, one after
 * another, no two alike: first a body statement `{"id":"apt-x","type":null,"export":"raw"}` (an
 * application/aipref+json part, SPEC §2.2 — JSON null is a value a sender can put there), then
 * nine body parts `{"export":"raw","type":"user","n<i>":1}` (one extension member each, so each is
 * a new part). Past UNFOLDED_PARTS (8) the oldest are folded.
 *
 * Was: the statement's `type` is null ("issuers that differed") instead of `regulatory`. The
 * first part of a fold keeps its params as they came (`into = {...part, folded}` in foldOldest);
 * buildStatement then reads a wire `type: null` on a part that has `folded` set as the joint
 * reading null (statement.ts: `value === null && part.folded !== undefined`) — no unknown-value,
 * no regulatory floor — and foldInto carries that null into every later fold
 * (jointType(null, 'user') = null). Built from every part, the statement is `regulatory`
 * (the unknown issuer read as a floor, with an unknown-value finding). So the identifier moves
 * from the floor tier to the untyped tier (precedence.ts tierOf), and --explain names
 * `strictest-wins` where it said `regulatory-floor`.
 *
 * Correct: the fold must not change the statement (the fix's own claim; SPEC §3: an issuer the
 * enforcer cannot place is read most restrictively — `type=regulatory` here, as statement.ts
 * does for every unfolded part). Same as buildStatement over all ten parts.
 *
 * Fix: src/policy/apt-registry.ts foldOldest: when a part starts a fold (at < 0), normalise its
 * params as foldInto does (e.g. build its own statement and write `type` as read — 'regulatory'),
 * or mark the joint reading unambiguously (a `folded.jointType: true` flag, or a sentinel) instead
 * of overloading `type: null`, which a wire part can carry.
 */
import { describe, expect, it } from 'vitest';
import { AptRegistry } from '../../../src/policy/apt-registry.js';
import { buildStatement, type StatementPart } from '../../../src/policy/statement.js';

describe('a wire part saying type: null, folded', () => {
  it('keeps the statement built from every part (type regulatory)', () => {
    const parts: StatementPart[] = [{ prefId: 'apt-x', source: 'body', origin: 'frame 1', params: { type: null, export: 'raw' } }];
    for (let i = 2; i <= 10; i++) parts.push({ prefId: 'apt-x', source: 'body', origin: `frame ${i}`, params: { export: 'raw', type: 'user', [`n${i}`]: 1 } });
    const registry = new AptRegistry();
    for (const p of parts) registry.deliver(p);
    const reference = buildStatement('apt-x', parts).statement;
    expect(reference.type).toBe('regulatory');
    expect(registry.get('apt-x').type).toBe('regulatory');
    expect(registry.get('apt-x')).toEqual(reference);
  });
});
