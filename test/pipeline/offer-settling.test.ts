/**
 * The signaling front settling what offers and early answers brought (SPEC §5), driven message by
 * message: nothing stays pending once a call is over, a reload keeps what awaits its answer, and a
 * refused offer keeps the AI-Pref values stated meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';

describe('parts an initial INVITE without SDP stated do not outlive the call', () => {
  it('INVITE (no SDP, AI-Pref) → 200 with the offer → (ACK lost) → BYE: nothing is left pending', async () => {
    const front = new SignalingFront(parsePolicy(JSON.stringify({ apts: {} }), 'p.json'));
    const c = 'leak-call';
    await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: c, cseq: '1 INVITE', aiPref: 'apt-x;scope=dialog;type=user;export=none;retention=1h' }), udpContext(1));
    await front.message(callMessage('SIP/2.0 200 OK', { callId: c, cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp() }), udpContext(2));
    await front.message(callMessage('BYE sip:bob@b.example SIP/2.0', { callId: c, cseq: '2 BYE', toTag: 'b1' }), udpContext(3));
    await front.message(callMessage('SIP/2.0 200 OK', { callId: c, cseq: '2 BYE', toTag: 'b1' }), udpContext(4));
    expect(front.heldDialogs()).toBe(0);
    const registry = (front as unknown as { registry: { pendingParts(): { offer: string }[] } }).registry;
    expect(registry.pendingParts()).toEqual([]);
  });
});

describe('a policy reload while an early answer awaits its 2xx', () => {
  for (const final of ['488', '200'] as const) {
    it(`re-INVITE with version 2, 183 answer, reload, then ${final}`, async () => {
      const policy = () => parsePolicy(JSON.stringify({ apts: {} }), 'p.json');
      const front = new SignalingFront(policy());
      const c = 'reload-call';
      const V1 = 'apt-v;scope=dialog;type=user;version=1;export=aggregated-only;retention=1h';
      const V2 = 'apt-v;scope=dialog;type=user;version=2;export=raw;retention=1h';
      let f = 0;
      const send = (start: string, o: Parameters<typeof callMessage>[1]) => front.message(callMessage(start, o), udpContext(++f));
      await send('INVITE sip:bob@b.example SIP/2.0', { callId: c, cseq: '1 INVITE', aiPref: V1, sdp: audioSdp() });
      await send('SIP/2.0 200 OK', { callId: c, cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2' }) });
      await send('ACK sip:bob@b.example SIP/2.0', { callId: c, cseq: '1 ACK', toTag: 'b1' });
      await send('INVITE sip:bob@b.example SIP/2.0', { callId: c, cseq: '2 INVITE', toTag: 'b1', aiPref: V2, sdp: audioSdp({ version: 2 }) });
      await send('SIP/2.0 183 Session Progress', { callId: c, cseq: '2 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2', version: 2 }) });
      front.updatePolicy(policy(), 10, f, 1000 + f);
      if (final === '488') await send('SIP/2.0 488 Not Acceptable Here', { callId: c, cseq: '2 INVITE', toTag: 'b1', headers: ['Warning: 399 aipref "no"'] });
      else await send('SIP/2.0 200 OK', { callId: c, cseq: '2 INVITE', toTag: 'b1' });
      const registry = (front as unknown as { registry: { get(id: string): { export: string | null; version: number | null }; pendingParts(): unknown[] } }).registry;
      expect(registry.get('apt-v')).toMatchObject(final === '488' ? { export: 'aggregated-only', version: 1 } : { export: 'raw', version: 2 });
      expect(registry.pendingParts()).toEqual([]);
    });
  }
});

describe('a dialog joined at a re-INVITE answered 183, an INFO, then 488', () => {
  for (const early of [false, true]) {
    it(`the INFO's AI-Pref values stay in force (${early ? 'with' : 'without'} a 183 answer)`, async () => {
      const front = new SignalingFront(parsePolicy(JSON.stringify({ apts: {} }), 'p.json'));
      const c = 'adopted-call';
      let f = 0;
      const send = (start: string, o: Parameters<typeof callMessage>[1]) => front.message(callMessage(start, o), udpContext(++f));
      await send('INVITE sip:bob@b.example SIP/2.0', { callId: c, cseq: '7 INVITE', toTag: 'b1', sdp: audioSdp({ media: ['a=aipref:apt-raw'] }) });
      if (early) await send('SIP/2.0 183 Session Progress', { callId: c, cseq: '7 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2' }) });
      await send('INFO sip:bob@b.example SIP/2.0', { callId: c, cseq: '8 INFO', toTag: 'b1', aiPref: 'apt-agg;scope=dialog' });
      front.takeEvents();
      await send('SIP/2.0 488 Not Acceptable Here', { callId: c, cseq: '7 INVITE', toTag: 'b1', headers: ['Warning: 399 aipref "no"'] });
      const scopes = front.takeEvents().flatMap((e) => (e.kind === 'scope' ? [e.scope] : []));
      expect(scopes.at(-1)?.dialogApts).toEqual(['apt-agg']);
    });
  }
});
