/**
 * Integrity of APTs carried as compact JWS (`integrity=jws`, seed §3 and §9: issuer
 * authentication, expiration, revocation). A token that does not verify must not be able to
 * relax anything, so every failure is a result (`integrity-failure` with a reason) that the
 * caller records as the most restrictive statement — never an exception that could be lost.
 *
 * The token's claims carry the statement flat (`export`, `features`, `retention`, `type`,
 * `version`, `policy`, extension keys); registered JWT claims are not statement keys.
 *
 * A token speaks for one identifier (seed §4: every binding references the same canonical APT
 * identifier): presented for a pref-id (`apt-op;integrity=jws;token=…`), it must name that
 * pref-id as its subject (`sub`), or a token signed for another identifier — or for none —
 * could replace the pref-id's statement. A token that is itself the (quoted) pref-id names
 * itself: its statement is held under the token and speaks for nothing else.
 */
import { errors, importJWK, importSPKI, importX509, type JWK, type JWTPayload, jwtVerify, type CryptoKey } from 'jose';
import type { TrustedKey } from './policy-file.js';
import type { StatementPart } from './statement.js';
import { setOwn } from './own-property.js';

export interface IntegrityTrust {
  keys: ReadonlyMap<string, TrustedKey>;
  /** `null`: any issuer whose key is trusted */
  issuers: readonly string[] | null;
  /** revoked pref-ids and JWT ids */
  revoked: ReadonlySet<string>;
}

export type IntegrityFailureReason =
  | 'unsupported-method'
  | 'malformed'
  | 'unknown-key'
  | 'algorithm-not-allowed'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'issuer-not-allowed'
  | 'revoked'
  /** the token's subject is not the pref-id it was presented for, or it names none */
  | 'identifier-mismatch';

export type IntegrityResult =
  | { status: 'verified'; prefId: string; kid: string | null; part: StatementPart; claims: JWTPayload }
  | { status: 'integrity-failure'; prefId: string; reason: IntegrityFailureReason; detail: string };

export interface VerifyOptions {
  /** the time to judge exp/nbf at, seconds since the epoch: the capture time when replaying */
  atSec?: number;
  clockToleranceSec?: number;
  /** the `integrity=` parameter as signaled; only `jws` is understood */
  method?: string;
}

/** Asymmetric algorithms only: a policy file holds public keys, never shared secrets. */
const ALLOWED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'];
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);

export async function verifyAptToken(token: string, prefId: string, trust: IntegrityTrust, options: VerifyOptions = {}): Promise<IntegrityResult> {
  const fail = (reason: IntegrityFailureReason, detail: string): IntegrityResult => ({ status: 'integrity-failure', prefId, reason, detail });
  const method = (options.method ?? 'jws').toLowerCase();
  if (method !== 'jws') return fail('unsupported-method', `integrity=${method} is not supported`);
  if (trust.revoked.has(prefId)) return fail('revoked', `pref-id ${prefId} is revoked`);
  // a revoked token is known by what it signs (header.payload): its signature's encoding is
  // malleable (unused bits of the last base64url character, '=' padding; an ECDSA s → n − s),
  // so a copy spelled otherwise still verifies and was not the revoked string
  const revokedInputs = revokedSigningInputs(trust.revoked);
  if (revokedInputs.size > 0) {
    for (const t of token === prefId ? [token] : [token, prefId]) {
      const input = signingInputOf(t.trim());
      if (input !== null && revokedInputs.has(input)) return fail('revoked', 'the token is revoked');
    }
  }

  let usedKid: string | null = null;
  try {
    const { payload } = await jwtVerify(
      token.trim(),
      async (header) => {
        const alg = header.alg;
        if (alg === undefined || !ALLOWED_ALGORITHMS.includes(alg)) throw new errors.JOSEAlgNotAllowed(`algorithm ${String(alg)} is not allowed`);
        const kid = header.kid ?? (trust.keys.size === 1 ? [...trust.keys.keys()][0]! : undefined);
        const key = kid === undefined ? undefined : trust.keys.get(kid);
        if (kid === undefined || key === undefined) throw new UnknownKey(header.kid);
        usedKid = kid;
        return importTrustedKey(key, alg);
      },
      {
        algorithms: ALLOWED_ALGORITHMS,
        currentDate: options.atSec === undefined ? undefined : new Date(options.atSec * 1000),
        clockTolerance: options.clockToleranceSec ?? 0,
        ...(trust.issuers === null ? {} : { issuer: [...trust.issuers] }),
      },
    );
    // jose compares exp with the whole seconds of the time: a fractional exp (RFC 7519 §2) passed is expired all the same
    if (typeof payload.exp === 'number' && options.atSec !== undefined && options.atSec >= payload.exp + (options.clockToleranceSec ?? 0)) return fail('expired', 'token has expired');
    if (typeof payload.jti === 'string' && trust.revoked.has(payload.jti)) return fail('revoked', `token id ${payload.jti} is revoked`);
    if (typeof payload.sub === 'string' && trust.revoked.has(payload.sub)) return fail('revoked', `subject ${payload.sub} is revoked`);
    if (token !== prefId) {
      if (typeof payload.sub !== 'string') return fail('identifier-mismatch', `token names no identifier (sub claim), so it cannot speak for ${prefId}`);
      if (payload.sub !== prefId) return fail('identifier-mismatch', `token is for ${payload.sub.slice(0, 200)} (sub claim), not ${prefId}`);
    }
    return { status: 'verified', prefId, kid: usedKid, part: { prefId, source: 'jws', origin: usedKid ?? undefined, params: statementClaims(payload) }, claims: payload };
  } catch (error) {
    return classify(error, fail);
  }
}

class UnknownKey extends Error {
  constructor(kid: string | undefined) {
    super(kid === undefined ? 'token names no key id and the policy trusts several keys' : `key id ${kid} is not trusted`);
  }
}

async function importTrustedKey(key: TrustedKey, alg: string): Promise<CryptoKey> {
  if (typeof key === 'string') {
    return key.includes('BEGIN CERTIFICATE') ? importX509(key, alg) : importSPKI(key, alg);
  }
  const jwk = key as JWK;
  // A key pinned to one algorithm must not be used with another (algorithm confusion).
  if (typeof jwk.alg === 'string' && jwk.alg !== alg) throw new errors.JOSEAlgNotAllowed(`key is for ${jwk.alg}, token uses ${alg}`);
  if (typeof jwk.d === 'string') throw new errors.JOSEAlgNotAllowed('a private key in the policy file is refused');
  const imported = await importJWK(jwk, alg);
  if (imported instanceof Uint8Array) throw new errors.JOSEAlgNotAllowed('symmetric keys are not accepted');
  return imported;
}

function statementClaims(payload: JWTPayload): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  // setOwn: a `__proto__` claim is kept as a key, not made the object's prototype
  for (const [name, value] of Object.entries(payload)) if (!REGISTERED_CLAIMS.has(name)) setOwn(params, name, value);
  return params;
}

function classify(error: unknown, fail: (reason: IntegrityFailureReason, detail: string) => IntegrityResult): IntegrityResult {
  if (error instanceof UnknownKey) return fail('unknown-key', error.message);
  if (error instanceof errors.JWTExpired) return fail('expired', 'token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return fail('not-yet-valid', 'token is not yet valid');
    if (error.claim === 'iss') return fail('issuer-not-allowed', 'token issuer is not in the allow-list');
    return fail('malformed', `claim ${error.claim} failed: ${error.reason}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return fail('bad-signature', 'signature does not verify');
  if (error instanceof errors.JOSEAlgNotAllowed) return fail('algorithm-not-allowed', error.message);
  const message = error instanceof Error ? error.message : String(error);
  return fail('malformed', message.replace(/\s+/g, ' ').slice(0, 200));
}

/** A compact JWS's signing input (its header and payload segments), or null for another form. */
function signingInputOf(token: string): string | null {
  const m = /^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\.[A-Za-z0-9_=-]*$/.exec(token);
  return m === null ? null : m[1]!;
}

/** The signing inputs of the compact JWS tokens a revoked list names, made once per list. */
function revokedSigningInputs(revoked: ReadonlySet<string>): ReadonlySet<string> {
  let inputs = revokedInputsMemo.get(revoked);
  if (inputs === undefined) {
    const made = new Set<string>();
    for (const r of revoked) {
      const input = signingInputOf(r.trim());
      if (input !== null) made.add(input);
    }
    revokedInputsMemo.set(revoked, (inputs = made));
  }
  return inputs;
}

const revokedInputsMemo = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();
