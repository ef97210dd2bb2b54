/**
 * Found by a review of SDP and RTP binding, fixed since: an a=extmap with RFC 6904's encrypt URI is not the mid extension (src/signaling/sdp.ts midExtOf).
 *
 * Input: a BUNDLE call on RTP/SAVP (mids a, v at one address) whose a=extmap declares the mid
 *   header extension encrypted (RFC 6904 §4: `a=extmap:1 urn:ietf:params:rtp-hdrext:encrypt
 *   urn:ietf:params:rtp-hdrext:sdes:mid`), then an RTP packet of an SSRC no a=ssrc names whose
 *   element 1 holds the byte 'v' — on the wire that is SRTP ciphertext of whatever mid the
 *   sender meant (RFC 6904 §4.1: the element's value is encrypted with the SRTP keystream).
 * Was: sdp.ts midExtOf takes the line as the mid extension (sdp-transform puts the encrypt URI
 *   in its own field, `encrypt-uri`, and the mid URI in `uri`), and media-core reads the
 *   ciphertext as a mid: the stream is bound `via: rtp-mid` to m-section v (apt-v, raw export).
 *   With WebRTC's one-character mids ("0", "1", ...) a random ciphertext byte names a real
 *   m-section a few times in every thousand packets, moving the stream between m-sections.
 * Correct: an encrypted extension element's value is not the mid (RFC 6904 §4; the enforcer
 *   does not decrypt SRTP), so SPEC §2's mid route does not apply: the stream is not bound by
 *   `rtp-mid` (here it belongs to the dialog, as with no mid at all).
 * Fix: src/signaling/sdp.ts midExtOf: skip a=extmap lines whose `encrypt-uri` field is set
 *   (the mid extension declared encrypted gives no midExtId).
 */
import { afterAll, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000 });
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtp, sdp } from '../calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } } });

it('an RFC 6904 encrypted mid extension element is not read as the stream\'s mid', async () => {
  const ext = 'a=extmap:1 urn:ietf:params:rtp-hdrext:encrypt urn:ietf:params:rtp-hdrext:sdes:mid';
  const offer = sdp(A, [['m=audio 4000 RTP/SAVP 0', 'a=mid:a', 'a=rtcp-mux', ext, 'a=aipref:mid apt-a'], ['m=video 4000 RTP/SAVP 96', 'a=mid:v', 'a=rtcp-mux', ext, 'a=aipref:mid apt-v']], ['a=group:BUNDLE a v']);
  const answer = sdp(B, [['m=audio 5000 RTP/SAVP 0', 'a=mid:a', 'a=rtcp-mux', ext], ['m=video 5000 RTP/SAVP 96', 'a=mid:v', 'a=rtcp-mux', ext]], ['a=group:BUNDLE a v']);
  const r = await replay(ws, [...callSetup({ offer, answer }), rtp(B, A, 5000, 4000, 77, [{ id: 1, value: new TextEncoder().encode('v') }])], POL);
  const row = r.bindings.find((b) => b.ssrc === 77);
  expect(row?.via).not.toBe('rtp-mid');
  expect(row?.mid).toBeNull();
});
