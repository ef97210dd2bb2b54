/**
 * Found by a review of signed APTs (integrity=jws; SPEC §3, §9), fixed since: a policy reload verifies every signed part again against the new file (its revocations, keys, issuers; at the capture time it first came), a failure making the identifier an integrity failure (src/pipeline/signaling-front.ts updatePolicy, signedClaims).
 *
 * Input: policy file `{ keys: { k1: <EC P-256 JWK> } }`; an INVITE carrying
 *   AI-Pref: apt-x;integrity=jws;token=<ES256 JWS, kid k1, sub apt-x, jti j-1, export raw, type user>
 * and its 200 OK: apt-x is verified (sources [jws], export raw). Then a policy reload (live SIGHUP,
 * SignalingFront.updatePolicy) with a file that (a) revokes the token — `revoked: ["apt-x", "j-1"]` —
 * or (b) no longer trusts its key (no `keys` at all).
 *
 * Was: after either reload apt-x is still `{status: "resolved", export: "raw", sources: ["jws"]}`:
 * updatePolicy() re-delivers every remembered signed part (`signaled`, source jws) to the new
 * registry as it was verified under the old file, never checking it against the new file's
 * `revoked`, `keys` or `issuers`. Revoking a token, or withdrawing a compromised key, has no
 * effect on a statement already seen, for as long as the service runs.
 *
 * Correct: README (policy reload): the reloaded file applies "as if it had been there from the
 * start, for what comes from now on"; with `revoked: ["apt-x"]` (or without key k1) from the
 * start the token would have failed integrity. SPEC §3/§9 — an APT that fails integrity (bad
 * signature, expired, revoked) counts as the most restrictive statement and is reported; seed
 * §8 Security Considerations — validation of APT signatures includes revocation status. So from
 * the reload on apt-x is `integrity-failure` (export none).
 *
 * Fix: src/pipeline/signaling-front.ts — remember the signed claim (token, method, capture time)
 * with a verified jws part, and in updatePolicy() verify it again against the new file
 * (verifyAptToken) instead of re-delivering the part: a failure is markIntegrityFailure().
 */
import { readFile } from 'node:fs/promises';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../../src/pipeline/media-core.js';
import { SignalingFront } from '../../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { parseSipMessage } from '../../../src/signaling/sip-message.js';
import { sampleInviteAnswer } from '../../signaling/sip-fixtures.js';

const ctx = { frame: 1, ts: 1767225600, src: '10.1.0.1', dst: '10.2.0.1', sport: 5060, dport: 5060, transport: 'udp' as const };
let signer: CryptoKey;
let jwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signer = pair.privateKey;
  jwk = await exportJWK(pair.publicKey);
});

const token = () =>
  new SignJWT({ type: 'user', export: 'raw' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('apt-x').setJti('j-1').setIssuedAt(ctx.ts - 60).setExpirationTime(ctx.ts + 3600).sign(signer);

async function inviteWith(aiPref: string) {
  const text = (await readFile('samples/sip/invite-bundle.sip', 'utf8')).replace(/^AI-Pref: .*$/m, `AI-Pref: ${aiPref}`);
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
}

function lastSent(events: CoreEvent[], id: string) {
  const sent = events.flatMap((e) => (e.kind === 'statements' ? e.statements : [])).filter((s) => s.id === id);
  return sent[sent.length - 1];
}

async function verifiedCall(): Promise<SignalingFront> {
  const front = new SignalingFront(parsePolicy(JSON.stringify({ keys: { k1: jwk } }), 'p.json'));
  front.initialEvents();
  await front.message(await inviteWith(`apt-x;integrity=jws;token=${await token()}`), ctx);
  await front.message(await sampleInviteAnswer(), { ...ctx, frame: 2 });
  expect(lastSent(front.takeEvents(), 'apt-x')).toMatchObject({ status: 'resolved', export: 'raw', sources: ['jws'] });
  return front;
}

describe('a policy reload judges signed statements already seen by the new file', () => {
  it('a reloaded file that revokes the token makes its statement an integrity failure', async () => {
    const front = await verifiedCall();
    await front.updatePolicy(parsePolicy(JSON.stringify({ keys: { k1: jwk }, revoked: ['apt-x', 'j-1'] }), 'revoked.json'), 10, 3, ctx.ts + 10);
    const after = lastSent(front.takeEvents(), 'apt-x');
    expect(after).toMatchObject({ status: 'integrity-failure', export: 'none' });
  });

  it('a reloaded file that no longer trusts the signing key makes its statement an integrity failure', async () => {
    const front = await verifiedCall();
    await front.updatePolicy(parsePolicy(JSON.stringify({}), 'no-keys.json'), 10, 3, ctx.ts + 10);
    const after = lastSent(front.takeEvents(), 'apt-x');
    expect(after).toMatchObject({ status: 'integrity-failure', export: 'none' });
  });
});
