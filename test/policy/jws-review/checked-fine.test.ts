/**
 * jws-review: what was checked about signed APTs (integrity=jws, SPEC §3/§9) and came out fine.
 * Each token is built by hand with node:crypto, so headers jose would refuse to sign can be tried.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAptToken } from '../../../src/policy/integrity.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';

const NOW = 1_800_000_000;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const evil = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string;
const claims = { sub: 'apt-1', type: 'user', export: 'raw', exp: NOW + 60 };

function es256(header: object, payload: unknown = claims, key: KeyObject = ec.privateKey): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const trust = (extra: Record<string, unknown> = {}) =>
  parsePolicy(JSON.stringify({ keys: { k1: ec.publicKey.export({ format: 'jwk' }), k2: ec2.publicKey.export({ format: 'jwk' }), r1: rsaPem }, ...extra }), 'p.json');
const verify = (token: string, t = trust()) => verifyAptToken(token, 'apt-1', t, { atSec: NOW });

describe('signed APTs: attacks that are refused', () => {
  it('control: a good ES256 token by a trusted key verifies', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }))).toMatchObject({ status: 'verified', kid: 'k1', part: { source: 'jws', params: { export: 'raw' } } });
  });

  it('alg none (unsecured JWS, empty signature) is refused', async () => {
    expect(await verify(`${b64({ alg: 'none', kid: 'k1' })}.${b64(claims)}.`)).toMatchObject({ status: 'integrity-failure', reason: 'algorithm-not-allowed' });
    expect(await verify(`${b64({ alg: 'none' })}.${b64(claims)}.`)).toMatchObject({ status: 'integrity-failure' });
  });

  it('algorithm confusion: HS256 keyed with the trusted RSA PEM bytes is refused', async () => {
    const input = `${b64({ alg: 'HS256', kid: 'r1' })}.${b64(claims)}`;
    const token = `${input}.${createHmac('sha256', rsaPem).update(input).digest('base64url')}`;
    expect(await verify(token)).toMatchObject({ status: 'integrity-failure', reason: 'algorithm-not-allowed' });
  });

  it('an RS256 token against an EC key (kid of the EC key) is refused', async () => {
    const input = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}`;
    expect(await verify(`${input}.${sign('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`)).toMatchObject({ status: 'integrity-failure' });
  });

  it('a kid naming one trusted key, signed by another trusted key: no fallback, bad signature', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, claims, ec2.privateKey))).toMatchObject({ status: 'integrity-failure', reason: 'bad-signature' });
  });

  it('no kid with several trusted keys is refused (no key tried by guess)', async () => {
    expect(await verify(es256({ alg: 'ES256' }))).toMatchObject({ status: 'integrity-failure', reason: 'unknown-key' });
  });

  it('an embedded jwk header (attacker key) is ignored: the trusted key decides', async () => {
    const token = es256({ alg: 'ES256', kid: 'k1', jwk: evil.publicKey.export({ format: 'jwk' }) }, claims, evil.privateKey);
    expect(await verify(token)).toMatchObject({ status: 'integrity-failure', reason: 'bad-signature' });
    const noKid = es256({ alg: 'ES256', jwk: evil.publicKey.export({ format: 'jwk' }) }, claims, evil.privateKey);
    expect(await verify(noKid, parsePolicy(JSON.stringify({ keys: { k1: ec.publicKey.export({ format: 'jwk' }) } }), 'p.json'))).toMatchObject({ status: 'integrity-failure', reason: 'bad-signature' });
  });

  it('jku / x5u headers with an unknown kid: unknown key, nothing fetched', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'evil', jku: 'https://evil.example/jwks', x5u: 'https://evil.example/cert' }, claims, evil.privateKey))).toMatchObject({
      status: 'integrity-failure',
      reason: 'unknown-key',
    });
  });

  it('a kid that is an Object.prototype name selects no key', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: '__proto__' }))).toMatchObject({ status: 'integrity-failure', reason: 'unknown-key' });
    expect(await verify(es256({ alg: 'ES256', kid: 'constructor' }))).toMatchObject({ status: 'integrity-failure', reason: 'unknown-key' });
  });

  it('crit naming an extension not understood is refused (RFC 7515 §4.1.11)', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'k1', crit: ['x-must'], 'x-must': 1 }))).toMatchObject({ status: 'integrity-failure' });
  });

  it('b64:false (RFC 7797 unencoded payload) is refused', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'k1', crit: ['b64'], b64: false }))).toMatchObject({ status: 'integrity-failure' });
  });

  it('JWS JSON serialization is refused (compact only)', async () => {
    const compact = es256({ alg: 'ES256', kid: 'k1' });
    const [p, payload, s] = compact.split('.');
    expect(await verify(JSON.stringify({ protected: p, payload, signature: s }))).toMatchObject({ status: 'integrity-failure', reason: 'malformed' });
  });

  it('a payload that is no JSON object is refused', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, [claims]))).toMatchObject({ status: 'integrity-failure' });
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, 'export=raw'))).toMatchObject({ status: 'integrity-failure' });
  });

  it('a changed payload byte breaks the signature', async () => {
    const [h, , s] = es256({ alg: 'ES256', kid: 'k1' }).split('.');
    expect(await verify(`${h}.${b64({ ...claims, export: 'raw', retention: '1y' })}.${s}`)).toMatchObject({ status: 'integrity-failure', reason: 'bad-signature' });
  });

  it('expired at the capture time and not yet valid are refused; with an issuer list a missing iss is refused', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, { ...claims, exp: NOW - 1 }))).toMatchObject({ status: 'integrity-failure', reason: 'expired' });
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, { ...claims, nbf: NOW + 60 }))).toMatchObject({ status: 'integrity-failure', reason: 'not-yet-valid' });
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }), trust({ issuers: ['https://prefs.example'] }))).toMatchObject({ status: 'integrity-failure', reason: 'issuer-not-allowed' });
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, { ...claims, iss: 'https://prefs.example' }), trust({ issuers: [] }))).toMatchObject({ status: 'integrity-failure' });
  });

  it('a private JWK or a symmetric (oct) JWK in the policy file is never used to verify', async () => {
    const priv = parsePolicy(JSON.stringify({ keys: { k1: ec.privateKey.export({ format: 'jwk' }) } }), 'p.json');
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }), priv)).toMatchObject({ status: 'integrity-failure', reason: 'algorithm-not-allowed' });
    const oct = parsePolicy(JSON.stringify({ keys: { k1: { kty: 'oct', k: b64('secret') } } }), 'p.json');
    const input = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims)}`;
    expect(await verify(`${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`, oct)).toMatchObject({ status: 'integrity-failure', reason: 'algorithm-not-allowed' });
  });

  it('a token signed for another identifier, or for none, does not speak for apt-1; a revoked jti is refused', async () => {
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, { ...claims, sub: 'apt-2' }))).toMatchObject({ status: 'integrity-failure', reason: 'identifier-mismatch' });
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, { type: 'user', export: 'raw', exp: NOW + 60 }))).toMatchObject({ status: 'integrity-failure', reason: 'identifier-mismatch' });
    expect(await verify(es256({ alg: 'ES256', kid: 'k1' }, { ...claims, jti: 'j-9' }), trust({ revoked: ['j-9'] }))).toMatchObject({ status: 'integrity-failure', reason: 'revoked' });
  });

  it('registered claims and binding keys do not become statement keys', async () => {
    const r = await verify(es256({ alg: 'ES256', kid: 'k1' }, { ...claims, iat: NOW - 5, jti: 'j', aud: 'x' }));
    expect(r.status).toBe('verified');
    if (r.status === 'verified') expect(Object.keys(r.part.params).sort()).toEqual(['export', 'type']);
  });
});
