/**
 * Found by a review of HEP framing, fixed since: the auth key chunk is compared as its bytes (src/sources/hep.ts authKeyBytes; src/sources/hep-listener.ts sameKey).
 */
// Input: `live --hep-auth-key k1`; one HEPv3 UDP frame whose auth key chunk (0x000e) holds the bytes
//   EF BB BF 6B 31 (a UTF-8 BOM, then "k1") — not the configured key's bytes 6B 31.
// Was: accepted and handed on as SIP (kind="hep:sip" 1, kind="auth-rejected" 0): decodeHep reads
//   chunk 14 with TextDecoder, which strips a leading BOM, so "\uFEFFk1" compares equal to "k1"
//   (likewise any invalid UTF-8 byte becomes U+FFFD before the compare).
// Correct: the auth key is an octet string compared as sent; a key whose bytes differ is
//   counted auth-rejected and dropped (hep-listener.ts HepListenerOptions.authKey: "frames whose auth
//   key (chunk 14) differs are counted and dropped"; HEP3 spec chunk 0x000e "authenticate key").
// Fix: src/sources/hep.ts decodeHep (keep chunk 14 as bytes, or TextDecoder({ignoreBOM: true, fatal: true}))
//   and src/sources/hep-listener.ts sameKey (compare the raw bytes with Buffer.from(key)).
import { afterAll, expect, it } from 'vitest';
import { HepLive, sipFrame } from './framing-helpers.js';

let h: HepLive | undefined;
afterAll(async () => {
  await h?.live.terminate();
});

it('an auth key "\\uFEFFk1" (BOM + k1) is not the key "k1": counted auth-rejected, not handed on', async () => {
  h = await HepLive.start(['--hep-auth-key', 'k1']);
  const frame = sipFrame({ authKey: '\uFEFFk1' });
  // the chunk really carries the BOM bytes
  expect(Buffer.from(frame).includes(Buffer.from([0xef, 0xbb, 0xbf, 0x6b, 0x31]))).toBe(true);
  await h.udp([frame]);
  await h.until('received', 1);
  await new Promise((r) => setTimeout(r, 200));
  expect({ rejected: await h.kind('auth-rejected'), sip: await h.kind('hep:sip') }).toEqual({ rejected: 1, sip: 0 });
}, 30_000);
