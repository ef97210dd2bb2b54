/**
 * Found by a review of SDP binding, fixed since. A packet was routed by its destination address
 * alone when that address was registered, the source looked at only when the destination was
 * unknown; and a dialog naming an address took it over from the dialogs naming it before
 * (TransportMap.addSection). An address several live dialogs name — the caller's, in every
 * early dialog of a forked INVITE (RFC 3261 §13.2.2.4, early media RFC 3960) — therefore handed
 * every packet sent to it to the dialog whose SDP came last.
 *
 * Input: one INVITE, offer `c=IN IP4 10.0.0.1` `m=audio 4000`; a forking proxy returns two 183s
 * with answers from two phones — to-tag t1 `c=IN IP4 10.0.0.21` `m=audio 5000` with
 * `a=aipref:mid apt-2` (export none) and to-tag t2 `c=IN IP4 10.0.0.22` `m=audio 6000` with
 * `a=aipref:mid apt-1` (export raw); each phone sends an SR to the caller's 10.0.0.1:4001.
 * Was: both streams bound to t2 (`21 t2 transport [apt-1]`), phone 1's SR exported raw under
 * phone 2's preference, its own SDP saying export none. Now every live dialog's claim on an
 * address is kept, and a datagram goes to the dialog that names both its ends (else the
 * destination's newest): SSRC 21 to t1, dropped. The same served two calls to a single-port
 * media server, and an attended transfer reusing a port while the old dialog runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, type Pkt, rtcp, sdp, sipMsg, sr } from './calls-on-any-address.js';
import { replayBoth } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-1': { type: 'user', export: 'raw', retention: '1h' },
    'apt-2': { type: 'user', export: 'none', retention: '1h' },
  },
});

describe('forked early media: two 183 answers from two phones, each sending RTCP to the caller', () => {
  it("each fork's stream binds to its own early dialog (its source address names only that one)", async () => {
    const callId = 'fork@x';
    const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}`;
    const from = `From: <sip:a@${A}>;tag=ft`;
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a']]);
    const resp = (status: string, tt: string, body: string | null): Pkt => ({
      src: B,
      dst: A,
      sport: 5060,
      dport: 5060,
      payload: sipMsg([`SIP/2.0 ${status}`, via, from, `To: <sip:b@${B}>;tag=${tt}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${B}:5060>`], body),
    });
    const pkts: Pkt[] = [
      { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via, from, `To: <sip:b@${B}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}:5060>`], offer) },
      resp('183 Session Progress', 't1', sdp('10.0.0.21', [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-2']])),
      resp('183 Session Progress', 't2', sdp('10.0.0.22', [['m=audio 6000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-1']])),
      rtcp('10.0.0.21', A, 5001, 4001, [sr(21)]),
      rtcp('10.0.0.22', A, 6001, 4001, [sr(22)]),
    ];
    const r = await replayBoth(ws, pkts, POL);
    const rows = r.w0.bindings.map((b) => `${b.ssrc} ${(b.dialog as { toTag: string } | null)?.toTag ?? null} ${b.via} [${b.apt}]`).sort();
    expect(rows).toEqual(['21 t1 transport [apt-2]', '22 t2 transport [apt-1]']);
    expect(r.w0.decisions.map((d) => `${d.ssrc} ${d.decision} [${d.apt}]`)).toEqual(['21 drop [apt-2]', '22 export [apt-1]']);
    expect(r.same).toBe(true);
  });
});
