/**
 * Found by a review of this session's SDES, KDR, NDJSON, vocabulary and contract changes, fixed since: the a=crypto reader takes spaces or tabs between fields (src/signaling/sdp.ts CRYPTO_LINE, ACAP_CRYPTO).
 */
/**
 * Review of 24bcf33 (SRTCP KDR): a KDR parameter after a TAB is silently dropped.
 *
 * Input: SDP `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<key||salt><TAB>KDR=3`, and an SRTCP
 * compound its sender protects at SRTCP index 9 (r = 9 DIV 2^3 = 1: keys derived again).
 *
 * Was: the new CRYPTO_LINE (src/signaling/sdp.ts, `(\S*)(?: (.*))?`) wants exactly one SPACE
 * before the session parameters: after a tab it stops, the line is read with no session
 * parameter, the key derives once (r = 0), and every compound from index 8 on fails its tag
 * ("no a=crypto key authenticates it") — the telemetry of the rest of the call is lost, with no
 * word that KDR was ignored. (Two spaces between tag and suite likewise shift every field:
 * suite '', keyParams = the suite name.)
 *
 * Correct: RFC 4568 §9.2: `crypto-attribute = "crypto:" tag 1*WSP crypto-suite 1*WSP key-params
 * *(1*WSP session-param)`, WSP = SP / HTAB (RFC 5234 B.1): a tab separates the fields as a space
 * does. The line's KDR=3 holds and the compound at index 9 decrypts.
 *
 * Fix: src/signaling/sdp.ts CRYPTO_LINE (and ACAP_CRYPTO): `^crypto:(\d*)[ \t]+([\w_]*)[ \t]+(\S*)(?:[ \t]+(.*))?`
 * (the sessionParams split on /\s+/ already takes tabs).
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { decryptSrtcp, deriveSrtcpKeys } from '../../../src/media/srtcp.js';
import { parseSdp } from '../../../src/signaling/sdp.js';
import { plainCompound, sdpWith, srtcpAt } from './srtcp-helpers.js';

it('KDR=3 after a tab is read, and index 9 (r = 1) decrypts', () => {
  const key = randomBytes(16);
  const salt = randomBytes(14);
  const inline = `inline:${Buffer.concat([key, salt]).toString('base64')}`;
  const crypto = parseSdp(sdpWith(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${inline}\tKDR=3`)).sdp.media[0]!.crypto;
  expect(crypto).toEqual([{ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: inline, sessionParams: ['KDR=3'] }]);
  const keys = deriveSrtcpKeys({ suite: crypto[0]!.suite, keyParams: crypto[0]!.keyParams, ...(crypto[0]!.sessionParams && { sessionParams: crypto[0]!.sessionParams }) });
  if (typeof keys === 'string') throw new Error(keys);
  const plain = plainCompound(5150, 9);
  const packet = srtcpAt(plain, key, salt, 3, 9);
  const out = decryptSrtcp(packet, 0, packet.length, [keys]);
  expect(typeof out === 'string' ? out : Buffer.from(out).equals(plain)).toBe(true);
});
