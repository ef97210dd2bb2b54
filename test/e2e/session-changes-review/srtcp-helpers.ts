/** SRTCP packets made by werift (AES_CM_128_HMAC_SHA1_80), at a chosen SRTCP index, for a chosen r (master salt ⊕ r, as test/media/srtcp-kdr.test.ts does). */
import { SrtcpSession } from 'werift';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';

export const plainCompound = (ssrc: number, n = 0): Buffer =>
  Buffer.from(
    encodeRtcpCompound([
      { pt: 200, ssrc, ntpSec: 3900000000 + n, ntpFrac: 1234, rtpTs: 160000 + n, packetCount: 500 + n, octetCount: 80000, reports: [] },
      { pt: 202, ssrc, chunks: [{ ssrc, items: [{ type: 1, text: 'alice@example.com' }] }] },
    ]),
  );

function saltWithR(salt: Buffer, r: number): Buffer {
  const x = Buffer.from(salt);
  const rBytes = Buffer.alloc(6);
  rBytes.writeUIntBE(r, 0, 6);
  for (let i = 0; i < 6; i++) x[8 + i]! ^= rBytes[i]!;
  return x;
}

/** werift's SRTCP of `plain` at `index`, keys of r = index DIV 2^kdrLog2 (kdrLog2 null: r = 0 always). */
export function srtcpAt(plain: Buffer, key: Buffer, salt: Buffer, kdrLog2: number | null, index: number): Buffer {
  const s = kdrLog2 === null ? salt : saltWithR(salt, Math.floor(index / 2 ** kdrLog2));
  const session = new SrtcpSession({ keys: { localMasterKey: key, localMasterSalt: s, remoteMasterKey: key, remoteMasterSalt: s }, profile: 1 });
  session.localContext.setIndex(plain.readUInt32BE(4), index - 1);
  return session.encrypt(plain);
}

/** The same packet with an MKI inserted between E|index and the tag (RFC 3711 §3.4: the MKI is not authenticated). */
export function withMki(packet: Buffer, mki: Buffer): Buffer {
  const tagAt = packet.length - 10;
  return Buffer.concat([packet.subarray(0, tagAt), mki, packet.subarray(tagAt)]);
}

export const sdpWith = (cryptoLine: string): string =>
  ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 4000 RTP/SAVP 0', cryptoLine, ''].join('\r\n');
