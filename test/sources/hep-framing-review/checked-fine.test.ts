/**
 * HEPv3 wire framing against a real `live` child (real TCP/UDP sockets): checks that came out fine.
 * Each `it` counts from the child's /metrics and log lines, so they run in order on one child.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunk, frameOf, HepLive, SIP, sipFrame, sleep } from './framing-helpers.js';

let h: HepLive;
beforeAll(async () => {
  h = await HepLive.start();
}, 30_000);
afterAll(async () => {
  await h?.live.terminate();
});

describe.sequential('HEPv3 framing in live', () => {
  it('TCP: a frame written one byte per segment is read as one SIP record', async () => {
    const s = await h.tcp();
    const f = sipFrame();
    for (const b of f.subarray(0, 20)) {
      s.write(Uint8Array.of(b));
      await sleep(2);
    }
    s.write(f.subarray(20));
    await h.until('hep:sip', 1);
    expect(await h.kind('malformed')).toBe(0);
    s.destroy();
  });

  it('TCP: three frames in one segment, a header-only frame (length 6) among them, are 3 SIP + 1 malformed, resynced', async () => {
    const s = await h.tcp();
    const f = sipFrame();
    s.write(Buffer.concat([f, Buffer.from('HEP3\x00\x06'), f, f]));
    await h.until('hep:sip', 4);
    expect(await h.kind('malformed')).toBe(1);
    expect(h.malformedReasons().at(-1)).toBe('HEPv3: at byte 6: no timestamp seconds chunk (type 9)');
    s.destroy();
  });

  it('TCP: a length field 40 bytes too large swallows the next frame (reported), and the one after is read', async () => {
    const s = await h.tcp();
    const f = sipFrame();
    const big = Uint8Array.from(f);
    big[4] = (f.length + 40) >> 8;
    big[5] = (f.length + 40) & 0xff;
    s.write(Buffer.concat([big, f, f]));
    await h.until('hep:sip', 5);
    await sleep(100);
    expect(await h.kind('malformed')).toBe(3);
    // (the framer's resync error of a read is logged before that read's frames are decoded)
    expect(h.malformedReasons().slice(-2).sort()).toEqual([
      `HEPv3: at byte ${f.length + 4}: chunk length ${f.length} exceeds the 40 bytes left in the frame`,
      `stream byte ${f.length + 40}: not a HEPv3 frame (no "HEP3" magic)`,
    ]);
    s.destroy();
  });

  it('TCP: a connection closed inside a frame is reported with the bytes held', async () => {
    const s = await h.tcp();
    s.write(sipFrame().subarray(0, 50));
    await sleep(50);
    await new Promise<void>((r) => s.end(r));
    await h.until('malformed', 4);
    expect(h.malformedReasons().at(-1)).toBe('connection closed with 50 bytes of an unfinished frame');
  });

  it('UDP: two frames in one datagram are refused (both) with the length mismatch named', async () => {
    const f = sipFrame();
    await h.udp([new Uint8Array(Buffer.concat([f, f]))]);
    await h.until('malformed', 5);
    expect(h.malformedReasons().at(-1)).toBe(`HEPv3 length ${f.length} but the datagram has ${2 * f.length} bytes`);
    expect(await h.kind('hep:sip')).toBe(5);
  });

  it('UDP: a chunk cut by the frame end and a chunk length 0 are each malformed with the offset', async () => {
    const f = sipFrame();
    // total length says 4 bytes less than the chunks: the payload chunk runs past the frame end
    const cut = f.subarray(0, f.length - 4).slice();
    cut[4] = cut.length >> 8;
    cut[5] = cut.length & 0xff;
    const zero = frameOf([...chunk(0, 9, [0, 0, 0, 1]), 0, 0, 0, 0x0f, 0, 0]);
    await h.udp([cut, zero]);
    await h.until('malformed', 7);
    expect(h.malformedReasons().slice(-2)).toEqual([
      `HEPv3: at byte ${f.length - (6 + SIP.length) + 4}: chunk length ${6 + SIP.length} exceeds the ${6 + SIP.length - 4} bytes left in the frame`,
      'HEPv3: at byte 20: chunk length 0 below the 6-byte chunk header',
    ]);
  });

  it("UDP: another vendor's chunk and an unknown generic type (0x0020 MOS) are skipped, counted, and the frame read", async () => {
    const f = sipFrame();
    const withUnknown = frameOf([...f.subarray(6), ...chunk(0x0003, 15, [1, 2, 3]), ...chunk(0, 0x20, [0, 1])]);
    await h.udp([withUnknown]);
    await h.until('hep:sip', 6);
    expect(await h.kind('unknown-chunks')).toBe(2);
  });
});
