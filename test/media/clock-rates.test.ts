import { describe, expect, it } from 'vitest';
import { besideTheCodec, clockRateOfPt, clockRatesOf, mediaClockRate, sharedClockRate } from '../../src/media/clock-rates.js';
import { parseSdp } from '../../src/signaling/sdp.js';

const map = (pt: number, rate: number, encoding: string) => ({ pt, rate, encoding });

describe('RTP clock rates', () => {
  it("an m-section's a=rtpmap lines, as sdp-transform reads them: the first line of a payload type wins, bad ones are skipped", () => {
    const { sdp } = parseSdp(
      [
        'v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0',
        'm=audio 4000 RTP/AVP 111 9 0 101 13',
        'a=rtpmap:111 opus/48000/2', 'a=rtpmap:9 G722/8000', 'a=rtpmap:101 telephone-event/48000', 'a=rtpmap:101 telephone-event/8000',
        // no payload type (sdp-transform's '' is not 0), out of range, no rate, rate 0
        'a=rtpmap: opus/48000', 'a=rtpmap:200 x/8000', 'a=rtpmap:102 nothing', 'a=rtpmap:103 zero/0',
        'm=video 4002 RTP/AVP 96 97', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', '',
      ].join('\r\n'),
    );
    expect(sdp.media[0]!.clockRates).toEqual([map(111, 48000, 'opus'), map(9, 8000, 'g722'), map(101, 48000, 'telephone-event')]);
    expect(sdp.media[1]!.clockRates).toEqual([map(96, 90000, 'vp8'), map(97, 90000, 'rtx')]);
    expect(clockRatesOf([{ payload: 8, rate: 8000, codec: 'PCMA' }, { payload: 8, rate: 16000 }, { payload: '', rate: 1 }, { payload: 'x', rate: 1 }])).toEqual([map(8, 8000, 'pcma')]);
  });

  it('a payload type by the rtpmap lines first, else by RFC 3551 static table, else unknown', () => {
    const rates = [map(0, 16000, 'pcmu'), map(111, 48000, 'opus')];
    expect(clockRateOfPt(0, rates)).toBe(16000); // an rtpmap redefining a static type wins
    expect(clockRateOfPt(8, rates)).toBe(8000); // PCMA
    expect(clockRateOfPt(9, rates)).toBe(8000); // G722's RTP clock, not its 16 kHz sampling
    expect(clockRateOfPt(34, rates)).toBe(90000); // H263
    expect(clockRateOfPt(111, rates)).toBe(48000);
    expect(clockRateOfPt(96, rates)).toBeUndefined();
    expect(clockRateOfPt(2, rates)).toBeUndefined(); // unassigned since RFC 3551
  });

  it('DTMF events and comfort noise ride beside the codec: its clock is the media one', () => {
    const rates = [map(111, 48000, 'opus'), map(101, 8000, 'telephone-event'), map(105, 8000, 'CN'.toLowerCase())];
    expect(besideTheCodec(101, rates)).toBe(true);
    expect(besideTheCodec(105, rates)).toBe(true);
    expect(besideTheCodec(13, rates)).toBe(true); // static CN
    expect(besideTheCodec(111, rates)).toBe(false);
    expect(mediaClockRate([101, 111, 0], rates)).toBe(48000); // the first media format
    expect(mediaClockRate([13, 0], rates)).toBe(8000);
    expect(mediaClockRate([101], rates)).toBeUndefined();
  });

  it('the clock every media format of an m-section shares, or none when they differ or one is unknown', () => {
    expect(sharedClockRate([96, 97], [map(96, 90000, 'vp8'), map(97, 90000, 'rtx')])).toBe(90000);
    expect(sharedClockRate([8, 13, 101], [map(101, 8000, 'telephone-event')])).toBe(8000);
    // telephone-event/8000 beside opus is measured in opus's clock
    expect(sharedClockRate([111, 101], [map(111, 48000, 'opus'), map(101, 8000, 'telephone-event')])).toBe(48000);
    expect(sharedClockRate([111, 0], [map(111, 48000, 'opus')])).toBeUndefined();
    expect(sharedClockRate([0, 96], [])).toBeUndefined();
    expect(sharedClockRate([], [])).toBeUndefined();
    expect(sharedClockRate([Number('webrtc-datachannel')], [])).toBeUndefined();
  });
});
