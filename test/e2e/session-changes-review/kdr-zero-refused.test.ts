/**
 * Found by a review of this session's SDES, KDR, NDJSON, vocabulary and contract changes, fixed since: KDR=0 is a single derivation, as no KDR is (src/media/srtcp.ts keyDerivationRate).
 */
/**
 * Review of 24bcf33 (SRTCP KDR): `KDR=0` now makes a working a=crypto line unusable.
 *
 * Input: an a=crypto key (AES_CM_128_HMAC_SHA1_80) whose line carries the session parameter
 * `KDR=0`, and an SRTCP compound protected with it at SRTCP index 5000 by werift (which derives
 * once, r = 0: RFC 3711 key_derivation_rate 0).
 *
 * Was: deriveSrtcpKeys refuses the key ("a bad session parameter KDR=0 (RFC 4568 §6.3.1: KDR=1
 * to KDR=24, once)"); the m-section has no usable key, every SRTCP compound of the call is
 * undecryptable and its telemetry lost. Before 24bcf33 the session parameters were ignored and
 * this very line decrypted (KDR=0 and no KDR derive the same keys).
 *
 * Correct: RFC 3711 §4.3.1 defines key_derivation_rate 0 as "derive once" — exactly what the
 * enforcer does for a line without KDR. RFC 4568 §6.3.1's prose lists 1..24, but its own ABNF
 * (§9.2, `kdr = "KDR=" 1*2(DIGIT) ; range 0..24, power of two`) admits 0, and stacks emit it:
 * sdes4j (the SDES library of Jitsi) encodes and accepts KDR=0 ("kdr must be in range 0..24
 * inclusive"). The enforcer is a passive observer of a call the peers already agreed on (the
 * answer carries the line): refusing a parameter whose every reading means "keys derived once"
 * loses the call's telemetry and protects nothing. Read KDR=0 as no re-derivation.
 *
 * Fix: src/media/srtcp.ts keyDerivationRate: accept `KDR=0` (treat as null: no rederived state),
 * keep refusing 25+ and non-numbers.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { decryptSrtcp, deriveSrtcpKeys } from '../../../src/media/srtcp.js';
import { plainCompound, srtcpAt } from './srtcp-helpers.js';

it('a line with KDR=0 decrypts as a line without KDR', () => {
  const key = randomBytes(16);
  const salt = randomBytes(14);
  const plain = plainCompound(4242, 7);
  const packet = srtcpAt(plain, key, salt, null, 5000);
  const keys = deriveSrtcpKeys({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: `inline:${Buffer.concat([key, salt]).toString('base64')}`, sessionParams: ['KDR=0'] });
  expect(typeof keys === 'string' ? keys : 'usable').toBe('usable');
  if (typeof keys === 'string') return;
  const out = decryptSrtcp(packet, 0, packet.length, [keys]);
  expect(typeof out === 'string' ? out : Buffer.from(out).equals(plain)).toBe(true);
});
