/**
 * Input: an SFU conference (test/e2e/conference-review/conf-call.ts): before any signaling, the
 *   SFU 10.0.0.2:5000 sends A 10.0.0.1:4000 a forwarded compound SR(5001) + SDES{5001 CNAME
 *   bob@b, PRIV aipref=apt-none} (frame 1: unbound, noted on the pair SFU–A). Then the three calls
 *   (frames 2–10): conf-a (A ↔ SFU:5000, BUNDLE, the SFU's answer declares a=ssrc:9001, session
 *   apt-a raw), conf-b (B sends 5001, a=ssrc:5001, session apt-b raw), conf-c. Then the SFU's
 *   forwarded RTP of 5001 to A (mid r, frame 11), its SR(5001) to A (frame 12), and A's RR
 *   about 5001 (frame 13). Policy: apt-a, apt-b, apt-c raw, apt-none export none. 0 and 2 workers.
 * Was: frame 11 (RTP of 5001, routed to conf-a by its address) is the first packet between SFU
 *   and A that names 5001, so UnboundTags.take() carries the tag into conf-a's stream 5001. The
 *   SFU's SR of 5001 at frame 12 is routed to conf-b (RTCP whose sender another call declares,
 *   TransportMap.declaredOver), where 5001's stream never got the tag:
 *   '12 5001 export raw-allowed [apt-b]' — the apt-none source's SR exported raw; and A's RR
 *   about 5001 in conf-a is dropped under apt-none ('13 1111 drop export-none [apt-none]').
 *   Bindings: '5001 conf-a rtp-mid [apt-a,apt-none]', '5001 conf-b a=ssrc [apt-b]'.
 * Correct: README Binding ("as if that packet had repeated them"; an item about a source another
 *   call declares is governed by that call's signaling, "not the source's SDES tags, which are
 *   read where that call's packets are") and SPEC §2.4 (a tag binds its SSRC): the same compound
 *   sent after signaling is routed to conf-b and tags conf-b's 5001 — so the SR at 12 is dropped
 *   (export-none, apt-none), conf-b's row names apt-b and apt-none, conf-a's 5001 row does not,
 *   and A's RR at 13 is exported as it is then ([apt-a, apt-b]).
 * Fix: src/pipeline/unbound-tags.ts + replay-engine.ts carryTags: keep each note's datagram ends
 *   (ports too) and sender, and at take() carry it to the dialog that datagram routes to now
 *   (routeOf on the noted ends and sender: negotiatedTransport, then declaredOver) and that
 *   dialog's shard, not to the dialog of the packet that happened to name the SSRC first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { replay } from '../../e2e/calls-on-any-address.js';
import { conference, rrP, rtcpOn, rtpOn, sdesP, srP } from '../../e2e/conference-review/conf-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const raw = { type: 'domain', export: 'raw', retention: '1h' };
const POL = policyOf({ apts: { 'apt-a': raw, 'apt-b': raw, 'apt-c': raw, 'apt-none': { type: 'user', export: 'none', retention: '1h' } } });
const tagged = () => rtcpOn('SA', 'A', [srP(5001), sdesP([{ ssrc: 5001, items: [{ type: 1, text: 'bob@b' }, { type: 8, prefix: 'aipref', value: 'apt-none' }] }])]);
const conf = () => conference({ aSession: ['a=aipref:session apt-a'], bSession: ['a=aipref:session apt-b'], cSession: ['a=aipref:session apt-c'] });

describe("SFU: a forwarded source's tag sent before signaling", () => {
  it('is carried where that source\'s own RTCP is read (the declaring call), not into the call whose RTP named it first', async () => {
    const r = await replay(ws, [tagged(), ...conf(), rtpOn('SA', 'A', 5001, [{ id: 4, v: 'r' }]), rtcpOn('SA', 'A', [srP(5001)]), rtcpOn('A', 'SA', [rrP(1111, [5001])])], POL);
    const d = r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} [${x.apt}]`);
    expect(d.filter((x) => x.startsWith('12 '))).toEqual(['12 5001 drop export-none [apt-none]']);
    expect(d.filter((x) => x.startsWith('13 '))).toEqual(['13 1111 export raw-allowed [apt-a,apt-b]']);
    const row = (call: string) => r.bindings.find((b) => b.ssrc === 5001 && (b.dialog as { callId?: string } | null)?.callId === call)?.apt;
    expect(row('conf-b')).toEqual(['apt-b', 'apt-none']);
    expect(row('conf-a')).toEqual(['apt-a']);
  });
});
