/**
 * A signed APT's token expires during the call (SPEC §3: an APT that fails integrity — bad
 * signature, expired, revoked — counts as the most restrictive statement and is reported).
 * The token is verified when its INVITE arrives; from the first packet whose capture time
 * reaches its `exp`, the statement it vouched for no longer stands: telemetry is dropped and
 * the call is told (`integrity-failure`, expired), until a re-INVITE brings a fresh token.
 * The same with 0 and 2 media workers (replayCall), the expiry applied at the packet.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLines, policyOf, replayLines, type ReportLine, Workspace } from './e2e-helpers.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { decided, replayCall, request, response, sdpOf, T0 } from './hand-built-calls.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let signer: CryptoKey;
let jwk: JWK;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signer = pair.privateKey;
  jwk = await exportJWK(pair.publicKey);
});

/** apt-x's token: export raw, valid until T0 + `expSec` */
const token = (expSec: number) =>
  new SignJWT({ type: 'user', export: 'raw' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('apt-x').setIssuedAt(T0 - 60).setExpirationTime(T0 + expSec).sign(signer);

const aiPref = async (expSec: number) => `AI-Pref: apt-x;integrity=jws;token=${await token(expSec)}`;
/** A's SR (SSRC 1111) to B's RTCP port, its packet count the time (no two alike: a repeat would be a mirror's copy) */
const rtcpAt = (at: (ts: number, p: Uint8Array, fromA: boolean, sport?: number, dport?: number) => void, ts: number) =>
  at(ts, encodeRtcpCompound([{ pt: 200, ssrc: 1111, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: Math.round(ts * 1000), octetCount: 100, reports: [] }]), true, 4001, 5001);

describe('a signed statement whose token expires mid-call', () => {
  it('governs until its exp, then the call is dropped and told; a fresh token in a re-INVITE restores it', async () => {
    const first = await aiPref(10);
    const fresh = await aiPref(100);
    const policy = policyOf({ apts: {}, keys: { k1: jwk } });
    const run = await replayCall(
      ws,
      'token-expiry',
      (at) => {
        at(0.1, request('INVITE', 1, sdpOf('a', []), [first], ''), true);
        at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
        rtcpAt(at, 5); // frame 3: exported
        rtcpAt(at, 9.999); // frame 4: still valid
        rtcpAt(at, 10); // frame 5: the token's exp
        rtcpAt(at, 11); // frame 6
        at(12, request('INVITE', 2, sdpOf('a', []), [fresh]), true);
        at(12.1, response('200 OK', 2, sdpOf('b', [])), false);
        rtcpAt(at, 13); // frame 9: the fresh token governs
      },
      policy,
    );
    // the expiry at a batch's first packet, or its last: the same lines
    for (const maxBatchRecords of [1, 2, 4]) {
      const cut = await replayLines({ capture: await ws.file('token-expiry.pcap'), policy, workers: 2, explain: true, maxBatchRecords });
      expect(cut.decisions, `batches of ${maxBatchRecords}`).toEqual(run.decisions);
      expect(cut.reports, `batches of ${maxBatchRecords}`).toEqual(run.reports);
    }
    expect(decided(run)).toEqual(['3 export raw-allowed', '4 export raw-allowed', '5 drop export-none', '6 drop export-none', '9 export raw-allowed']);
    const told = parseLines<ReportLine>(run.reports).filter((r) => r.type === 'integrity-failure');
    const dialog = { callId: expect.any(String), fromTag: 'aaa', toTag: 'bbb' };
    // the call, by the signaling front, and the stream it governs, by its shard (as for any integrity failure)
    expect(told).toEqual([
      { type: 'integrity-failure', ts: T0 + 10, frame: 5, dialog, mid: 'a', ssrc: 1111, apt: ['apt-x'], detail: 'its integrity could not be verified: counted as most restrictive' },
      { type: 'integrity-failure', ts: T0 + 10, frame: 5, dialog, apt: ['apt-x'], detail: 'expired: token has expired: counted as most restrictive' },
    ]);
  });
});
