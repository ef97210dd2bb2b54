import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IntegrityTrust, verifyAptToken } from '../../src/policy/integrity.js';
import { parsePolicy } from '../../src/policy/policy-file.js';

const NOW = 1_800_000_000;

let trusted: { privateKey: CryptoKey; publicJwk: JWK };
let other: { privateKey: CryptoKey };
let pemSigner: { privateKey: CryptoKey; pem: string };

beforeAll(async () => {
  const a = await generateKeyPair('ES256');
  trusted = { privateKey: a.privateKey, publicJwk: await exportJWK(a.publicKey) };
  other = { privateKey: (await generateKeyPair('ES256')).privateKey };
  const b = await generateKeyPair('ES256');
  pemSigner = { privateKey: b.privateKey, pem: await exportSPKI(b.publicKey) };
});

interface TokenSpec {
  key?: 'trusted' | 'other' | 'pem';
  kid?: string | null;
  iss?: string;
  exp?: number;
  nbf?: number;
  jti?: string;
  /** the identifier the token speaks for; `apt-1` unless given, none with null */
  sub?: string | null;
  claims?: Record<string, unknown>;
}

async function token(spec: TokenSpec = {}): Promise<string> {
  const key = spec.key === 'other' ? other.privateKey : spec.key === 'pem' ? pemSigner.privateKey : trusted.privateKey;
  const kid = spec.kid === undefined ? (spec.key === 'pem' ? 'pem-1' : 'k1') : spec.kid;
  let jwt = new SignJWT({ type: 'user', export: 'aggregated-only', retention: '15m', ...spec.claims })
    .setProtectedHeader(kid === null ? { alg: 'ES256' } : { alg: 'ES256', kid })
    .setIssuer(spec.iss ?? 'https://prefs.example')
    .setIssuedAt(NOW - 60)
    .setExpirationTime(spec.exp ?? NOW + 3600);
  if (spec.nbf !== undefined) jwt = jwt.setNotBefore(spec.nbf);
  if (spec.jti !== undefined) jwt = jwt.setJti(spec.jti);
  if (spec.sub !== null) jwt = jwt.setSubject(spec.sub ?? 'apt-1');
  return jwt.sign(key);
}

function trust(extra: Record<string, unknown> = {}): IntegrityTrust {
  return parsePolicy(
    JSON.stringify({
      keys: { k1: trusted.publicJwk, 'pem-1': pemSigner.pem },
      issuers: ['https://prefs.example'],
      revoked: ['apt-revoked', 'jti-revoked'],
      ...extra,
    }),
    'p.json',
  );
}

describe('verifyAptToken', () => {
  it('a good token verifies and yields its statement as a part', async () => {
    const result = await verifyAptToken(await token({ claims: { 'ai-train': 'n' } }), 'apt-1', trust(), { atSec: NOW });
    expect(result.status).toBe('verified');
    if (result.status !== 'verified') return;
    expect(result.kid).toBe('k1');
    expect(result.part).toEqual({
      prefId: 'apt-1',
      source: 'jws',
      origin: 'k1',
      params: { type: 'user', export: 'aggregated-only', retention: '15m', 'ai-train': 'n' },
    });
  });

  it('a token signed for another identifier does not speak for this one', async () => {
    const forMine = await token({ sub: 'apt-mine', claims: { version: 50, export: 'raw' } });
    expect(await verifyAptToken(forMine, 'apt-op', trust(), { atSec: NOW })).toMatchObject({
      status: 'integrity-failure',
      prefId: 'apt-op',
      reason: 'identifier-mismatch',
      detail: 'token is for apt-mine (sub claim), not apt-op',
    });
    expect(await verifyAptToken(forMine, 'apt-mine', trust(), { atSec: NOW })).toMatchObject({ status: 'verified', part: { prefId: 'apt-mine', params: { version: 50, export: 'raw' } } });
  });

  it('a token naming no identifier is refused for a pref-id', async () => {
    expect(await verifyAptToken(await token({ sub: null }), 'apt-1', trust(), { atSec: NOW })).toMatchObject({ status: 'integrity-failure', reason: 'identifier-mismatch' });
  });

  it('a token that is itself the pref-id names itself, whatever its subject', async () => {
    for (const sub of [null, 'apt-mine']) {
      const jwt = await token({ sub });
      expect(await verifyAptToken(jwt, jwt, trust(), { atSec: NOW })).toMatchObject({ status: 'verified', prefId: jwt, part: { prefId: jwt } });
    }
  });

  it('a PEM key from the policy file verifies too', async () => {
    const result = await verifyAptToken(await token({ key: 'pem' }), 'apt-1', trust(), { atSec: NOW });
    expect(result.status).toBe('verified');
  });

  it.each([
    ['bad signature', { key: 'other' } as TokenSpec, 'bad-signature'],
    ['expired', { exp: NOW - 1 } as TokenSpec, 'expired'],
    ['not yet valid', { nbf: NOW + 600 } as TokenSpec, 'not-yet-valid'],
    ['unknown key id', { kid: 'k9' } as TokenSpec, 'unknown-key'],
    ['no kid with several trusted keys', { kid: null } as TokenSpec, 'unknown-key'],
    ['issuer not allowed', { iss: 'https://evil.example' } as TokenSpec, 'issuer-not-allowed'],
    ['revoked jti', { jti: 'jti-revoked' } as TokenSpec, 'revoked'],
  ])('%s → integrity-failure %s', async (_name, spec, reason) => {
    const result = await verifyAptToken(await token(spec), 'apt-1', trust(), { atSec: NOW });
    expect(result).toMatchObject({ status: 'integrity-failure', prefId: 'apt-1', reason });
  });

  it('a revoked pref-id fails whatever the token', async () => {
    const result = await verifyAptToken(await token(), 'apt-revoked', trust(), { atSec: NOW });
    expect(result).toMatchObject({ status: 'integrity-failure', reason: 'revoked' });
  });

  it('judges time at the capture time, not the wall clock', async () => {
    const jwt = await token({ exp: NOW + 10 });
    expect((await verifyAptToken(jwt, 'apt-1', trust(), { atSec: NOW })).status).toBe('verified');
    expect((await verifyAptToken(jwt, 'apt-1', trust(), { atSec: NOW + 11 })).status).toBe('integrity-failure');
  });

  it.each([
    ['garbage', 'not.a.jws', 'malformed'],
    ['empty', '', 'malformed'],
  ])('%s → malformed', async (_name, text, reason) => {
    expect(await verifyAptToken(text, 'apt-1', trust(), { atSec: NOW })).toMatchObject({ status: 'integrity-failure', reason });
  });

  it('refuses methods other than jws', async () => {
    expect(await verifyAptToken(await token(), 'apt-1', trust(), { atSec: NOW, method: 'cose' })).toMatchObject({ reason: 'unsupported-method' });
  });

  it('a key pinned to another algorithm is not used', async () => {
    const pinned = trust({ keys: { k1: { ...trusted.publicJwk, alg: 'ES384' } } });
    expect(await verifyAptToken(await token(), 'apt-1', pinned, { atSec: NOW })).toMatchObject({ reason: 'algorithm-not-allowed' });
  });

  it('with no issuer allow-list any trusted issuer passes; with one key a token may omit kid', async () => {
    const single = parsePolicy(JSON.stringify({ keys: { only: trusted.publicJwk } }), 'p.json');
    const result = await verifyAptToken(await token({ kid: null, iss: 'https://anyone.example' }), 'apt-1', single, { atSec: NOW });
    expect(result).toMatchObject({ status: 'verified', kid: 'only' });
  });
});
