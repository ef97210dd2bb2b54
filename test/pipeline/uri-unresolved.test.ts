/**
 * SPEC §3: "An APT that cannot be resolved (unknown `uri`, repository miss) ... counts as the
 * most restrictive statement for its scope and is reported (`unresolved-apt`)". README (live):
 * "a handle that cannot be fetched counts as the most restrictive statement and is reported
 * `unresolved-apt`". uri-resolver.ts: "Any failure ... yields `unresolved`, which the caller
 * counts as the most restrictive statement."
 *
 * The identifier whose handle cannot be fetched also has a part elsewhere (here an SDP `a=aipref`
 * line saying export=raw — SPEC §3: all parts of one pref-id are one statement): the failed
 * fetch made it most restrictive only in the report (the shards got the SDP's `raw`, before the fix). A failure
 * to fetch is the network's, not the handle's: a later fetch that succeeds lifts it.
 */
import { describe, expect, it } from 'vitest';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';
import { FlakyResolver, HANDLE, lastStatement } from './uri-fixtures.js';
import { audioSdp, callMessage, udpContext } from '../signaling/sip-fixtures.js';



async function call(front: SignalingFront, aiPref: string | undefined, callId = 'uri-1') {
  const sdp = audioSdp({ session: ['a=aipref:session apt-h export=raw'] });
  await front.message(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: '1 INVITE', aiPref, sdp }), udpContext(1));
  await front.message(callMessage('SIP/2.0 200 OK', { callId, cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2', session: ['a=aipref:session apt-h export=raw'] }) }), udpContext(2));
}

describe('live: a uri= handle that cannot be fetched (SPEC §3 unresolved → most restrictive)', () => {
  it('control: without a handle, the SDP part alone makes apt-h export=raw', async () => {
    const front = new SignalingFront(emptyPolicy());
    await call(front, undefined);
    expect(lastStatement(front.takeEvents(), 'apt-h')?.export).toBe('raw');
  });

  it('an unfetchable handle is reported unresolved-apt AND the identifier counts as the most restrictive statement', async () => {
    const resolver = new FlakyResolver();
    const front = new SignalingFront(emptyPolicy(), resolver);
    await call(front, HANDLE);
    expect(resolver.fetched).toEqual(['https://prefs.example/apt/h']);
    const reports = front.takeReports().map((l) => JSON.parse(l.text) as { type: string; apt?: string[] });
    // the report is made ...
    expect(reports.some((r) => r.type === 'unresolved-apt' && r.apt?.[0] === 'apt-h')).toBe(true);
    // ... but what is enforced is the SDP part's raw, not the most restrictive statement
    const st = lastStatement(front.takeEvents(), 'apt-h');
    expect(st).toBeDefined();
    expect(st!.export).toBe('none');
  });

  it('a later fetch that succeeds lifts it: the handle and the SDP line are one statement again', async () => {
    const resolver = new FlakyResolver();
    const front = new SignalingFront(emptyPolicy(), resolver);
    await call(front, HANDLE);
    expect(lastStatement(front.takeEvents(), 'apt-h')?.export).toBe('none');
    resolver.up = true;
    await call(front, HANDLE, 'uri-2');
    // the handle's aggregated-only with the SDP's raw: the stricter
    expect(lastStatement(front.takeEvents(), 'apt-h')).toMatchObject({ status: 'resolved', export: 'aggregated-only' });
  });
});
