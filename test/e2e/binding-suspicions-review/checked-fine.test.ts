/**
 * What the binding-suspicions review checked and found right (each replayed with --workers 0
 * and 2 by `replay`, lines compared). Regression tests.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { replay } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { AUDIO_LEVEL, bundleSdp, call, M, POL, reInvite, rtcpFromA, rtcpFromB, rtpFromA, rtpFromB, type Section, sdesMidOnly, sr, text, TW } from './common.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());
type R = Awaited<ReturnType<typeof replay>>;
const srs = (r: R) => r.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} [${d.apt}]`);
const feedback = (r: R) => r.decisions.filter((d) => d.pt === 205).map((d) => `${d.frame} ${d.decision} ${d.reason}`);
const rows = (r: R) => r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via}`).sort();

describe('suspicion 1 (control): a mid read under a pending offer, no newer SDES MID', () => {
  it('binds to the offered m-section during the offer and after the answer (SPEC §5)', async () => {
    const ext = [`a=extmap:5 ${M}`];
    const [offer, ok] = reInvite(
      bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-none', ...ext] }, { mid: 'v', lines: ['a=aipref:mid apt-raw2', ...ext] }]),
      bundleSdp('b', [{ mid: 'a', lines: ext }, { mid: 'v', lines: ext }]),
    );
    const r = await replay(
      ws,
      [
        ...call(bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw'] }, { mid: 'v', lines: ['a=aipref:mid apt-raw2'] }]), bundleSdp('b', [{ mid: 'a' }, { mid: 'v' }])), // 1-3
        rtcpFromA([sr(77), sdesMidOnly(77, 'v')]), // 4: v by SDES MID
        offer, // 5: a restricted
        rtpFromA(77, [[5, text('a')]]), // 6: "a" by the offer's id, newer than the SDES MID
        rtcpFromA([sr(77)]), // 7: in force v (SDES), offered a: the stricter, apt-none
        ok, // 8
        rtcpFromA([sr(77)]), // 9: a, committed at the answer
      ],
      POL,
    );
    expect(srs(r)).toEqual(['4 export [apt-raw2]', '7 drop [apt-none]', '9 drop [apt-none]']);
  });
});

const tw = (seq: number) => [seq >> 8, seq & 255];
const twcc = (mediaSsrc: number) =>
  ({ pt: 205, fmt: 15, senderSsrc: 9001, mediaSsrc, twcc: { baseSeq: 1, statusCount: 2, referenceTime: 5, fbCount: 0, status: '11', deltasUs: [250, 500] } }) as unknown as RtcpPacketInput;
const EXT = [`a=extmap:5 ${M}`, `a=extmap:6 ${TW}`];
const offerAV = bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:x', ...EXT] }, { mid: 'v', kind: 'video', lines: ['a=aipref:mid apt-none', ...EXT] }]);
const answerWith = (v: Section) => bundleSdp('b', [{ mid: 'a', lines: ['a=ssrc:9001 cname:y', ...EXT] }, v]);

describe('suspicion 2: TWCC and an m-section that does not receive', () => {
  it('a=inactive in the answer is not disabled: v (export none) still governs a TWCC covering its packets', async () => {
    const r = await replay(
      ws,
      [
        ...call(offerAV, answerWith({ mid: 'v', kind: 'video', lines: ['a=inactive', ...EXT] })),
        rtpFromA(1111, [[5, text('a')], [6, tw(1)]], 1), // 4
        rtpFromA(2001, [[5, text('v')], [6, tw(2)]], 1, 96), // 5
        rtcpFromB([sr(9001), twcc(1111)]), // 6
      ],
      POL,
    );
    expect(feedback(r)).toEqual(['6 drop export-none']);
  });
  it('an offer disabling v (port 0), awaiting its answer: a TWCC covering v’s packets is dropped, not exported under a', async () => {
    const [reOffer, answered] = reInvite(bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:x', ...EXT] }, { mid: 'v', kind: 'video', port: 0 }]), answerWith({ mid: 'v', kind: 'video', port: 0 }));
    const r = await replay(
      ws,
      [
        ...call(bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:x', ...EXT] }, { mid: 'v', kind: 'video', lines: ['a=aipref:mid apt-raw2', ...EXT] }]), answerWith({ mid: 'v', kind: 'video', lines: EXT })),
        rtpFromA(1111, [[5, text('a')], [6, tw(1)]], 1), // 4
        rtpFromA(2001, [[5, text('v')], [6, tw(2)]], 1, 96), // 5
        rtcpFromB([twcc(1111)]), // 6: both raw
        reOffer, // 7
        rtcpFromB([twcc(1111)]), // 8: v offered disabled: not exported
        answered, // 9
      ],
      POL,
    );
    expect(feedback(r).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['6 export', '8 drop']);
  });
});

describe('suspicion 3: the mid extension ids of the offer and the answer', () => {
  const secs = (lines: string[]): Section[] => [{ mid: '0', lines: ['a=aipref:mid apt-none', ...lines] }, { mid: '1', lines: ['a=aipref:mid apt-raw', ...lines] }];
  it('offer id 3, answer id 5 (no other use of either): a packet carrying either binds by its mid', async () => {
    const r = await replay(
      ws,
      [
        ...call(bundleSdp('a', secs([`a=extmap:3 ${M}`])), bundleSdp('b', secs([`a=extmap:5 ${M}`]))),
        rtpFromB(88, [[5, text('1')]]),
        rtcpFromB([sr(88)]),
        rtpFromB(89, [[3, text('0')]]),
        rtcpFromB([sr(89)]),
      ],
      POL,
    );
    expect(rows(r)).toEqual(['88 1 rtp-mid', '89 0 rtp-mid']);
  });
  it('a re-offer moving the mid to id 5 and id 3 to audio level, answered: element 3 (level 49 dBov, byte "1") is no longer read as a mid', async () => {
    const now = [`a=extmap:5 ${M}`, `a=extmap:3 ${AUDIO_LEVEL}`];
    const [o, ok] = reInvite(bundleSdp('a', secs(now)), bundleSdp('b', secs(now)));
    const r = await replay(
      ws,
      [
        ...call(bundleSdp('a', secs([`a=extmap:3 ${M}`])), bundleSdp('b', secs([`a=extmap:3 ${M}`]))),
        rtpFromB(88, [[3, text('0')]]), // 4
        rtcpFromB([sr(88)]), // 5
        o, // 6
        ok, // 7
        rtpFromB(90, [[3, [0x31]], [5, text('0')]], 1), // 8
        rtcpFromB([sr(90)]), // 9
      ],
      POL,
    );
    expect(rows(r)).toEqual(['88 0 rtp-mid', '90 0 rtp-mid']);
    expect(srs(r)).toEqual(['5 drop [apt-none]', '9 drop [apt-none]']);
  });
});
