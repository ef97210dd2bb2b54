/**
 * Found by a review of signed APTs (integrity=jws; SPEC §3, §9), fixed since: a revoked compact JWS is known by its signing input (header.payload), not its spelling (src/policy/integrity.ts revokedSigningInputs).
 *
 * Input: policy file trusting one EC P-256 key (k1) and revoking a token that is itself a
 * pref-id (`revoked: ["<T>"]`, T = an ES256 compact JWS, kid k1, sub apt-1, no jti — README:
 * `revoked` lists pref-ids and JWT ids, and "a token that is itself the quoted pref-id names
 * itself"). The caller then presents T' = T with the last character of its signature segment
 * changed in the 4 bits base64url does not use (86 characters carry 64 bytes: the last one holds
 * 2 bits of data) — e.g. `AI-Pref: "<T'>";integrity=jws`. T' still matches the compact-JWS
 * pattern (signaling-front COMPACT_JWS) and decodes to the very same signature bytes.
 *
 * Was: verifyAptToken(T', T', trust) → status "verified" (export raw): the revocation check
 * compares the presented string with the `revoked` entries (`trust.revoked.has(prefId)`), and
 * jose (on Node 20, atob) accepts non-canonical base64url, so T' is a "new" identifier signed by
 * a trusted key. (ECDSA's own malleability — s replaced by n−s — gives another variant with no
 * base64 trick at all, so canonical decoding alone does not close it.)
 *
 * Correct: SPEC §3 — an APT that fails integrity (bad signature, expired, revoked) counts as the
 * most restrictive statement; seed §8: validation includes revocation status. T' is the same
 * signed statement as the revoked T (same protected header, same payload, same signature
 * bytes): it must fail as `revoked`, not verify.
 *
 * Fix: src/policy/integrity.ts verifyAptToken() — for a revoked entry that is a compact JWS,
 * compare on its signing input (the first two segments, `header.payload`), which the signature
 * fixes, not on the whole string; e.g. also test `trust.revoked` against
 * `token.split('.').slice(0, 2).join('.')` with revoked entries indexed the same way.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAptToken } from '../../../src/policy/integrity.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';

const NOW = 1_800_000_000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function es256(payload: object): string {
  const input = `${b64({ alg: 'ES256', kid: 'k1' })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** The same token with the unused low bit of the signature's last base64url character flipped. */
function spareBitVariant(token: string): string {
  const last = token[token.length - 1]!;
  return token.slice(0, -1) + ALPHABET[ALPHABET.indexOf(last) ^ 1]!;
}

describe('a revoked token presented as its own pref-id', () => {
  const revokedToken = es256({ sub: 'apt-1', type: 'user', export: 'raw', exp: NOW + 3600 });
  const trust = parsePolicy(JSON.stringify({ keys: { k1: ec.publicKey.export({ format: 'jwk' }) }, revoked: [revokedToken] }), 'p.json');

  it('control: the revoked token itself fails as revoked', async () => {
    expect(await verifyAptToken(revokedToken, revokedToken, trust, { atSec: NOW })).toMatchObject({ status: 'integrity-failure', reason: 'revoked' });
  });

  it('a variant whose signature decodes to the same bytes is the same revoked token', async () => {
    const variant = spareBitVariant(revokedToken);
    expect(variant).not.toBe(revokedToken);
    expect(variant).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(Buffer.from(variant.split('.')[2]!, 'base64url')).toEqual(Buffer.from(revokedToken.split('.')[2]!, 'base64url'));
    const result = await verifyAptToken(variant, variant, trust, { atSec: NOW });
    expect(result).toMatchObject({ status: 'integrity-failure', reason: 'revoked' });
  });
});
