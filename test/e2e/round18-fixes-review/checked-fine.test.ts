/**
 * What this review of a7e2378 checked and found right (each replayed with --workers 0 and 2 by
 * `replay`, lines compared).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { replay } from '../calls-on-any-address.js';
import { Workspace } from '../e2e-helpers.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { bundleSdp, call, M, POL, reInvite, rtcpFromA, rtcpFromB, rtpFromA, sdesMidOnly, sr, text, TW } from '../binding-suspicions-review/common.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());

it('RTP mid under a pending offer and a conflicting SDES MID, each newer in turn: the decisions follow the latest, and the answer settles on it', async () => {
  const ext = [`a=extmap:5 ${M}`];
  const [offer, ok] = reInvite(
    bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-none', ...ext] }, { mid: 'v', lines: ['a=aipref:mid apt-raw2', ...ext] }]),
    bundleSdp('b', [{ mid: 'a', lines: ext }, { mid: 'v', lines: ext }]),
  );
  const r = await replay(
    ws,
    [
      ...call(bundleSdp('a', [{ mid: 'a', lines: ['a=aipref:mid apt-raw'] }, { mid: 'v', lines: ['a=aipref:mid apt-raw2'] }]), bundleSdp('b', [{ mid: 'a' }, { mid: 'v' }])), // 1-3
      rtcpFromA([sr(77), sdesMidOnly(77, 'v')]), // 4: v (raw2)
      offer, // 5: a → apt-none
      rtpFromA(77, [[5, text('a')]]), // 6: a by the offer's id
      rtcpFromA([sr(77)]), // 7: offered a: apt-none
      rtcpFromA([sr(77), sdesMidOnly(77, 'v')]), // 8: v again, newer
      rtcpFromA([sr(77)]), // 9: v in force and offered: raw2
      rtpFromA(77, [[5, text('a')]], 2), // 10: a again, newer
      rtcpFromA([sr(77)]), // 11: apt-none
      ok, // 12: answer: settles on the latest, a
      rtcpFromA([sr(77)]), // 13
    ],
    POL,
  );
  const srs = r.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} [${d.apt}]`);
  expect(srs).toEqual(['4 export [apt-raw2]', '7 drop [apt-none]', '8 export [apt-raw2]', '9 export [apt-raw2]', '11 drop [apt-none]', '13 drop [apt-none]']);
});

const tw = (seq: number) => [seq >> 8, seq & 255];
const twcc = (baseSeq: number) =>
  ({ pt: 205, fmt: 15, senderSsrc: 9001, mediaSsrc: 1111, twcc: { baseSeq, statusCount: 2, referenceTime: 5, fbCount: baseSeq, status: '11', deltasUs: [250, 500] } }) as unknown as RtcpPacketInput;

it('a disabled m-section re-enabled by a later re-INVITE: the TWCC is stopped while disabled and follows the re-enabled section’s preference after', async () => {
  const ext = [`a=extmap:5 ${M}`, `a=extmap:6 ${TW}`];
  const audio = { mid: 'a', lines: ['a=aipref:mid apt-raw', 'a=ssrc:1111 cname:x', ...ext] };
  const offerV = (apt: string) => bundleSdp('a', [audio, { mid: 'v', kind: 'video', lines: [`a=aipref:mid ${apt}`, ...ext] }]);
  const answerV = (port?: number) => bundleSdp('b', [{ mid: 'a', lines: ['a=ssrc:9001 cname:y', ...ext] }, { mid: 'v', kind: 'video', ...(port === 0 ? { port: 0 } : { lines: ext }) }]);
  const [re2, dis] = reInvite(offerV('apt-none'), answerV(0));
  const [re3, ena] = reInvite(offerV('apt-raw2'), answerV(), 3);
  const r = await replay(
    ws,
    [
      ...call(offerV('apt-none'), answerV()), // 1-3
      re2, // 4
      dis, // 5: v disabled
      rtpFromA(1111, [[5, text('a')], [6, tw(1)]], 1), // 6
      rtpFromA(2001, [[5, text('v')], [6, tw(2)]], 1, 96), // 7: sends while disabled
      rtcpFromB([twcc(1)]), // 8: drop stream-disabled
      re3, // 9: v re-enabled, raw2
      ena, // 10
      rtpFromA(1111, [[5, text('a')], [6, tw(3)]], 2), // 11
      rtpFromA(2001, [[5, text('v')], [6, tw(4)]], 2, 96), // 12
      rtcpFromB([twcc(3)]), // 13: a raw, v raw2: exported
    ],
    POL,
  );
  const fb = r.decisions.filter((d) => d.pt === 205).map((d) => `${d.frame} ${d.decision} ${d.reason}`);
  expect(fb[0]).toBe('8 drop stream-disabled');
  expect(fb[1]).toMatch(/^13 export /);
});
