import { describe, expect, it } from 'vitest';
import { clockRateOfPt, clockRatesOf, sharedClockRate } from '../../src/media/clock-rates.js';
import { parseSdp } from '../../src/signaling/sdp.js';

describe('RTP clock rates', () => {
  it("an m-section's a=rtpmap lines, as sdp-transform reads them: the first line of a payload type wins, bad ones are skipped", () => {
    const { sdp } = parseSdp(
      [
        'v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0',
        'm=audio 4000 RTP/AVP 111 9 0 101 13',
        'a=rtpmap:111 opus/48000/2', 'a=rtpmap:9 G722/8000', 'a=rtpmap:101 telephone-event/48000', 'a=rtpmap:101 telephone-event/8000',
        'a=rtpmap:200 x/8000', 'a=rtpmap:102 nothing', 'a=rtpmap:103 zero/0',
        'm=video 4002 RTP/AVP 96 97', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', '',
      ].join('\r\n'),
    );
    expect(sdp.media[0]!.clockRates).toEqual([{ pt: 111, rate: 48000 }, { pt: 9, rate: 8000 }, { pt: 101, rate: 48000 }]);
    expect(sdp.media[1]!.clockRates).toEqual([{ pt: 96, rate: 90000 }, { pt: 97, rate: 90000 }]);
    expect(clockRatesOf([{ payload: '8', rate: '8000' }, { payload: 8, rate: 16000 }, { payload: 'x', rate: 1 }])).toEqual([{ pt: 8, rate: 8000 }]);
  });

  it('a payload type by the rtpmap lines first, else by RFC 3551 static table, else unknown', () => {
    const rates = [{ pt: 0, rate: 16000 }, { pt: 111, rate: 48000 }];
    expect(clockRateOfPt(0, rates)).toBe(16000); // an rtpmap redefining a static type wins
    expect(clockRateOfPt(8, rates)).toBe(8000); // PCMA
    expect(clockRateOfPt(9, rates)).toBe(8000); // G722's RTP clock, not its 16 kHz sampling
    expect(clockRateOfPt(34, rates)).toBe(90000); // H263
    expect(clockRateOfPt(111, rates)).toBe(48000);
    expect(clockRateOfPt(96, rates)).toBeUndefined();
    expect(clockRateOfPt(2, rates)).toBeUndefined(); // unassigned since RFC 3551
  });

  it("the clock every format of an m-section shares, or none when they differ or one is unknown", () => {
    expect(sharedClockRate([96, 97], [{ pt: 96, rate: 90000 }, { pt: 97, rate: 90000 }])).toBe(90000);
    expect(sharedClockRate([8, 13, 101], [{ pt: 101, rate: 8000 }])).toBe(8000);
    expect(sharedClockRate([111, 101], [{ pt: 111, rate: 48000 }, { pt: 101, rate: 8000 }])).toBeUndefined();
    expect(sharedClockRate([0, 96], [])).toBeUndefined();
    expect(sharedClockRate([], [])).toBeUndefined();
    expect(sharedClockRate([Number('webrtc-datachannel')], [])).toBeUndefined();
  });
});
