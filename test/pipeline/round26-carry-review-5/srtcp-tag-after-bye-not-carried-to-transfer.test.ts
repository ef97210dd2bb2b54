/**
 * Found by the fifth review of the SDES-tag carry (stop 40), a known limit until stop 41, fixed
 * since: the main thread keeps the SRTCP keys of ended dialogs' senders as the cores do
 * (src/pipeline/srtcp-keyring.ts, fed the same events) and notes the tags of the plaintext the
 * core reads (replay-engine.ts media(), UnboundTags.noteIn).
 */
/**
 * Input: call c1, RTP/SAVP with `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<A's key>` (A:4000) and
 *   B's own key (B:5000), a=aipref:session apt-raw (frames 1–3, t=0); A's SRTCP SR(1111) in the
 *   call (frame 4, t=1); SIP BYE/200 (frames 5–6, t=10); at t=11 A's SRTCP compound, still under
 *   its key as RFC 3711 §3.2 keeps it, SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} on
 *   4001 → 5001 (frame 7); a transfer: call c2 set up on the same addresses at t=12 (frames 8–10,
 *   A offering the same key, apt-raw); A's SRTCP SR(1111) at t=13 (frame 11). The oracle is the
 *   same capture in plain RTP/AVP (no a=crypto, plain compounds). 0 and 2 workers.
 * Was: the core reads frame 7 as unbound RTCP (MediaCore.afterEnd decrypts it with c1's kept keys:
 *   '7 1111 drop export-none apt-none' for its SR and SDES: the unbound session honours the tag, as in the plain
 *   oracle), but the main thread notes only compounds that chain as RTCP in the clear
 *   (replay-engine.ts media(): readAsRtcp needs chainsAsRtcp; the encrypted compound does not):
 *   nothing is noted, nothing carried, and c2 exports frame 11 raw: '11 1111 export raw-allowed
 *   apt-raw' — where the plain oracle carries the tag and drops it ('11 1111 drop export-none
 *   apt-none').
 * Correct: README (Binding): "the main thread notes the tags of RTCP no dialog routes … as if that
 *   packet had repeated them"; SPEC §2.4 (a tag binds its SSRC, never relaxes signaling) and the
 *   SRTCP review's rule that an ended dialog's SRTCP is read "as its plain copy would be": frame
 *   11 is dropped (export-none, apt-none) as in the plain capture; SRTCP and plain agree.
 * Fix: replay-engine.ts media(): for an RTCP datagram off every route that does not chain, note
 *   its tags from the plaintext the core will read — keep the ended dialogs' SRTCP keys on the main
 *   thread too (EndedSrtcpKeys, filled at the same dialog-ended events) and pass the decrypted
 *   compound to unboundTags.note()/refresh().
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, bye, type Pkt, replay, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';
import { inline, type Master, srtcp } from '../../e2e/srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

// fixed keys: the capture is the same every run
const kA: Master = { key: Buffer.alloc(16, 0x11), salt: Buffer.alloc(14, 0x22) };
const kB: Master = { key: Buffer.alloc(16, 0x33), salt: Buffer.alloc(14, 0x44) };

function flow(secure: boolean): Pkt[] {
  let index = 0;
  const fromA = (ts: number, packets: Parameters<typeof encodeRtcpCompound>[0]): Pkt => {
    const plain = encodeRtcpCompound(packets);
    return { ts, src: A, dst: B, sport: 4001, dport: 5001, payload: secure ? srtcp(plain, kA, ++index) : plain };
  };
  const sdp = (ip: string, port: number, k: Master) =>
    secure ? sdpAt(ip, port, null, ['a=aipref:session apt-raw'], [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(k)}`]).replace('RTP/AVP', 'RTP/SAVP') : sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
  const call = (id: string, t: number) => setup(id, t, sdp(A, 4000, kA), sdp(B, 5000, kB));
  return [
    ...call('c1', 0), // frames 1-3
    fromA(1, [srIn(1111)]), // frame 4
    ...bye('c1', 10, 2), // frames 5-6
    fromA(11, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 7: after the SIP BYE
    ...call('c2', 12), // frames 8-10: the transfer reuses the addresses
    fromA(13, [srIn(1111)]), // frame 11
  ];
}

describe("SRTCP with a tag after the SIP BYE, then a new call on the same addresses", () => {
  it('carries the tag into the new call as the plain capture does', async () => {
    const plain = await replay(ws, 'plain-transfer', flow(false));
    const secure = await replay(ws, 'srtcp-transfer', flow(true));
    // the oracle: unbound after the BYE, honoured; carried into c2
    expect(plain.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 drop export-none apt-none', '7 1111 drop export-none apt-none']);
    expect(plain.d.filter((d) => d.startsWith('11 '))).toEqual(['11 1111 drop export-none apt-none']);
    // the SRTCP compound after the BYE is read as its plain copy is
    expect(secure.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 drop export-none apt-none', '7 1111 drop export-none apt-none']);
    expect(secure.d.filter((d) => d.startsWith('11 '))).toEqual(plain.d.filter((d) => d.startsWith('11 ')));
    expect(secure.exports.filter((e) => e.dialog?.callId === 'c2')).toEqual([]);
  });
});
