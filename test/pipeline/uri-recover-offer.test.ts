/**
 * A transient 'unresolved' failure (a uri= handle that could not be fetched) was lifted by
 * `registry.recover()` the moment a later fetch succeeded — even when that fetch came with a
 * re-INVITE offer still awaiting its answer (now: at the answer, never after a refusal). SPEC §5: "restrictions take effect from the offer;
 * relaxations only once the answer confirms them ... A 488 answer with Warning: 399 aipref means
 * the peer refused: the offer's changes are discarded." The fetched part is held back for the
 * offer (and discarded by the refusal), but the lifting was not: the identifier fell to what its
 * other parts say (here the SDP's export=raw) — looser than both before (none) and the handle.
 */
import { describe, expect, it } from 'vitest';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';
import { FlakyResolver, HANDLE, lastStatement } from './uri-fixtures.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';



const offerSdp = (v: number) => audioSdp({ version: v, session: ['a=aipref:session apt-h export=raw'] });
const answerSdp = (v: number) => audioSdp({ ip: '192.0.2.2', version: v, session: ['a=aipref:session apt-h export=raw'] });

async function setUp(): Promise<{ front: SignalingFront; resolver: FlakyResolver }> {
  const resolver = new FlakyResolver();
  const front = new SignalingFront(emptyPolicy(), resolver);
  await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 INVITE', aiPref: HANDLE, sdp: offerSdp(1) }), udpContext(1));
  await front.message(callMessage('SIP/2.0 200 OK', { callId: 'c1', cseq: '1 INVITE', toTag: 'b1', sdp: answerSdp(1) }), udpContext(2));
  await front.message(callMessage('ACK sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '1 ACK', toTag: 'b1' }), udpContext(3));
  expect(lastStatement(front.takeEvents(), 'apt-h')?.export).toBe('none');
  resolver.up = true;
  // a re-INVITE naming the handle again; now the fetch succeeds
  await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId: 'c1', cseq: '2 INVITE', toTag: 'b1', aiPref: HANDLE, sdp: offerSdp(2) }), udpContext(4));
  return { front, resolver };
}

describe('review: a fetch that succeeds within an offer lifts the transient failure before the answer', () => {
  it('while the re-INVITE awaits its answer, apt-h stays as before the offer (none)', async () => {
    const { front } = await setUp();
    const st = lastStatement(front.takeEvents(), 'apt-h');
    // a relaxation (from none) only once the answer confirms it: unchanged until then
    if (st !== undefined) expect(st.export).toBe('none');
  });

  it('a refused re-INVITE (488 Warning: 399 aipref) leaves apt-h as it was (none), not raw', async () => {
    const { front } = await setUp();
    await front.message(callMessage('SIP/2.0 488 Not Acceptable Here', { callId: 'c1', cseq: '2 INVITE', toTag: 'b1', headers: ['Warning: 399 aipref "Preference unsupported"'] }), udpContext(5));
    const st = lastStatement(front.takeEvents(), 'apt-h');
    if (st !== undefined) expect(st.export).toBe('none');
  });
});
