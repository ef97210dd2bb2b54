/**
 * Checks of the carried SDES tags at 217ad86 that came out fine (replays run 0 and 2 workers and
 * compare exports, reports and decisions; one also 1 worker):
 *  - IPv6: a tag sent before signaling between two IPv6 addresses is carried into the call at its
 *    first routed SR; a tag of another port pair between the same hosts is not; --workers 1 gives
 *    the same lines as 0 and 2;
 *  - the notes' IPv4 key is the shard's unbound session key: over 3,000 random transport pairs
 *    (either direction, ports ±1, odd/even edges), a note is taken by a packet exactly when
 *    unboundSessionKey names one session for both datagrams;
 *  - snap-cut compounds: a tag in a packet captured whole before the cut is noted and carried, a
 *    tag in the packet the cut falls in is not (neither does the core read it);
 *  - a report block about SSRC 0 does name SSRC 0 (a report block's 0 is a source for the core too);
 *  - SFU, the reverse direction: the first packet naming the forwarded source 5001 is A's RR to
 *    the SFU (A → SFU); the tag still goes to conf-b, which declares 5001, and the SFU's SR of
 *    5001 there is dropped under apt-none.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, replayLines, Workspace } from '../../e2e/e2e-helpers.js';
import { callSetup, replay, rtcp, sdesPriv, sdp, sr } from '../../e2e/calls-on-any-address.js';
import { replay as confReplay } from '../../e2e/calls-on-any-address.js';
import { conference, rrP, rtcpOn, sdesP, srP } from '../../e2e/conference-review/conf-call.js';
import { THREE } from '../../e2e/hand-built-calls.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { UnboundTags } from '../../../src/pipeline/unbound-tags.js';
import { unboundSessionKey } from '../../../src/pipeline/media-core.js';
import { ReusableAddress } from '../../../src/pipeline/media-work.js';
import type { PacketView } from '../../../native-free/types.js';

/** an IPv4 address as a PacketView's text has it */
const dotted = (x: number): string => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');

const ws = new Workspace();
afterAll(() => ws.cleanup());

const v4 = (bytes: Uint8Array, src4: number, sport: number, dst4: number, dport: number, cut = 0, len = bytes.length) =>
  ({ bytes, payloadOffset: 0, payloadLength: len, payloadCut: cut, ipVersion: 4, src4, dst4, sport, dport, src: dotted(src4), dst: dotted(dst4), ts: 0 }) as unknown as PacketView;
const srOf = (ssrc: number, about: number[] = []) =>
  ({ pt: 200, ssrc, ntpSec: 1, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: about.map((s) => ({ ssrc: s, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 })) }) as never;
const privOf = (ssrc: number, value: string) => ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'c' }, { type: 8, prefix: 'aipref', value }] }] }) as never;
const rtpBytes = (ssrc: number) => {
  const b = new Uint8Array(12);
  b[0] = 0x80;
  new DataView(b.buffer).setUint32(8, ssrc);
  return b;
};

describe('carried SDES tags (round 26, fourth review): checked fine', () => {
  it('IPv6: carried into the call on its transport pair, not from another port pair; 0, 1 and 2 workers agree', async () => {
    const A6 = 'fd00::1';
    const B6 = 'fd00::2';
    const raw = (addr: string, port: number) => sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv']], ['a=aipref:session apt-raw']);
    const r = await replay(
      ws,
      [
        rtcp(A6, B6, 4001, 5001, [sr(1111), sdesPriv(1111, 'apt-none')]), // 1
        rtcp(A6, B6, 4011, 5011, [sr(2222), sdesPriv(2222, 'apt-none')]), // 2: another port pair
        ...callSetup({ offer: raw(A6, 4000), answer: raw(B6, 5000) }), // 3-5
        rtcp(A6, B6, 4001, 5001, [sr(1111)]), // 6
        rtcp(A6, B6, 4001, 5001, [sr(2222)]), // 7: 2222 on the call's pair: not noted there
      ],
      THREE,
    );
    const d = r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} [${x.apt}]`);
    expect(d.filter((x) => x.startsWith('6 ') || x.startsWith('7 '))).toEqual(['6 1111 drop export-none [apt-none]', '7 2222 export raw-allowed [apt-raw]']);
    const one = await replayLines({ capture: r.file, policy: THREE, explain: true, workers: 1 });
    const zero = await replayLines({ capture: r.file, policy: THREE, explain: true, workers: 0 });
    expect({ e: one.exports, r: one.reports, d: one.decisions }).toEqual({ e: zero.exports, r: zero.reports, d: zero.decisions });
  });

  it("the IPv4 note key is the shard's unbound session key (3,000 random pairs)", () => {
    let a = 12345;
    const rnd = (n: number) => {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      return (a >>> 16) % n;
    };
    const tagged = encodeRtcpCompound([srOf(7), privOf(7, 'apt-x')]);
    const addr = new ReusableAddress();
    const key = (s: number, sp: number, d: number, dp: number) => {
      addr.set(s, d, sp, dp, null, null);
      return unboundSessionKey(addr);
    };
    let same = 0;
    for (let i = 0; i < 3000; i++) {
      const hosts = [0x0a000001, 0x0a000002, 0x0a000003, 0xc0a80001];
      const s = hosts[rnd(2)]!;
      const d = hosts[2 + rnd(2)]!;
      const sp = 4000 + rnd(4);
      const dp = 5000 + rnd(4);
      const t = new UnboundTags(10);
      t.note(v4(tagged, s, sp, d, dp), 1);
      const flip = rnd(2) === 1;
      const s2 = flip ? hosts[2 + rnd(2)]! : hosts[rnd(2)]!;
      const d2 = flip ? hosts[rnd(2)]! : hosts[2 + rnd(2)]!;
      const sp2 = (flip ? 5000 : 4000) + rnd(4);
      const dp2 = (flip ? 4000 : 5000) + rnd(4);
      const want = key(s, sp, d, dp) === key(s2, sp2, d2, dp2);
      if (want) same++;
      expect(t.take(v4(rtpBytes(7), s2, sp2, d2, dp2), false) !== undefined, `pair ${i}`).toBe(want);
    }
    expect(same).toBeGreaterThan(100);
  });

  it('snap-cut compounds: a tag in a whole packet is noted, one in the packet the cut falls in is not', () => {
    const whole = encodeRtcpCompound([srOf(7), privOf(7, 'apt-x'), srOf(9)]);
    const t = new UnboundTags(10);
    t.note(v4(whole, 1, 4001, 2, 5001, 8, whole.length - 8), 1); // the cut in the last SR
    expect(t.take(v4(rtpBytes(7), 1, 4000, 2, 5000), false)).toEqual([{ ssrc: 7, apts: ['apt-x'] }]);
    const cutInSdes = encodeRtcpCompound([srOf(7), privOf(7, 'apt-x')]);
    const u = new UnboundTags(10);
    u.note(v4(cutInSdes, 1, 4001, 2, 5001, 4, cutInSdes.length - 4), 1);
    expect(u.size).toBe(0);
  });

  it('a report block about SSRC 0 names SSRC 0 (as the core counts it)', () => {
    const t = new UnboundTags(10);
    t.note(v4(encodeRtcpCompound([srOf(0), privOf(0, 'apt-x')]), 1, 4001, 2, 5001), 1);
    t.refresh(v4(encodeRtcpCompound([srOf(2222, [0])]), 2, 5001, 1, 4001), null);
    expect(t.take(v4(rtpBytes(0), 1, 4000, 2, 5000), false)).toEqual([{ ssrc: 0, apts: ['apt-x'] }]);
  });

  it("SFU, reverse direction: A's RR about the forwarded 5001 first; the tag still goes to conf-b, which declares it", async () => {
    const rawP = { type: 'domain', export: 'raw', retention: '1h' };
    const POL = policyOf({ apts: { 'apt-a': rawP, 'apt-b': rawP, 'apt-c': rawP, 'apt-none': { type: 'user', export: 'none', retention: '1h' } } });
    const tagged = rtcpOn('SA', 'A', [srP(5001), sdesP([{ ssrc: 5001, items: [{ type: 1, text: 'bob@b' }, { type: 8, prefix: 'aipref', value: 'apt-none' }] }])]);
    const conf = conference({ aSession: ['a=aipref:session apt-a'], bSession: ['a=aipref:session apt-b'], cSession: ['a=aipref:session apt-c'] });
    const pkts = [tagged, ...conf, rtcpOn('A', 'SA', [rrP(1111, [5001])]), rtcpOn('SA', 'A', [srP(5001)])];
    const r = await confReplay(ws, pkts, POL);
    const n = pkts.length;
    const d = r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} [${x.apt}]`);
    expect(d.filter((x) => x.startsWith(`${n} `))).toEqual([`${n} 5001 drop export-none [apt-none]`]);
    const row = (call: string) => r.bindings.find((b) => b.ssrc === 5001 && (b.dialog as { callId?: string } | null)?.callId === call)?.apt;
    expect(row('conf-b')).toEqual(['apt-b', 'apt-none']);
  });
});
