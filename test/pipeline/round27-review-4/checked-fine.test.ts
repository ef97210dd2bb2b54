/**
 * Checks of d9bc394 (UnboundTags.refresh keeps a pair's notes with an unbound RTCP compound only
 * where touchesAStream) and 11fa661 (on a plain RTP/AVP transport, a compound that may be
 * encrypted is tried with the kept keys of its sender's ended dialogs) that came out fine.
 * Every capture is replayed with 0 and 2 workers (flows.run compares decisions, reports, exports
 * and the summary).
 *
 * d9bc394, the danger direction (the main thread letting a note go while the shard still holds the
 * tagged stream): 64 pairs, each noted at t=0 (A's SR(1111) + SDES PRIV aipref=apt-none), then at
 * t=200 a seeded random unbound compound X from B (1–3 packets of SR, SR cut to its header, RR
 * with/without a block, RR whose count overruns its length, SDES with CNAME / MID / RID / PRIV
 * aipref pref-id / PRIV aipref non-pref-id / other PRIV / no item / no chunk, BYE with 0–2
 * sources, APP, unknown type, IJ after RR, IJ alone, generic NACK and PLI with sender SSRC 0,
 * XR without and with a block; SSRCs from {0, 1111, 3333, 4444}; a third cut by the snap
 * length), a sweep at t=350, an unbound probe SR(1111) at t=355 (the shard's view), the pair's own
 * call at t=360, 1111's SR in it at t=361 (the main thread's view): wherever the shard still held
 * the tag, the call got it. A few fixed cases one by one too: the shard's and the main thread's
 * views agree for BYE alone, PLI with sender 0, XR with a block, IJ after an RR, a compound whose
 * first packet is broken, over IPv6, and SRTCP sent after its dialog's BYE (the plaintext read
 * unbound: an RTCP BYE under the ended keys keeps the note; a compound whose plaintext is an SDES
 * header with no chunk does not).
 *
 * 11fa661: on a plain new call after an SRTP call on the same addresses ended (A's keys kept),
 * plain RTCP that is merely malformed (trailing bytes that do not chain; an unknown-type packet;
 * an RR whose count overruns it), and a compound cut by the snap length under AES_CM_128_HMAC_SHA1_80
 * keys without an MKI (4k − 14 is never an SRTCP compound length), are read and reported exactly
 * as with c1 plain; and the late SRTCP's plaintext, read in c2, names the same SSRCs on the main
 * thread (a carried tag reaches c2 by a report block in the plaintext).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sdpAt, setup } from '../../e2e/port-reuse-review/common.js';
import { inline, srtcp } from '../../e2e/srtcp-helpers.js';
import { rng } from '../../e2e/unrouted/unrouted-helpers.js';
import { at, calls, kA, kA2, kB, type P, run, type Run, sdesTag, srIn } from '../round27-keyring-review/flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';
const plainSdp = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
const other = (t = 350) => setup('c9', t, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null));

// ---- raw RTCP packets ------------------------------------------------------------------------
const word = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const pkt = (count: number, pt: number, body: number[]) => {
  const padded = [...body];
  while (padded.length % 4 !== 0) padded.push(0);
  return [0x80 | count, pt, ...word(padded.length / 4).slice(2), ...padded];
};
const text = (s: string) => [...Buffer.from(s)];
const item = (type: number, bytes: number[]) => [type, bytes.length, ...bytes];
const chunk = (ssrc: number, items: number[][]) => {
  const b = [...word(ssrc), ...items.flat(), 0];
  while (b.length % 4 !== 0) b.push(0);
  return b;
};
const priv = (prefix: string, value: string) => item(8, [prefix.length, ...text(prefix), ...text(value)]);
const block = (ssrc: number) => [...word(ssrc), 0, 0, 0, 0, ...word(1), ...word(0), ...word(0), ...word(0)];

const kinds: Record<string, (s: number) => number[]> = {
  sr: (s) => pkt(0, 200, [...word(s), ...word(3976214400), ...word(0), ...word(0), ...word(10), ...word(100)]),
  srHeader: (s) => pkt(0, 200, word(s)),
  rr: (s) => pkt(0, 201, word(s)),
  rrBlock: (s) => pkt(1, 201, [...word(s), ...block(1111)]),
  rrOverrun: (s) => pkt(2, 201, [...word(s), ...block(1111)]),
  sdesCname: (s) => pkt(1, 202, chunk(s, [item(1, text('c@x'))])),
  sdesMid: (s) => pkt(1, 202, chunk(s, [item(10, text('a'))])),
  sdesRid: (s) => pkt(1, 202, chunk(s, [item(12, text('r0'))])),
  sdesTag: (s) => pkt(1, 202, chunk(s, [priv('aipref', 'apt-x')])),
  sdesBadTag: (s) => pkt(1, 202, chunk(s, [priv('aipref', 'a b"c')])),
  sdesOtherPriv: (s) => pkt(1, 202, chunk(s, [priv('other', 'v')])),
  sdesNoItem: (s) => pkt(1, 202, chunk(s, [])),
  sdesNoChunk: () => pkt(0, 202, []),
  bye: (s) => pkt(1, 203, word(s)),
  bye0: () => pkt(0, 203, []),
  bye2: (s) => pkt(2, 203, [...word(s), ...word(4444)]),
  app: (s) => pkt(0, 204, [...word(s), ...text('abcd')]),
  unknown: (s) => pkt(0, 210, word(s)),
  ij: () => pkt(1, 195, word(7)),
  nack0: (s) => pkt(1, 205, [...word(0), ...word(s), ...word(0x00050000)]),
  pli0: (s) => pkt(1, 206, [...word(0), ...word(s)]),
  xrEmpty: (s) => pkt(0, 207, word(s)),
  xrRrt: (s) => pkt(0, 207, [...word(s), 4, 0, 0, 2, ...word(1), ...word(2)]),
};
const names = Object.keys(kinds);
const ssrcs = [0, 1111, 3333, 4444];

function randomCompound(r: () => number): { bytes: Uint8Array; cut: number; label: string } {
  const n = 1 + Math.floor(r() * 3);
  const parts: string[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) {
    const kind = names[Math.floor(r() * names.length)]!;
    const s = ssrcs[Math.floor(r() * ssrcs.length)]!;
    parts.push(`${kind}(${s})`);
    bytes.push(...kinds[kind]!(s));
  }
  const cut = r() < 1 / 3 && bytes.length > 8 ? 1 + Math.floor(r() * (bytes.length - 8)) : 0;
  return { bytes: Uint8Array.from(bytes), cut, label: parts.join('+') + (cut ? ` cut ${cut}` : '') };
}

/** pair i: A:4000+2i / B:5000+2i; `x` from B at t=200; frames of the probe (t=355) and the call's SR (t=361) */
function pairs(xs: { bytes: Uint8Array; cut: number }[], v6 = false) {
  const a = v6 ? '2001:db8::1' : A;
  const b = v6 ? '2001:db8::2' : B;
  const c = calls(false, v6 ? { v6: true } : {});
  const first: P[] = [];
  const mid: P[] = [];
  const probes: P[] = [];
  const setups: P[] = [];
  const last: P[] = [];
  xs.forEach((x, i) => {
    first.push(c.rtcp(0, a, 4001 + 2 * i, b, 5001 + 2 * i, kA, [srIn(1111), sdesTag(1111, 'apt-none')]));
    mid.push({ ts: 200, src: b, dst: a, sport: 5001 + 2 * i, dport: 4001 + 2 * i, payload: x.bytes, ...(x.cut ? { cut: x.cut } : {}) });
    probes.push(c.rtcp(355, a, 4001 + 2 * i, b, 5001 + 2 * i, kA, [srIn(1111)]));
    setups.push(...c.setup(`p${i}`, 360 + i * 0.001, c.sdp(a, 4000 + 2 * i, kA), c.sdp(b, 5000 + 2 * i, kB)));
    last.push(c.rtcp(361 + i * 0.001, a, 4001 + 2 * i, b, 5001 + 2 * i, kA, [srIn(1111)]));
  });
  const pkts = [...first, ...mid, ...other(), ...probes, ...setups, ...last];
  const probeFrame = (i: number) => first.length + mid.length + 3 + i + 1;
  const lastFrame = (i: number) => first.length + mid.length + 3 + probes.length + setups.length + i + 1;
  return { pkts, probeFrame, lastFrame };
}

const tagged = (o: Run, frame: number) => at(o, frame).some((d) => d.endsWith(' apt-none'));

describe('d9bc394: a note is never let go where the shard still holds the tagged stream', () => {
  it('64 seeded random unbound compounds at t=200: shard kept the tag ⇒ the call got it', async () => {
    const r = rng(0x27d4);
    const xs = Array.from({ length: 64 }, () => randomCompound(r));
    const { pkts, probeFrame, lastFrame } = pairs(xs);
    const o = await run(ws, 'fuzz-touch', pkts);
    const lost: string[] = [];
    let shardKept = 0;
    xs.forEach((x, i) => {
      const shard = tagged(o, probeFrame(i));
      const main = tagged(o, lastFrame(i));
      if (shard) shardKept++;
      if (shard && !main) lost.push(x.label);
    });
    expect(lost).toEqual([]);
    // the sample is not degenerate: some kept, some let go
    expect(shardKept).toBeGreaterThan(8);
    expect(shardKept).toBeLessThan(64);
  });

  const fixed: [string, number[], number][] = [
    ['BYE alone', kinds.bye!(3333), 0],
    ['BYE listing no source', kinds.bye0!(0), 0],
    ['PLI with sender SSRC 0', kinds.pli0!(1111), 0],
    ['generic NACK with sender SSRC 0', kinds.nack0!(3333), 0],
    ['XR with an RRT block', kinds.xrRrt!(3333), 0],
    ['IJ after an RR', [...kinds.rrBlock!(3333), ...kinds.ij!(0)], 0],
    ['an RR whose count overruns it, then an SDES CNAME', [...kinds.rrOverrun!(3333), ...kinds.sdesCname!(3333)], 0],
    ['APP alone', kinds.app!(3333), 0],
    ['an SR cut inside its sender info', kinds.sr!(3333), 12],
    ['an SDES header with no chunk', kinds.sdesNoChunk!(0), 0],
    ['an XR with no block', kinds.xrEmpty!(3333), 0],
  ];
  for (const v6 of [false, true]) {
    it(`the shard's view and the main thread's agree, one by one${v6 ? ' (IPv6)' : ''}`, async () => {
      const xs = fixed.map(([, b, cut]) => ({ bytes: Uint8Array.from(b), cut }));
      const { pkts, probeFrame, lastFrame } = pairs(xs, v6);
      const o = await run(ws, `fixed-touch${v6 ? '-v6' : ''}`, pkts);
      const views = fixed.map(([name], i) => `${name}: shard ${tagged(o, probeFrame(i))} main ${tagged(o, lastFrame(i))}`);
      expect(views).toEqual(fixed.map(([name], i) => `${name}: shard ${i < 8} main ${i < 8}`));
    });
  }

  it("SRTCP after its dialog's BYE, read unbound by its plaintext: an RTCP BYE keeps the note, an SDES header with no chunk does not, as in the shard", async () => {
    const views = async (name: string, late: number[]) => {
      const c = calls(true);
      // c0 (A 4100 kA, B 5100 kB) ends at t=1; at t=2 A's plain SR + SDES apt-none on the pair,
      // unbound (noted); at t=20 B's SRTCP under kB, read unbound by its plaintext (c0's grace);
      // a sweep at t=310.01 (308 s after the note, 290 s after the late SRTCP); probe at t=315;
      // call c1 on the pair at t=320, 1111's SR at t=321
      const pkts: P[] = [
        ...c.setup('c0', 0, c.sdp(A, 4100, kA), c.sdp(B, 5100, kB)),
        ...c.bye('c0', 1, 2),
        calls(false).rtcp(2, A, 4101, B, 5101, kA, [srIn(1111), sdesTag(1111, 'apt-none')]),
        { ts: 20, src: B, dst: A, sport: 5101, dport: 4101, payload: srtcp(Uint8Array.from(late), kB, 7) },
        ...other(310),
        calls(false).rtcp(315, A, 4101, B, 5101, kA, [srIn(1111)]),
        ...calls(false).setup('c1', 320, plainSdp(A, 4100), plainSdp(B, 5100)),
        calls(false).rtcp(321, A, 4101, B, 5101, kA, [srIn(1111)]),
      ];
      const o = await run(ws, `late-srtcp-touch-${name}`, pkts);
      expect(o.summary.rtcp).toBe(4); // the late SRTCP was read (counted as RTCP)
      return `shard ${tagged(o, 11)} main ${tagged(o, 15)}`;
    };
    expect(await views('bye', [...kinds.bye!(2222), ...kinds.app!(2222)])).toBe('shard true main true');
    expect(await views('empty-sdes', [...kinds.sdesNoChunk!(0), ...kinds.sdesNoChunk!(0)])).toBe('shard false main false');
  });
});

describe('11fa661: plain RTCP on a plain call after an SRTP call on the same addresses ended', () => {
  /** c1 (SRTP with `cryptoA` when `secureC1`, else plain), BYE at 10, plain c2 at 10.5, then A's `x` (frame 9) and a plain SR (frame 10) */
  function flow(secureC1: boolean, x: P, cryptoA = `AES_CM_128_HMAC_SHA1_80 inline:${inline(kA)}`): P[] {
    const p = calls(false);
    const savp = (ip: string, port: number, line: string) => sdpAt(ip, port, null, ['a=aipref:session apt-raw'], [`a=crypto:1 ${line}`]).replace('RTP/AVP', 'RTP/SAVP');
    const c1 = secureC1 ? p.setup('c1', 0, savp(A, 4000, cryptoA), savp(B, 5000, `AES_CM_128_HMAC_SHA1_80 inline:${inline(kB)}`)) : p.setup('c1', 0, plainSdp(A, 4000), plainSdp(B, 5000));
    return [...c1, ...p.bye('c1', 10, 2), ...p.setup('c2', 10.5, plainSdp(A, 4000), plainSdp(B, 5000)), x, p.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)])];
  }
  const tagThen = (tail: number[]) => Uint8Array.from([...encodeRtcpCompound([srIn(1111), sdesTag(1111, 'apt-none')]), ...tail]);
  const cases: [string, P][] = [
    ['6 trailing bytes that do not chain', { ts: 11, src: A, dst: B, sport: 4001, dport: 5001, payload: tagThen([1, 2, 3, 4, 5, 6]) }],
    ['a packet of type 0 after the tag', { ts: 11, src: A, dst: B, sport: 4001, dport: 5001, payload: tagThen([0x80, 0, 0, 1, 0, 0, 0, 1]) }],
    ['a packet of an unknown RTCP type after the tag', { ts: 11, src: A, dst: B, sport: 4001, dport: 5001, payload: tagThen(kinds.unknown!(1111)) }],
    ['an RR whose count overruns it, then the tag', { ts: 11, src: A, dst: B, sport: 4001, dport: 5001, payload: Uint8Array.from([...kinds.rrOverrun!(1111), ...encodeRtcpCompound([sdesTag(1111, 'apt-none')])]) }],
    ['cut by the snap length under AES_CM_80 keys without an MKI', { ts: 11, src: A, dst: B, sport: 4001, dport: 5001, payload: tagThen(kinds.bye!(1111).concat(kinds.app!(1111))), cut: 12 }],
  ];
  for (const [name, x] of cases) {
    it(`${name}: read and reported as with c1 plain`, async () => {
      const slug = name.replace(/\W+/g, '-');
      const oracle = await run(ws, `plain-oracle-${slug}`, flow(false, x));
      const o = await run(ws, `plain-after-srtp-${slug}`, flow(true, x));
      expect(o.d).toEqual(oracle.d);
      expect(o.r).toEqual(oracle.r);
      expect(o.exports).toEqual(oracle.exports);
      expect(at(o, 10)).toEqual(['10 1111 drop export-none apt-none']);
    });
  }
});
