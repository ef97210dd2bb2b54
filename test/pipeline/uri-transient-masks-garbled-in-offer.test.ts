/**
 * apt-registry.ts markUnreadable/settle (after 9c6d8a4/d88b228): under an offer, one
 * unreadable mark was kept per offer and identifier. When the offer's AI-Pref uri= handle cannot be
 * fetched (transient) and the same message's SDP has an a=aipref line for the identifier that
 * breaks its grammar (unreadable for good: here a key given twice), the second mark is dropped,
 * so the answer commits a *transient* failure only — and a later successful fetch lifts it:
 * the garbled line no longer counts. Outside an offer the same two marks give a failure for good
 * ("a failure for good takes the place of a transient one"), which no fetch lifts.
 */
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { AptRegistry } from '../../src/policy/apt-registry.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';
import { FlakyResolver, HANDLE, lastStatement } from './uri-fixtures.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';


const GARBLED = 'a=aipref:session apt-h export=none export=raw';


describe('review: an unfetchable handle and an unreadable a=aipref line in one offer', () => {
  it('registry: the unreadable mark for good survives a transient one of the same offer', () => {
    const reg = new AptRegistry();
    reg.markUnreadable('apt-h', 'could not be fetched', 'o1', true);
    reg.markUnreadable('apt-h', 'a=aipref line breaks the grammar', 'o1', false);
    reg.settle('o1', true);
    // a later fetch succeeds: only a failure to fetch would be lifted
    expect(reg.recover('apt-h')).toBe(false);
    expect(reg.get('apt-h').status).toBe('unresolved');
  });

  it('front: after the answer, a later successful fetch does not lift what the garbled line made unresolved', async () => {
    const resolver = new FlakyResolver(false, { type: 'user', export: 'raw' });
    const front = new SignalingFront(emptyPolicy(), resolver);
    const events: CoreEvent[] = [];
    await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 INVITE', aiPref: HANDLE, sdp: audioSdp({ version: 1, session: [GARBLED] }) }), udpContext(1));
    await front.message(callMessage('SIP/2.0 200 OK', { callId: 'c1', cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2', version: 1 }) }), udpContext(2));
    await front.message(callMessage('ACK sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 ACK', toTag: 'b1' }), udpContext(3));
    events.push(...front.takeEvents());
    expect(lastStatement(events, 'apt-h')?.status).toBe('unresolved');
    // another call names the handle; now it can be fetched, and its answer confirms it
    resolver.up = true;
    await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'c2', cseq: '1 INVITE', aiPref: HANDLE, sdp: audioSdp({ version: 1, port: 5000 }) }), udpContext(4));
    await front.message(callMessage('SIP/2.0 200 OK', { callId: 'c2', cseq: '1 INVITE', toTag: 'b2', sdp: audioSdp({ ip: '192.0.2.2', version: 1, port: 5000 }) }), udpContext(5));
    events.push(...front.takeEvents());
    // the garbled a=aipref line is unreadable for good (README: "for the rest of the capture")
    expect(lastStatement(events, 'apt-h')?.status).toBe('unresolved');
    expect(lastStatement(events, 'apt-h')?.export).toBe('none');
  });
});
