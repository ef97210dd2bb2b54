import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { callSetup, rtcp, rtp, sdp, sr } from './calls-on-any-address.js';
import { bye, reinvite, replayBoth } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-b': { type: 'domain', export: 'raw', retention: '1h' } } });
const offerOf = (port: number, apt: string, ssrc = true) => sdp('192.168.1.10', [[`m=audio ${port} RTP/AVP 0`, 'a=mid:a', ...(ssrc ? ['a=ssrc:1111 cname:x'] : []), `a=aipref:mid ${apt}`]]);
const answerOf = (port: number) => sdp('192.168.2.20', [[`m=audio ${port} RTP/AVP 0`, 'a=mid:a']]);
// in sequence: a source no signaling routes counts from its second packet in sequence (RFC 3550 A.1)
let natSeq = 0;
const nat = () => rtp('203.0.113.5', '198.51.100.7', 30000, 40000, 1111, undefined, ++natSeq);
const rowsOf = (b: any[]) => b.filter((x) => x.ssrc === 1111).map((x) => `${x.dialog?.callId ?? null} ${x.via} [${x.apt}]`).sort();
const callIds = ['c1@x', 'c2@x', 'c3@x', 'c4@x', 'c5@x', 'c6@x'];

describe('a=ssrc route and the flow cache', () => {
  for (const [i, id2] of callIds.slice(0, 1).entries()) {
    it(`routed to D1 by a=ssrc, then D2 declares the same SSRC: later RTP packets of the flow are unbound (ambiguous), as RTCP of the SSRC is`, async () => {
      const d1 = { callId: 'd1@x', fromTag: 'f1', toTag: 't1' };
      const d2 = { callId: id2, fromTag: 'f2', toTag: 't2' };
      const r = await replayBoth(ws, [...callSetup({ ...d1, offer: offerOf(4000, 'apt-a'), answer: answerOf(5000) }), nat(), nat(), ...callSetup({ ...d2, offer: offerOf(6000, 'apt-b'), answer: answerOf(7000) }), nat(), nat()], POL);
      // RTP only. Packets 9 and 10 come after D2's declaration: 'an SSRC two live dialogs declare routes to neither'
      // (an RTCP packet of SSRC 1111 from the same addresses at that point is judged unbound: drop no-preference)
      expect({ i, rows: rowsOf(r.w0.bindings), same: r.same }).toEqual({ i, rows: ['d1@x a=ssrc [apt-a]', 'null null []'], same: true });
    });
  }
  for (const [i, id2] of callIds.slice(0, 1).entries()) {
    it(`SSRC declared by D1 and D2 (unbound), D1 ends (BYE): later packets of the flow route to D2`, async () => {
      const d1 = { callId: 'd1@x', fromTag: 'f1', toTag: 't1' };
      const d2 = { callId: id2, fromTag: 'f2', toTag: 't2' };
      const r = await replayBoth(ws, [...callSetup({ ...d1, offer: offerOf(4000, 'apt-a'), answer: answerOf(5000) }), ...callSetup({ ...d2, offer: offerOf(6000, 'apt-b'), answer: answerOf(7000) }), nat(), nat(), bye('d1@x', 'f1', 't1'), nat(), nat()], POL);
      expect({ i, rows: rowsOf(r.w0.bindings), same: r.same }).toEqual({ i, rows: [`${id2} a=ssrc [apt-b]`, 'null null []'].sort(), same: true });
    });
  }
  it('SSRC declared by D1 and D2 (unbound), D1 re-INVITEs without the a=ssrc: later packets route to D2', async () => {
    const d1 = { callId: 'd1@x', fromTag: 'f1', toTag: 't1' };
    const d2 = { callId: 'c2@x', fromTag: 'f2', toTag: 't2' };
    const r = await replayBoth(
      ws,
      [...callSetup({ ...d1, offer: offerOf(4000, 'apt-a'), answer: answerOf(5000) }), ...callSetup({ ...d2, offer: offerOf(6000, 'apt-b'), answer: answerOf(7000) }), nat(), nat(), ...reinvite('d1@x', offerOf(4000, 'apt-a', false), answerOf(5000), 2, 'f1', 't1'), nat(), nat()],
      POL,
    );
    expect({ rows: rowsOf(r.w0.bindings), same: r.same }).toEqual({ rows: ['c2@x a=ssrc [apt-b]', 'null null []'], same: true });
  });
});
