/**
 * Input: the caller A 10.0.0.1 sends SR(1111) + SDES{PRIV aipref=apt-none} from 4001 to the relay
 *   10.0.0.2:5001 (frame 1) before the capture's INVITE (a mirror's SIP arriving late); then
 *   INVITE (A's offer m=audio 4000, a=aipref:session apt-raw, frame 2); a forking proxy's two
 *   183s, both phones behind the relay: to-tag t1 at 10.0.0.2:5000 (frame 3), t2 at
 *   10.0.0.2:6000 (frame 4), both apt-raw; A's plain SR(1111) to t2's 6001 (frame 5); the 200 OK
 *   of t1 and its ACK (frames 6–7); A's plain SR(1111) to t1's 5001 (frame 8). THREE policy,
 *   0 and 2 workers.
 * Was: frame 5 is the first routed packet between 10.0.0.1 and 10.0.0.2 naming 1111 (ports
 *   aside), so the tag is carried into the early dialog t2 — the fork that lost — and the answered
 *   dialog t1 never gets it: '8 1111 export raw-allowed [apt-raw]'; bindings
 *   '1111 t2 [apt-raw,apt-none]', '1111 t1 [apt-raw]'.
 * Correct: SPEC §2.4 / README Binding ("as if that packet had repeated them"): the tagged compound
 *   went to 5001, t1's transport; sent after signaling it is routed to t1 (the dialog naming both
 *   its ends), so the same capture with the tag there gives '8 1111 drop export-none [apt-none]',
 *   t1's row [apt-raw, apt-none] and t2's [apt-raw] (frame 5 exported raw in t2).
 * Fix: src/pipeline/unbound-tags.ts + replay-engine.ts carryTags: keep the noted datagram's ports
 *   (and sender) and carry the note to the dialog that datagram routes to now (its own ends, as
 *   routeOf would route it), not the dialog of whichever packet between the two addresses named
 *   the SSRC first — the same cause as carry-goes-to-reporting-call-not-declaring-call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, type Pkt, replay, rtcp, sdesPriv, sdp, sipMsg, sr } from '../../e2e/calls-on-any-address.js';
import { THREE } from '../../e2e/hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const R = '10.0.0.2';
const callId = 'fork@x';
const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}`;
const from = `From: <sip:a@${A}>;tag=ft`;
const raw = (addr: string, port: number) => sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv']], ['a=aipref:session apt-raw']);
const resp = (status: string, tt: string, body: string | null): Pkt => ({
  src: R,
  dst: A,
  sport: 5060,
  dport: 5060,
  payload: sipMsg([`SIP/2.0 ${status}`, via, from, `To: <sip:b@${R}>;tag=${tt}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${R}:5060>`], body),
});
const invite: Pkt = { src: A, dst: R, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via, from, `To: <sip:b@${R}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}:5060>`], raw(A, 4000)) };
const ack: Pkt = { src: A, dst: R, sport: 5060, dport: 5060, payload: sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-ack`, from, `To: <sip:b@${R}>;tag=t1`, `Call-ID: ${callId}`, 'CSeq: 1 ACK'], null) };

describe('a forked INVITE: the caller tagged its stream to one fork before the capture saw the INVITE', () => {
  it('the tag goes with the fork it was sent to (which is answered), not the fork the caller reached first', async () => {
    const r = await replay(
      ws,
      [
        rtcp(A, R, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-none')]), // 1: to t1's transport, before signaling
        invite, // 2
        resp('183 Session Progress', 't1', raw(R, 5000)), // 3
        resp('183 Session Progress', 't2', raw(R, 6000)), // 4
        rtcp(A, R, 4001, 6001, [sr(1111)]), // 5: to t2
        resp('200 OK', 't1', raw(R, 5000)), // 6
        ack, // 7
        rtcp(A, R, 4001, 5001, [sr(1111)]), // 8: to t1, the answered fork
      ],
      THREE,
    );
    const d = r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} [${x.apt}]`);
    expect(d.filter((x) => x.startsWith('8 '))).toEqual(['8 1111 drop export-none [apt-none]']);
    expect(d.filter((x) => x.startsWith('5 '))).toEqual(['5 1111 export raw-allowed [apt-raw]']);
    const row = (tt: string) => r.bindings.find((b) => b.ssrc === 1111 && (b.dialog as { toTag?: string } | null)?.toTag === tt)?.apt;
    expect(row('t1')).toEqual(['apt-raw', 'apt-none']);
    expect(row('t2')).toEqual(['apt-raw']);
  });
});
