/**
 * One compound of every type werift cannot check (XR blocks 1 and 3–7, APP, TWCC, REMB, FIR,
 * SDES PRIV/MID/RID, BYE with reason and padding), wrapped in UDP with text2pcap and read by
 * tshark 4.0 (`tshark -d udp.port==5001,rtcp -V`). The expected values are tshark's.
 */
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';

const compound = Uint8Array.from(Buffer.from(
  '80c900010000000180cf0024000000630103000300000005000a0014400a000003000004000000050001000300000064000000c804000002decedb9b000000010500000300000007000100000000800006e8000900000005000100640000000300000001000000020000000900000004000000013c403e0107000008000000050c0220010078012c00280032ecb57f105d7f292a0500003c007800c885cc00030000000951545341000000008fcd000500000001000000020010000212345607000200008fce0006000000010000000052454d42020bd34e0000000a0000000b84ce000400000001000000000000000a0700000081ca00080000002a080d066169707265666170742d30310c01610d0268690e026c6f0000a2cb000500000001000000020663616d6572610000000004',
  'hex',
));

describe('a compound tshark decoded', () => {
  const c = decodeRtcpCompound(compound);

  it('has the eight packets tshark lists, without errors', () => {
    expect(c.errors).toEqual([]);
    expect(c.packets.map((p) => [p.pt, p.length])).toEqual([
      [201, 8], [207, 148], [204, 16], [205, 24], [206, 28], [206, 20], [202, 36], [203, 24],
    ]);
  });

  it('XR blocks', () => {
    expect(c.packets[1]).toMatchObject({
      ssrc: 99,
      blocks: [
        { bt: 1, thinning: 3, ssrc: 5, beginSeq: 10, endSeq: 20, chunks: [0x400a] }, // "Length Run 1s, length: 10", then a null terminator
        { bt: 3, thinning: 0, ssrc: 5, beginSeq: 1, endSeq: 3, receiptTimes: [100, 200] },
        { bt: 4, ntpSec: 0xdecedb9b, ntpFrac: 1 },
        { bt: 5, subBlocks: [{ ssrc: 7, lrr: 65536, dlrr: 32768 }] },
        {
          bt: 6, flags: 0xe8, ssrc: 5, beginSeq: 1, endSeq: 100, lostPackets: 3, dupPackets: 1, minJitter: 2, maxJitter: 9,
          meanJitter: 4, devJitter: 1, minTtlOrHl: 60, maxTtlOrHl: 64, meanTtlOrHl: 62, devTtlOrHl: 1,
        },
        {
          bt: 7, ssrc: 5, lossRate: 12, discardRate: 2, burstDensity: 32, gapDensity: 1, burstDuration: 120, gapDuration: 300,
          roundTripDelay: 40, endSystemDelay: 50, signalLevel: -20, noiseLevel: -75, rerl: 127, gmin: 16, rFactor: 93,
          extRFactor: 127, mosLq: 41, mosCq: 42, rxConfig: 5, jbNominal: 60, jbMaximum: 120, jbAbsMax: 200,
        },
      ],
    });
  });

  it('APP, TWCC, REMB, FIR', () => {
    expect(c.packets[2]).toMatchObject({ ssrc: 9, subtype: 5, name: 'QTSA', dataLength: 4 });
    expect(c.packets[3]).toMatchObject({ fmt: 15, senderSsrc: 1, mediaSsrc: 2, twcc: { baseSeq: 16, statusCount: 2, referenceTime: 1193046, fbCount: 7 } });
    expect(c.packets[4]).toMatchObject({ fmt: 15, senderSsrc: 1, mediaSsrc: 0, remb: { bitrate: 1002808, ssrcs: [10, 11] } });
    expect(c.packets[5]).toMatchObject({ fmt: 4, senderSsrc: 1, mediaSsrc: 0, fir: [{ ssrc: 10, seq: 7 }] });
  });

  it('SDES PRIV, MID, RtpStreamId, RepairedRtpStreamId and a padded BYE', () => {
    expect(c.packets[6]).toMatchObject({
      ssrc: 42,
      chunks: [{ ssrc: 42, items: [{ type: 8, prefix: 'aipref', value: 'apt-01' }, { type: 12, text: 'a' }, { type: 13, text: 'hi' }, { type: 14, text: 'lo' }] }],
    });
    expect(c.packets[7]).toMatchObject({ ssrcs: [1, 2], reason: 'camera' }); // "Padding count: 4"
  });
});
