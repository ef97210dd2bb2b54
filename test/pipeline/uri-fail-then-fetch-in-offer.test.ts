/**
 * Within one re-INVITE offer, a uri= handle that could not be fetched (the re-INVITE)
 * and then was fetched (its 183 answer, a later message of the same offer) ended, once the 2xx
 * confirmed the offer, as unresolved for good — although the latest fetch succeeded and, stated
 * outside an offer in the same order, the failure would have been lifted (recover). settle()
 * applied pendingRecovery first and the offer's transient pendingUnreadable after it, whatever
 * order they came in, and recover(id, offer) with no failure held yet recorded nothing (fixed).
 */
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { AptRegistry } from '../../src/policy/apt-registry.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';
import { FlakyResolver, HANDLE, lastStatement } from './uri-fixtures.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';


const offerSdp = (v: number) => audioSdp({ version: v });
const answerSdp = (v: number) => audioSdp({ ip: '192.0.2.2', version: v });


async function run(upAtSetUp: boolean) {
  const resolver = new FlakyResolver(true);
  const front = new SignalingFront(emptyPolicy(), resolver);
  const events: CoreEvent[] = [];
  resolver.up = upAtSetUp;
  await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 INVITE', aiPref: HANDLE, sdp: offerSdp(1) }), udpContext(1));
  await front.message(callMessage('SIP/2.0 200 OK', { callId: 'c1', cseq: '1 INVITE', toTag: 'b1', sdp: answerSdp(1) }), udpContext(2));
  await front.message(callMessage('ACK sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 ACK', toTag: 'b1' }), udpContext(3));
  events.push(...front.takeEvents());
  // the re-INVITE: the fetch fails
  resolver.up = false;
  await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '2 INVITE', toTag: 'b1', aiPref: HANDLE, sdp: offerSdp(2) }), udpContext(4));
  // its 183 answer, naming the handle again: now the fetch succeeds
  resolver.up = true;
  await front.message(callMessage('SIP/2.0 183 Session Progress', { callId: 'c1', cseq: '2 INVITE', toTag: 'b1', aiPref: HANDLE, sdp: answerSdp(2) }), udpContext(5));
  // the 2xx confirms the offer (no AI-Pref of its own)
  await front.message(callMessage('SIP/2.0 200 OK', { callId: 'c1', cseq: '2 INVITE', toTag: 'b1', sdp: answerSdp(2) }), udpContext(6));
  events.push(...front.takeEvents());
  return lastStatement(events, 'apt-h');
}

describe('review: a uri= handle failing then fetched within one answered offer', () => {
  it('nothing failed before the re-INVITE: the fetched statement stands after the 2xx (not unresolved)', async () => {
    const st = await run(true);
    expect(st?.status).toBe('resolved');
    expect(st?.export).toBe('aggregated-only');
  });

  it('a failure to fetch held before the re-INVITE: lifted after the 2xx by the 183\'s successful fetch', async () => {
    const st = await run(false);
    expect(st?.status).toBe('resolved');
    expect(st?.export).toBe('aggregated-only');
  });

  it('registry: fail then recover under one accepted offer ends as outside an offer (lifted)', () => {
    const part = { prefId: 'apt-h', source: 'uri-fetched' as const, origin: 'x', params: { export: 'aggregated-only' } };
    // outside an offer: fail, then a successful fetch lifts it
    const plain = AptRegistry.withParts([part]);
    plain.markUnreadable('apt-h', 'could not be fetched', null, true);
    plain.recover('apt-h');
    expect(plain.get('apt-h').status).toBe('resolved');
    // the same two, in the same order, under one offer that its answer accepts
    const offered = AptRegistry.withParts([part]);
    offered.markUnreadable('apt-h', 'could not be fetched', null, true);
    offered.markUnreadable('apt-h', 'could not be fetched', 'o1', true);
    offered.recover('apt-h', 'o1');
    offered.settle('o1', true);
    expect(offered.get('apt-h').status).toBe('resolved');
  });
});
