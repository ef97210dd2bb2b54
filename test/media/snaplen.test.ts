/**
 * RTP and RTCP in a datagram the capture's snap length cut (the packet layers hand on the
 * captured part and say how much is missing): the RTP header is usable when its fixed part and
 * CSRCs were captured; an RTCP compound keeps its whole packets and names the cut.
 */
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpExtension } from '../../src/media/rtp.js';

const SNAP = "cut by the capture's snap length";
const enc = new TextEncoder();

/** decodes the first `captured` bytes of `packet`, the rest cut */
function rtpCut(packet: Uint8Array, captured: number) {
  const view = createRtpHeaderView();
  const err = decodeRtpHeader(packet, 0, captured, view, packet.length - captured);
  return { err, view };
}

describe('decodeRtpHeader of a cut packet', () => {
  const plain = encodeRtpPacket({ pt: 0, seq: 8, ts: 1280, ssrc: 0x11223344, payload: new Uint8Array(160) });

  it('the fixed header is read; the payload is what was captured', () => {
    const { err, view } = rtpCut(plain, 54);
    expect(err).toBeNull();
    expect(view).toMatchObject({ ssrc: 0x11223344, pt: 0, seq: 8, timestamp: 1280, payloadOffset: 12, payloadLength: 42, cut: 118, paddingLength: 0 });
  });

  it('a whole packet has cut 0', () => {
    const view = createRtpHeaderView();
    expect(decodeRtpHeader(plain, 0, plain.length, view)).toBeNull();
    expect(view.cut).toBe(0);
  });

  it('the mid extension is found when it was captured, even with later elements cut', () => {
    const p = encodeRtpPacket({
      pt: 111,
      seq: 1,
      ts: 2,
      ssrc: 3,
      extensions: [
        { id: 4, value: enc.encode('a') },
        { id: 5, value: new Uint8Array(12) },
      ],
      payload: new Uint8Array(100),
    });
    // 12 fixed + 4 extension header + [0x40 'a'] + [0x5b + 12 bytes] + padding: cut inside element 5
    const { err, view } = rtpCut(p, 12 + 4 + 2 + 5);
    expect(err).toBeNull();
    expect(view).toMatchObject({ extension: true, extProfile: 0xbede, extOffset: 16, extLength: 7, payloadLength: 0 });
    expect(readRtpExtension(p, view, 4)).toBe('a');
    expect(readRtpExtension(p, view, 5)).toBeUndefined();
  });

  it("an extension whose own header was cut: the packet is usable, its extension is not", () => {
    const p = encodeRtpPacket({ pt: 96, seq: 1, ts: 2, ssrc: 7, extensions: [{ id: 4, value: enc.encode('v') }], payload: new Uint8Array(50) });
    const { err, view } = rtpCut(p, 14);
    expect(err).toBeNull();
    expect(view).toMatchObject({ ssrc: 7, extension: true, extProfile: -1, extLength: 0, payloadLength: 0 });
    expect(readRtpExtension(p, view, 4)).toBeUndefined();
  });

  it('with the P bit set, the padding was not captured: no bad-padding, the payload is what was captured', () => {
    const p = encodeRtpPacket({ pt: 96, seq: 1, ts: 2, ssrc: 7, payload: new Uint8Array(40), padding: 200 });
    const { err, view } = rtpCut(p, 30);
    expect(err).toBeNull();
    expect(view).toMatchObject({ padding: true, paddingLength: 0, payloadLength: 18 });
  });

  it('an extension longer than even the packet on the wire stays broken', () => {
    const p = encodeRtpPacket({ pt: 96, seq: 1, ts: 2, ssrc: 7, extensions: [{ id: 4, value: enc.encode('v') }], payload: new Uint8Array(8) });
    p[14] = 0x01; // extension length 256 words
    const view = createRtpHeaderView();
    expect(decodeRtpHeader(p, 0, 20, view, p.length - 20)?.code).toBe('extension-overrun');
  });

  it('a fixed header cut short is not usable, and the error names the cut', () => {
    const err = rtpCut(plain, 10).err;
    expect(err).toEqual({ code: 'packet-too-short', offset: 0, message: `RTP packet ${SNAP} after 10 bytes, needs 12` });
    const csrcs = encodeRtpPacket({ pt: 0, seq: 1, ts: 2, ssrc: 3, csrcs: [1, 2, 3], payload: new Uint8Array(20) });
    expect(rtpCut(csrcs, 16).err).toMatchObject({ code: 'csrc-overrun', message: `3 CSRCs are ${SNAP} after 16 bytes` });
  });
});

// prettier-ignore
const sr = [
  0x80, 0xc8, 0x00, 0x06, // SR, RC=0, length=6 words
  0x00, 0x00, 0x00, 0x01, // SSRC 1
  0, 0, 0, 1, 0, 0, 0, 2, // NTP
  0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, // RTP ts, packets, octets
];
// prettier-ignore
const sdes = [
  0x81, 0xca, 0x00, 0x03, // SDES, SC=1, length=3 words
  0x00, 0x00, 0x00, 0x01, // SSRC 1
  0x01, 0x03, 0x61, 0x62, 0x63, 0x00, 0x00, 0x00, // CNAME "abc", END
];
// prettier-ignore
const bye = [0x81, 0xcb, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01];

/** decodes the first `captured` bytes of the compound, the rest cut */
function rtcpCut(bytes: number[], captured: number) {
  const c = decodeRtcpCompound(Uint8Array.from(bytes), 0, captured, bytes.length - captured);
  return { pts: c.packets.map((p) => p.pt), errors: c.errors };
}

describe('decodeRtcpCompound of a cut datagram', () => {
  const compound = [...sr, ...sdes, ...bye];

  it('cut inside the second packet: the first is decoded, the cut named', () => {
    expect(rtcpCut(compound, 34)).toEqual({
      pts: [200],
      errors: [{ code: 'snaplen-cut', offset: 28, message: `RTCP packet of 16 bytes ${SNAP} after 6 bytes` }],
    });
  });

  it('cut between two packets', () => {
    expect(rtcpCut(compound, 44)).toEqual({
      pts: [200, 202],
      errors: [{ code: 'snaplen-cut', offset: 44, message: `the compound's last 8 bytes ${SNAP}` }],
    });
  });

  it('cut inside a packet header', () => {
    expect(rtcpCut(compound, 30)).toEqual({
      pts: [200],
      errors: [{ code: 'snaplen-cut', offset: 28, message: `RTCP header ${SNAP} after 2 bytes` }],
    });
  });

  it('cut before the first byte', () => {
    expect(rtcpCut(compound, 0).errors).toEqual([{ code: 'snaplen-cut', offset: 0, message: `compound of 52 bytes ${SNAP} before its first byte` }]);
  });

  it('a padded last packet after the cut does not make an earlier whole one the last', () => {
    const padded = [...sr, 0xa1, 0xcb, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4]; // BYE with 4 bytes of padding
    expect(rtcpCut(padded, 34).errors.map((e) => e.code)).toEqual(['snaplen-cut']);
    const early = [0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 1, ...bye]; // P on a packet that is not the last on the wire
    expect(rtcpCut(early, 8).errors.map((e) => [e.code, e.offset])).toEqual([
      ['bad-padding', 0],
      ['snaplen-cut', 8],
    ]);
  });

  it('a length past even the datagram on the wire stays length-past-end', () => {
    const broken = [...sr, 0x81, 0xca, 0x00, 0x40, 0, 0, 0, 1, 0, 0, 0, 0];
    expect(rtcpCut(broken, 34).errors).toEqual([{ code: 'length-past-end', offset: 28, message: 'RTCP packet of 260 bytes runs past the datagram (12 left)' }]);
  });

  it('a whole compound: nothing changes', () => {
    expect(rtcpCut(compound, compound.length)).toEqual({ pts: [200, 202, 203], errors: [] });
  });
});
