/**
 * Found by a review of signed APTs (integrity=jws; SPEC §2, §3), fixed since: a signed value's own export/features/retention are merged as an unsigned part once the token verifies (src/pipeline/signaling-front.ts inlineRestriction), for header values, a=aipref lines and body statements. The SPEC reading
 * The SPEC reading here is the reviewer's (see Correct).
 *
 * Input: policy file `{ keys: { k1: <EC P-256 JWK> } }`; an INVITE (and its 200 OK) whose header
 * value carries a restriction inline beside a good signature:
 *   AI-Pref: apt-x;export=none;integrity=jws;token=<ES256 JWS, kid k1, sub apt-x: type user, export raw>
 * Control: the same restriction as a separate value of the same header,
 *   AI-Pref: apt-x;export=none, apt-x;integrity=jws;token=<same token>
 *
 * Was: control → apt-x export none (the unsigned part merges, strictest wins); inline → apt-x
 * `{status: "resolved", export: "raw", sources: ["jws"]}`: deliverHeaderValuesInTurn() (and
 * deliverBodyParts()' claim() for a=aipref lines and body statements) sends a value carrying
 * integrity= to verify() only and drops every other parameter of it, so an `export=none` the
 * wire states for apt-x is lost and the telemetry leaves raw.
 *
 * Correct: SPEC §3 — all statements about one identifier combine, the most restrictive value of
 * each key winning (README: "all parts about one pref-id (header, SDP, body, policy file,
 * verified JWS) merge"); SPEC §2.1 lists `export=` among a value's parameters. An unsigned part
 * can only restrict a signed one (an unsigned version replaces no vouched-for part; a type
 * disagreement only takes the issuer away), so the inline `export=none` must hold: apt-x is
 * export none, as in the control. Where the value sits (same value or a separate one) must not
 * decide whether a restriction counts.
 *
 * Fix: src/pipeline/signaling-front.ts — deliverHeaderValuesInTurn(): after verify() succeeds,
 * also deliver the value's own statement parameters (headerValueParams without integrity/token)
 * as an unsigned `ai-pref-header` part when it has any; likewise for a signed a=aipref line or
 * body statement in deliverBodyParts() (source sdp-aipref / body, token dropped).
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

const token = () => new SignJWT({ type: 'user', export: 'raw' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('apt-x').setIssuedAt(ctx.ts - 60).setExpirationTime(ctx.ts + 3600).sign(signer);

async function inviteWith(aiPref: string) {
  const text = (await readFile('samples/sip/invite-bundle.sip', 'utf8')).replace(/^AI-Pref: .*$/m, `AI-Pref: ${aiPref}`);
  const bytes = new TextEncoder().encode(text);
  return parseSipMessage(bytes, 0, bytes.length);
}

async function statementOf(aiPref: string) {
  const front = new SignalingFront(parsePolicy(JSON.stringify({ keys: { k1: jwk } }), 'p.json'));
  front.initialEvents();
  await front.message(await inviteWith(aiPref), ctx);
  await front.message(await sampleInviteAnswer(), { ...ctx, frame: 2 });
  const sent = front.takeEvents().flatMap((e: CoreEvent) => (e.kind === 'statements' ? e.statements : [])).filter((s) => s.id === 'apt-x');
  return sent[sent.length - 1];
}

describe('an inline restriction on a signed AI-Pref value', () => {
  it('control: as a separate value of the header it holds', async () => {
    expect(await statementOf(`apt-x;export=none, apt-x;integrity=jws;token=${await token()}`)).toMatchObject({ status: 'resolved', export: 'none' });
  });

  it('on the signed value itself it holds too', async () => {
    expect(await statementOf(`apt-x;export=none;integrity=jws;token=${await token()}`)).toMatchObject({ status: 'resolved', export: 'none' });
  });
});
