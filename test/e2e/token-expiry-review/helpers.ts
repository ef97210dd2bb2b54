import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { expect } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { parseLines, policyOf, replayLines, type ReplayLines, type ReportLine, type Workspace } from '../e2e-helpers.js';
import { type At, T0, writeCall } from '../hand-built-calls.js';

export let signer: CryptoKey;
export let jwk: JWK;
export async function keys(): Promise<void> {
  const pair = await generateKeyPair('ES256');
  signer = pair.privateKey;
  jwk = await exportJWK(pair.publicKey);
}
export const policy = (extra: Record<string, unknown> = {}) => policyOf({ apts: {}, keys: { k1: jwk }, ...extra } as never);

export async function token(o: { exp?: number; nbf?: number; exportValue?: string; sub?: string }): Promise<string> {
  let j = new SignJWT({ type: 'user', export: o.exportValue ?? 'raw' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt(T0 - 60);
  if (o.sub !== undefined) j = j.setSubject(o.sub);
  if (o.exp !== undefined) j = j.setExpirationTime(T0 + o.exp);
  if (o.nbf !== undefined) j = j.setNotBefore(T0 + o.nbf);
  return j.sign(signer);
}
export const aiPref = async (o: { exp?: number; nbf?: number; exportValue?: string }) => `AI-Pref: apt-x;integrity=jws;token=${await token({ sub: 'apt-x', ...o })}`;

/** A's SR (SSRC `ssrc`) to B's RTCP port at `ts`, distinct packet count */
export const rtcpAt = (at: At, ts: number, ssrc = 1111, sport = 4001, dport = 5001) =>
  at(ts, encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: Math.round(ts * 1000) + ssrc, octetCount: 100, reports: [] }]), true, sport, dport);

/** Replays with workers 0 and 2, maxBatchRecords undefined and 1..7: all identical (SPEC §8). */
export async function replayAll(ws: Workspace, name: string, write: (at: At) => void, pol = policy()): Promise<ReplayLines> {
  const file = await ws.file(`${name}.pcap`);
  await writeCall(file, write);
  const base = await replayLines({ capture: file, policy: pol, workers: 0, explain: true });
  for (const workers of [0, 2]) {
    for (const maxBatchRecords of [undefined, 1, 2, 3, 4, 5, 6, 7]) {
      const r = await replayLines({ capture: file, policy: pol, workers, explain: true, ...(maxBatchRecords !== undefined ? { maxBatchRecords } : {}) });
      const label = `workers ${workers} batches ${maxBatchRecords}`;
      expect(r.decisions, label).toEqual(base.decisions);
      expect(r.reports, label).toEqual(base.reports);
      expect(r.exports, label).toEqual(base.exports);
    }
  }
  return base;
}
export const integrity = (run: ReplayLines) => parseLines<ReportLine>(run.reports).filter((r) => r.type === 'integrity-failure');
export { T0 };
