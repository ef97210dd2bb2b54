/**
 * Checks of the carried SDES tags (a0f35dd, 9abb062) that came out fine, each replayed with 0 and
 * 2 workers (the helper compares exports, reports and decisions):
 *  - IPv6 media: a tag sent between two IPv6 addresses before signaling is carried (the pair key
 *    and the per-address counts take IPv6 text);
 *  - rtcp-mux: a tag sent on the RTP port before signaling is carried to a call with a=rtcp-mux;
 *  - a NAT'd sender the dialog routes by one end only (the SDP names 10.0.0.1, packets come from
 *    192.0.2.9): the tag noted between the public address and B is carried;
 *  - a tag whose value is no pref-id is noted as nothing (no carry, no binding-conflict).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { callSetup, replay, rtcp, sdesPriv, sdp, sr } from '../../e2e/calls-on-any-address.js';
import { THREE } from '../../e2e/hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const A6 = '2001:db8::1';
const B6 = '2001:db8::2';
const rawSdp = (addr: string, port: number, extra: string[] = []) => sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ...extra, 'a=sendrecv']], ['a=aipref:session apt-raw']);
const carried = (o: Awaited<ReturnType<typeof replay>>, callId: string) =>
  o.bindings.find((b) => b.ssrc === 1111 && (b.dialog as { callId?: string } | null)?.callId === callId)?.apt;
const decided = (o: Awaited<ReturnType<typeof replay>>, frame: number) => o.decisions.filter((d) => d.frame === frame).map((d) => `${d.ssrc} ${d.decision} ${d.reason}`);

describe('carried SDES tags: checked fine', () => {
  it('IPv6: the tag is carried between the same two IPv6 addresses', async () => {
    const o = await replay(
      ws,
      [
        rtcp(A6, B6, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-none')]), // frame 1
        ...callSetup({ callId: 'v6', offer: rawSdp(A6, 4000), answer: rawSdp(B6, 5000) }), // 2-4
        rtcp(A6, B6, 4001, 5001, [sr(1111)]), // frame 5
      ],
      THREE,
    );
    expect(decided(o, 5)).toEqual(['1111 drop export-none']);
    expect(carried(o, 'v6')).toEqual(['apt-raw', 'apt-none']);
    expect(o.exports).toEqual([]);
  });

  it('rtcp-mux: the tag sent on the RTP port is carried', async () => {
    const o = await replay(
      ws,
      [
        rtcp('10.0.0.1', '10.0.0.2', 4000, 5000, [sr(1111), sdesPriv(1111, 'apt-none')]),
        ...callSetup({ callId: 'mux', offer: rawSdp('10.0.0.1', 4000, ['a=rtcp-mux']), answer: rawSdp('10.0.0.2', 5000, ['a=rtcp-mux']) }),
        rtcp('10.0.0.1', '10.0.0.2', 4000, 5000, [sr(1111)]),
      ],
      THREE,
    );
    expect(decided(o, 5)).toEqual(['1111 drop export-none']);
    expect(carried(o, 'mux')).toEqual(['apt-raw', 'apt-none']);
    expect(o.exports).toEqual([]);
  });

  it("a NAT'd sender routed by the far end only: the tag noted from its public address is carried", async () => {
    const o = await replay(
      ws,
      [
        rtcp('192.0.2.9', '10.0.0.2', 30001, 5001, [sr(1111), sdesPriv(1111, 'apt-none')]),
        ...callSetup({ callId: 'nat', offer: rawSdp('10.0.0.1', 4000), answer: rawSdp('10.0.0.2', 5000) }),
        rtcp('192.0.2.9', '10.0.0.2', 30001, 5001, [sr(1111)]),
      ],
      THREE,
    );
    expect(decided(o, 5)).toEqual(['1111 drop export-none']);
    expect(carried(o, 'nat')).toEqual(['apt-raw', 'apt-none']);
    expect(o.exports).toEqual([]);
  });

  it('a PRIV aipref value that is no pref-id carries nothing', async () => {
    const o = await replay(
      ws,
      [
        rtcp('10.0.0.1', '10.0.0.2', 4001, 5001, [sr(1111), sdesPriv(1111, 'not a "token')]),
        ...callSetup({ callId: 'junk', offer: rawSdp('10.0.0.1', 4000), answer: rawSdp('10.0.0.2', 5000) }),
        rtcp('10.0.0.1', '10.0.0.2', 4001, 5001, [sr(1111)]),
      ],
      THREE,
    );
    expect(decided(o, 5)).toEqual(['1111 export raw-allowed']);
    expect(o.reports.filter((r) => r.type === 'binding-conflict')).toEqual([]);
  });
});
