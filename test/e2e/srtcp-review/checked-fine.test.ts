/**
 * SRTCP review (RFC 3711, RFC 7714, RFC 4568): checks that turned out FINE, kept as regressions.
 * Oracle: werift's SrtcpSession (AES_CM_128_HMAC_SHA1_80 = profile 1, AEAD_AES_128_GCM = profile 7)
 * and, where werift has no such form (AES-256, AEAD_AES_256_GCM, E=0), the review's own senders
 * (test/e2e/srtcp-helpers.ts for AES-CM, oracle.ts gcmSrtcp checked here against werift). Each
 * capture is the sample call with each side's a=crypto in its SDP and its RTCP protected; the
 * reference is the plain RTP/AVP sample (or the same edit of it), and every replay runs with
 * workers 0 and 2:
 *  - every suite (AES_CM_128_HMAC_SHA1_80/_32, AES_256_CM_HMAC_SHA1_80, AEAD_AES_128_GCM,
 *    AEAD_AES_256_GCM) × {no MKI, lifetime + 2-byte MKI, E=0 (UNENCRYPTED_SRTCP) + 1-byte MKI}:
 *    exports, decisions, reports, summary and bindings identical to the plain call;
 *  - two keys on one line (`inline:K1|2^2|1:2;inline:K2|2^20|2:2`), the sender switching to K2 at
 *    its 4th compound; a line of another suite before the sender's (tag 2, 3-byte MKI); suite
 *    names in lower case; `UNENCRYPTED_SRTCP` session param with E=0 compounds;
 *  - best-effort SRTP (a=crypto on RTP/AVPF in offer and answer), AES-CM and GCM;
 *  - re-INVITE re-key with a compound in flight under the old key (srtcp-rekey-in-flight's
 *    scenario) with workers 2 as well;
 *  - a wrong tag (one bit of frame 54's tag flipped, AES-CM and GCM): not decided (its 5 items
 *    missing), one `encrypted-rtcp` "no a=crypto key authenticates it" for SSRC 1078747615 at
 *    frame 54, nothing else changed;
 *  - a byte-identical SRTCP copy 1 µs later: one decision (as the plain copy, README's 50 ms rule);
 *    the same SRTCP packet (same index) again ~0.4 s later: decided again, as the plain compound
 *    repeated is (README: only copies within 50 ms are one);
 *  - BUNDLE (RFC 8843) with SDES, keys on both m-sections or on the first only: as plain.
 */
import { SrtcpSession } from 'werift';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile, type PolicyFile } from '../../../src/policy/policy-file.js';
import { parseLines, policyOf, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, type ReplayLines, type ReportLine } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sdesMid, sr, type Pkt } from '../calls-on-any-address.js';
import { editSample, type Udp } from '../sample-edits.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp, srtcp, type Master } from '../srtcp-helpers.js';
import { gcmSrtcp, inlineOf, keyedCapture, master, Sender, type SuiteName } from './oracle.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const SUITES: SuiteName[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_80', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM'];
const view = (r: ReplayLines) => ({ exports: r.exports, decisions: r.decisions, reports: r.reports, summary: r.result.summary, bindings: r.result.bindings });

let policy: PolicyFile;
let plain: ReplayLines;
async function both(capture: string): Promise<ReplayLines[]> {
  return [await replayLines({ capture, policy, workers: 0 }), await replayLines({ capture, policy, workers: 2 })];
}
async function asPlain(capture: string, ref = plain): Promise<void> {
  for (const r of await both(capture)) expect(view(r)).toEqual(view(ref));
}

describe('SRTCP review: checks that pass', () => {
  it('setup', async () => {
    policy = await loadPolicyFile(SMALL_POLICY);
    plain = await replayLines({ capture: SMALL_PCAP, policy });
    expect(plain.decisions.length).toBe(254);
  });

  it("the review's GCM sender is werift's byte for byte; werift opens its E=0 packets", () => {
    const m = master('AEAD_AES_128_GCM');
    const w = new SrtcpSession({ keys: { localMasterKey: m.key, localMasterSalt: m.salt, remoteMasterKey: m.key, remoteMasterSalt: m.salt }, profile: 7 });
    const p = Buffer.from('81c90007000000050000123403000007000111700000002a0000000000000000', 'hex');
    expect(gcmSrtcp(p, m, 1).toString('hex')).toBe(w.encrypt(p).toString('hex'));
    expect(w.decrypt(gcmSrtcp(p, m, 5, { encrypt: false })).toString('hex')).toBe(p.toString('hex'));
  });

  for (const suite of SUITES) {
    it(`${suite}: no MKI, lifetime + MKI, E=0 + MKI — replays as the plain call`, async () => {
      for (const [variant, tail, mki, encrypt] of [
        ['plain', '', undefined, true],
        ['life-mki2', '|2^31|7:2', Buffer.from([0, 7]), true],
        ['e0-mki1', '|7:1', Buffer.from([7]), false],
      ] as const) {
        await asPlain(
          await keyedCapture(ws, `${suite}-${variant}.pcap`, suite, {
            line: (s) => `${suite} inline:${inlineOf(s.keys[0]!)}${tail}`,
            sender: (s) => new Sender(suite, s.keys[0]!, { ...(mki && { mki }), encrypt }),
          }),
        );
      }
    });
  }

  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_256_GCM'] as SuiteName[]) {
    it(`${suite}: two keys on one line (switch at the 4th compound), another suite's line first, lower-case suite, UNENCRYPTED_SRTCP, best-effort RTP/AVP`, async () => {
      class Switching extends Sender {
        constructor(private readonly a: Sender, private readonly b: Sender) {
          super(suite, a.m, { useWerift: false });
        }
        override send(p: Uint8Array) {
          this.index++;
          return (this.index < 4 ? this.a : this.b).send(p);
        }
      }
      await asPlain(
        await keyedCapture(ws, `two-${suite}.pcap`, suite, {
          line: (s) => `${suite} inline:${inlineOf(s.keys[0]!)}|2^2|1:2;inline:${inlineOf(s.keys[1]!)}|2^20|2:2`,
          sender: (s) => new Switching(new Sender(suite, s.keys[0]!, { mki: Buffer.from([0, 1]) }), new Sender(suite, s.keys[1]!, { mki: Buffer.from([0, 2]) })),
        }, 2),
      );
      const other: SuiteName = suite === 'AES_CM_128_HMAC_SHA1_80' ? 'AEAD_AES_128_GCM' : 'AES_CM_128_HMAC_SHA1_80';
      await asPlain(
        await keyedCapture(ws, `second-${suite}.pcap`, suite, {
          line: (s) => `${other} inline:${inlineOf(master(other))}\r\na=crypto:2 ${suite} inline:${inlineOf(s.keys[0]!)}|2^31|5:3`,
          sender: (s) => new Sender(suite, s.keys[0]!, { mki: Buffer.from([0, 0, 5]) }),
        }),
      );
      await asPlain(await keyedCapture(ws, `lower-${suite}.pcap`, suite, { line: (s) => `${suite.toLowerCase()} inline:${inlineOf(s.keys[0]!)}`, sender: (s) => new Sender(suite, s.keys[0]!) }));
      await asPlain(await keyedCapture(ws, `unenc-${suite}.pcap`, suite, { line: (s) => `${suite} inline:${inlineOf(s.keys[0]!)}|2^20 UNENCRYPTED_SRTCP`, sender: (s) => new Sender(suite, s.keys[0]!, { encrypt: false }) }));
      await asPlain(await keyedCapture(ws, `avp-${suite}.pcap`, suite, { profile: 'avp', line: (s) => `${suite} inline:${inlineOf(s.keys[0]!)}`, sender: (s) => new Sender(suite, s.keys[0]!) }));
    });
  }

  it('re-INVITE re-key with a compound in flight under the old key: as plain with workers 0 and 2', async () => {
    const REKEYING = new Set(['10.1.0.2', '10.2.0.2']);
    const sides = new Map<string, { keys: Master[]; index: number; sent?: boolean }>();
    const side = (ip: string) => sides.get(ip) ?? (sides.set(ip, { keys: [newMaster()], index: 0 }), sides.get(ip)!);
    const capture = await rewriteSample(ws, 'rekey.pcap', (frame, u) => {
      const s = side(u.src);
      if (isSip(u)) {
        const o = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body) => {
          if (REKEYING.has(u.src) && s.sent) s.keys.push(newMaster());
          s.sent = true;
          return body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(s.keys[s.keys.length - 1]!)}|2^31`);
        });
        return o === null ? null : Buffer.from(o, 'latin1');
      }
      if (!isRtcp(u.payload)) return null;
      return srtcp(u.payload, frame === 247 ? s.keys[s.keys.length - 2]! : s.keys[s.keys.length - 1]!, ++s.index);
    });
    await asPlain(capture);
  });

  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] as SuiteName[]) {
    it(`${suite}: a wrong tag is reported, not decided; copies within 50 ms are one; a same-index repeat later is decided as the plain repeat`, async () => {
      const capA = await keyedCapture(ws, `tag-${suite}.pcap`, suite, {
        line: (s) => `${suite} inline:${inlineOf(s.keys[0]!)}`,
        sender: (s) => new Sender(suite, s.keys[0]!),
        rtcp: (f, u, p) => {
          if (f !== 54) return { ...u, payload: p };
          const b = Buffer.from(p);
          b[suite.startsWith('AEAD') ? b.length - 5 : b.length - 1]! ^= 1;
          return { ...u, payload: b };
        },
      });
      for (const r of await both(capA)) {
        expect(r.decisions).toEqual(plain.decisions.filter((l) => !l.startsWith('{"frame":54,')));
        expect(plain.decisions.filter((l) => l.startsWith('{"frame":54,'))).toHaveLength(5);
        const extra = parseLines<ReportLine>(r.reports.filter((l) => !plain.reports.includes(l)));
        expect(extra.map((x) => [x.type, x.frame, x.ssrc, x.detail])).toEqual([
          ['encrypted-rtcp', 54, 1078747615, 'SRTCP (secure RTP: RTP/SAVP, SAVPF, or SDES keys the answer accepted) not decrypted, no a=crypto key authenticates it: none of its telemetry is read, decided or exported'],
        ]);
        expect(r.result.summary.telemetry).toEqual({ export: 0, aggregate: 58, drop: 191 });
      }
      for (const [name, at] of [['copy', 54], ['repeat', 99]] as const) {
        let p54: Udp | null = null;
        const ref = await replayLines({
          capture: await editSample(ws, `p-${name}.pcap`, { map: (f, u) => (f === 54 ? ((p54 = u), undefined) : undefined), after: (f) => (f === at ? [p54!] : []) }),
          policy,
        });
        // the plain copy within 50 ms is one (254 decisions), the repeat 0.4 s later is decided again (259)
        expect(ref.decisions.length).toBe(name === 'copy' ? 254 : 259);
        let s54: Udp | null = null;
        await asPlain(
          await keyedCapture(ws, `${name}-${suite}.pcap`, suite, {
            line: (s) => `${suite} inline:${inlineOf(s.keys[0]!)}`,
            sender: (s) => new Sender(suite, s.keys[0]!),
            rtcp: (f, u, p) => (f === 54 ? (s54 = { ...u, payload: p }) : { ...u, payload: p }),
            after: (f) => (f === at ? [s54!] : []),
          }),
          ref,
        );
      }
    });
  }

  it('BUNDLE with SDES (keys on both m-sections, or on the first only): as plain', async () => {
    const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } } });
    for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] as SuiteName[]) {
      for (const videoCrypto of [true, false]) {
        const ka = master(suite);
        const kb = master(suite);
        const c = (k: Master) => `a=crypto:1 ${suite} inline:${inlineOf(k)}`;
        const offer = (sec: boolean) => sdp(A, [[`m=audio 4000 RTP/${sec ? 'S' : ''}AVPF 0`, 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a', ...(sec ? [c(ka)] : [])], [`m=video 0 RTP/${sec ? 'S' : ''}AVPF 96`, 'a=mid:v', 'a=bundle-only', 'a=aipref:mid apt-v', ...(sec && videoCrypto ? [c(ka)] : [])]], ['a=group:BUNDLE a v']);
        const answer = (sec: boolean) => sdp(B, [[`m=audio 5000 RTP/${sec ? 'S' : ''}AVPF 0`, 'a=mid:a', 'a=rtcp-mux', ...(sec ? [c(kb)] : [])], [`m=video 5000 RTP/${sec ? 'S' : ''}AVPF 96`, 'a=mid:v', 'a=rtcp-mux', ...(sec && videoCrypto ? [c(kb)] : [])]], ['a=group:BUNDLE a v']);
        const media = [rtcp(B, A, 5000, 4000, [sr(4444), sdesMid(4444, 'v')]), rtcp(B, A, 5000, 4000, [sr(4444)]), rtcp(A, B, 4000, 5000, [sr(3333, [{ ssrc: 4444 }]), sdesMid(3333, 'a')])];
        const ref = await replay(ws, [...callSetup({ offer: offer(false), answer: answer(false) }), ...media], POL);
        expect(ref.decisions.length).toBeGreaterThan(3);
        const sb = new Sender(suite, kb);
        const sa = new Sender(suite, ka);
        const run = await replay(ws, [...callSetup({ offer: offer(true), answer: answer(true) }), ...media.map((p): Pkt => ({ ...p, payload: (p.src === B ? sb : sa).send(p.payload) }))], POL);
        expect({ r: run.reports, d: run.decisions, e: run.exports }).toEqual({ r: ref.reports, d: ref.decisions, e: ref.exports });
      }
    }
  });
});
