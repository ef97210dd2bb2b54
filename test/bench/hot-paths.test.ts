/**
 * The hot-path micro-benchmark "decodeRtpHeader + read mid extension" reads each packet's mid
 * at the id its call gave the extension, as a media core does from the SDP's a=extmap. It read
 * id 4 on every packet, while the generator draws each call's id from 1–14: in the bench's
 * sample, 28 of the 96 packets that carry a mid were read.
 */
import { describe, expect, it } from 'vitest';
import { midExtensionIds } from '../../bench/hot-paths.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpExtension } from '../../src/media/rtp.js';

describe('midExtensionIds', () => {
  it("finds each packet's mid element, whatever its id, and 0 for a packet without extensions", () => {
    const packet = (id?: number) =>
      encodeRtpPacket({ pt: 111, seq: 1, ts: 2, ssrc: 3, payload: new Uint8Array(20), ...(id !== undefined && { extensions: [{ id, value: new TextEncoder().encode(`m${id}`) }] }) });
    const rtp = [packet(4), packet(12), packet(), packet(1), packet(14)];
    const ids = midExtensionIds(rtp);
    expect([...ids]).toEqual([4, 12, 0, 1, 14]);
    const view = createRtpHeaderView();
    const mids = rtp.map((p, i) => (decodeRtpHeader(p, 0, p.length, view) === null && ids[i]! > 0 ? readRtpExtension(p, view, ids[i]!) : null));
    expect(mids).toEqual(['m4', 'm12', null, 'm1', 'm14']);
  });
});
