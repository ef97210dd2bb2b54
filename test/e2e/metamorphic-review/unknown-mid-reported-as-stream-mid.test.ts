/**
 * Found by a metamorphic review of replay, fixed since: a dialog's stream is named by its
 * m-section's mid only, never by one its packets say that no m-section has (streamMid).
 *
 * Input: samples/call-small.pcap with samples/policy.json, every RTP packet of SSRC 488716880
 * (call ffd04841f5f3b3dc-0@10.1.0.1, BUNDLE, `a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid`
 * in both m-sections; the stream is bound `via: sdes-priv`, mid null, in the plain sample)
 * given a one-byte RTP header extension element id 9 carrying the mid "x" — a mid that no
 * m-section of the dialog has (its m-sections are "a" and "v"). Replayed with 0 and 2 workers.
 * The same holds for SSRC 3102667785 of call 1a48910a79434079-2 (extmap:12, `via: dialog`).
 *
 * Was: the stream's binding and preference are unchanged (the mid binds nothing, as
 * test/pipeline/rtp-mid-bundle.test.ts "binds nothing by … a mid no m-section has" intends),
 * but every output now names the mid "x" as the stream's mid:
 *   bindings row  {"ssrc":488716880,…,"mid":"x","kind":null,…,"via":"sdes-priv"}
 *   aggregate     "stream":{"ssrc":488716880,"mid":"x","kind":null}
 *   bindings row  {"ssrc":3102667785,…,"mid":"x","kind":null,"apt":["urn:example:apt:call-3"],"via":"dialog"}
 * while the implicit-binding report for 3102667785 says "stream not bound to an m-section".
 * (Found metamorphically: adding an RTP header-extension element to RTP packets of a generated
 * capture whose SDP happened to map that id to sdes:mid turned `mid: null` into `mid: "*"`.)
 *
 * Correct: SPEC §4/§8 — an export's `stream` and a bindings row name the stream's mid, the
 * m-section it is bound to (SPEC §2: SDES MID / the RTP mid extension bind an SSRC to a mid,
 * i.e. to the m-section that has it). A mid that no m-section of the stream's dialog has binds
 * nothing (RFC 8843 §9.2 associates a packet with the m-section whose a=mid matches), so the
 * outputs must stay those of the plain sample: mid null, kind null, via unchanged.
 *
 * Fix: src/pipeline/media-core.ts identity() and src/pipeline/shard-state.ts (the bindings row,
 * line ~41) both fall back to `stream.learnedMid` when the stream has no section. Fall back to it
 * only for a stream no dialog holds (no scope to check it against), or only when the learned mid
 * names a section of the stream's scope — e.g. `stream.section?.mid ?? (stream.session.scope ? null : stream.learnedMid) ?? null`
 * in both places.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { editSample } from '../sample-edits.js';
import { SMALL_PCAP, Workspace } from '../e2e-helpers.js';
import { run, samplePolicy } from './mm.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** An RTP packet (no extension before) with a one-byte-header extension element `id` = `mid`. */
function withMid(p: Uint8Array, id: number, mid: string): Uint8Array {
  const b = Buffer.from(p);
  const v = Buffer.from(mid, 'latin1');
  let ext = Buffer.concat([Buffer.from([(id << 4) | (v.length - 1)]), v]);
  ext = Buffer.concat([ext, Buffer.alloc((4 - (ext.length % 4)) % 4)]);
  const out = Buffer.concat([b.subarray(0, 12), Buffer.from([0xbe, 0xde, 0, ext.length / 4]), ext, b.subarray(12)]);
  out[0] = out[0]! | 0x10;
  return out;
}
const isRtpOf = (p: Uint8Array, ssrc: number) => p.length >= 12 && p[0]! >> 6 === 2 && !(p[1]! >= 192 && p[1]! <= 223) && Buffer.from(p).readUInt32BE(8) === ssrc && !(p[0]! & 0x10);

describe('an RTP mid that no m-section of the dialog has', () => {
  for (const workers of [0, 2])
    it(`is not reported as the stream's mid (workers ${workers})`, async () => {
      const file = await editSample(ws, `unknown-mid-${workers}.pcap`, {
        map: (_f, u) => (isRtpOf(u.payload, 488716880) ? { ...u, payload: withMid(u.payload, 9, 'x') } : isRtpOf(u.payload, 3102667785) ? { ...u, payload: withMid(u.payload, 12, 'x') } : undefined),
      });
      const policy = await samplePolicy();
      const plain = await run(SMALL_PCAP, policy, workers);
      const edited = await run(file, policy, workers);
      const row = (o: typeof plain, ssrc: number) => o.bindings.filter((b) => b.ssrc === ssrc).map(({ mid, kind, via, apt }) => ({ mid, kind, via, apt }));
      // the plain sample, for reference
      expect(row(plain, 488716880)).toEqual([{ mid: null, kind: null, via: 'sdes-priv', apt: ['apt-dom-1', 'apt-repo-1', 'apt-priv-1'] }]);
      expect(row(plain, 3102667785)).toEqual([{ mid: null, kind: null, via: 'dialog', apt: ['urn:example:apt:call-3'] }]);
      // the edited capture must give the same rows and the same stream names in its exports
      expect(row(edited, 488716880)).toEqual([{ mid: null, kind: null, via: 'sdes-priv', apt: ['apt-dom-1', 'apt-repo-1', 'apt-priv-1'] }]);
      expect(row(edited, 3102667785)).toEqual([{ mid: null, kind: null, via: 'dialog', apt: ['urn:example:apt:call-3'] }]);
      const streams = (o: typeof plain) => o.exports.filter((e) => e.stream.ssrc === 488716880).map((e) => e.stream);
      expect(streams(plain).length).toBeGreaterThan(0);
      expect(streams(edited)).toEqual(streams(plain));
      expect(streams(edited).every((s) => s.mid === null && s.kind === null)).toBe(true);
    });
});
