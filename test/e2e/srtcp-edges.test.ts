/**
 * SRTCP edges a review checked (each with 0 and 2 workers), held here:
 *  - SDES SRTCP of compounds padded (P bit, RFC 3550 §6.4.1) at SRTCP indexes ≥ 2¹⁶ and just under
 *    2³¹ (the index in the IV's bytes 10–13, RFC 3711 §4.1.1) replays as the plain padded call;
 *  - SRTCP (DTLS-SRTP) from ports no SDP names, routed by a sender SSRC an a=ssrc declares
 *    (SPEC §2's route): not read, reported encrypted-rtcp (undeclared ones, with no signaling
 *    to say they are SRTCP, are malformed plain RTCP: a known limit);
 *  - re-INVITE RTP/SAVPF (DTLS) → RTP/AVPF → RTP/SAVPF: plain RTCP of the middle period read,
 *    SRTCP of both secure periods not (encrypted-rtcp once per stream, not again after the
 *    second switch).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { replayLines, SMALL_POLICY, Workspace, type ReplayLines } from './e2e-helpers.js';
import { decidedFrames, reportsOf, rewrite, savp, srtcp, withCrypto } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

function padded(p: Uint8Array, n: number): Uint8Array {
  let pos = 0;
  let last = 0;
  while (pos < p.length) {
    last = pos;
    pos += (((p[pos + 2]! << 8) | p[pos + 3]!) + 1) * 4;
  }
  const b = Buffer.concat([Buffer.from(p), Buffer.alloc(n)]);
  b[b.length - 1] = n;
  b[last] = b[last]! | 0x20;
  b.writeUInt16BE(b.readUInt16BE(last + 2) + n / 4, last + 2);
  return b;
}

async function both(capture: string): Promise<ReplayLines> {
  const policy = await loadPolicyFile(SMALL_POLICY);
  const one = await replayLines({ capture, policy });
  const two = await replayLines({ capture, policy, workers: 2 });
  expect(two.decisions).toEqual(one.decisions);
  expect(two.exports).toEqual(one.exports);
  expect(two.reports).toEqual(one.reports);
  return one;
}

describe('checks (pass)', () => {
  it('padded compounds at SRTCP indexes ≥ 2^16 and near 2^31 decrypt to the plain padded call', async () => {
    const plain = await both(await rewrite(ws, 'padded.pcap', { rtcp: (_f, u) => ({ ...u, payload: padded(u.payload, 8) }) }));
    expect(plain.result.summary.malformed).toBe(0);
    for (const start of [0x10000, 0x7fffffc0]) {
      const run = await both(
        await rewrite(ws, `sdes-${start}.pcap`, {
          sdp: (body, _s, side) => withCrypto(savp(body), `1 AES_CM_128_HMAC_SHA1_80 inline:${side.key}|2^31`),
          rtcp: (_f, u, side) => ({ ...u, payload: srtcp(padded(u.payload, 8), side.m, start + ++side.index) }),
        }),
      );
      expect(run.decisions).toEqual(plain.decisions);
      expect(run.reports).toEqual(plain.reports);
    }
  });

  it('SRTCP from ports no SDP names, its sender SSRC declared by a=ssrc: not read, encrypted-rtcp', async () => {
    const declared = [1078747615, 449395149, 2436217407];
    const run = await both(
      await rewrite(ws, 'moved.pcap', {
        sdp: (body) => savp(body),
        rtcp: (_f, u, side) => ({ ...u, sport: u.sport + 1000, dport: u.dport + 1000, payload: srtcp(u.payload, side.m, ++side.index) }),
      }),
    );
    expect(reportsOf(run, 'encrypted-rtcp').map((r) => r.ssrc).sort()).toEqual([...declared].sort());
    const frames = decidedFrames(run);
    for (const f of [54, 110, 122, 185, 208, 260]) expect(frames).not.toContain(f);
  });

  it('re-INVITE SAVPF (DTLS) → AVPF → SAVPF: only the plain period read', async () => {
    const call0 = /^10\.[12]\.0\.1$/;
    const run = await both(
      await rewrite(ws, 'reinvite.pcap', {
        sdp: (body, _s, _side, frame) => ((frame < 231 || frame >= 289) && /c=IN IP4 10\.[12]\.0\.1\r\n/.test(body) ? savp(body) : null),
        rtcp: (f, u, side) => (call0.test(u.src) && (f < 235 || f >= 291) ? { ...u, payload: srtcp(u.payload, side.m, ++side.index) } : undefined),
      }),
    );
    const frames = decidedFrames(run);
    expect(frames).toContain(271);
    expect(frames).toContain(278);
    for (const f of [41, 54, 141, 185, 310, 316, 352, 419, 422]) expect(frames).not.toContain(f);
    expect(reportsOf(run, 'encrypted-rtcp')).toHaveLength(4);
    expect(run.result.summary.malformed).toBe(0);
  });
});
