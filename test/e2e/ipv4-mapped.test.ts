/**
 * An SDP address written IPv4-mapped (c=IN IP6 ::ffff:10.0.0.2, what a dual-stack socket
 * reports for an IPv4 peer): the media comes over IPv4 (RFC 4291 §2.5.5.2 — mapped addresses
 * do not appear on the wire), so a stream to that IPv4 address is bound by transport.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, replay, rtp, sdp } from './calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** a relay's address no SDP names: only B's answered address can bind the stream */
const RELAY = '10.0.0.9';
const policy = policyOf({ apts: { 'apt-m': { type: 'user', export: 'raw', retention: '1h' } } });
const audio = (port: number) => [`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=aipref:mid apt-m', 'a=sendrecv'];

describe('IPv4-mapped SDP addresses', () => {
  it('bind IPv4 media by transport, whichever way the SDP spells the address', async () => {
    for (const spelled of ['::ffff:10.0.0.2', '::FFFF:A00:2', '0:0:0:0:0:ffff:0a00:0002']) {
      const run = await replay(ws, [...callSetup({ offer: sdp(A, [audio(4000)]), answer: sdp(spelled, [audio(5000)]) }), rtp(RELAY, B, 7000, 5000, 0x5151)], policy);
      expect(run.bindings.find((b) => b.ssrc === 0x5151), spelled).toMatchObject({ mid: 'a', via: 'transport', apt: ['apt-m'] });
    }
  });

  it('control: an IPv6 address that only ends like an IPv4 one (64:ff9b::/96, NAT64) binds no IPv4 media', async () => {
    const run = await replay(ws, [...callSetup({ offer: sdp(A, [audio(4000)]), answer: sdp('64:ff9b::a00:2', [audio(5000)]) }), rtp(RELAY, B, 7000, 5000, 0x5151)], policy);
    expect(run.bindings.find((b) => b.ssrc === 0x5151)?.via).not.toBe('transport');
  });
});
