/**
 * Secure RTP (RFC 3711): on an m-section whose profile is RTP/SAVP or RTP/SAVPF (SDES or
 * DTLS-SRTP keys) RTCP travels as SRTCP, encrypted past each compound's first eight bytes. The
 * sample call rewritten so — its m-lines secure, every RTCP compound encrypted by werift's
 * SrtcpSession (AES_CM_128_HMAC_SHA1_80) — was read as plain RTCP: report blocks of random
 * losses and jitters (a jitter of 2.3 billion in an aggregate), 66 "streams" from SSRCs that
 * were ciphertext, implicit-binding reports for them. Now it is decrypted with the keys SDES-SRTP
 * puts in the SDP (a=crypto, each side's in its own SDP; the replay then says exactly what the
 * plain call says), and without a key that authenticates it (DTLS-SRTP, wrong keys) no
 * telemetry of it is read, decided or exported and each sending stream is reported once
 * (`encrypted-rtcp`); the RTP (its header in clear under SRTP) binds as before. A compound
 * whose packets chain to the datagram's end is plain RTCP even there (a relay's decrypted
 * copy) and is read.
 */
import { randomBytes } from 'node:crypto';
import { SrtcpSession } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { loadPolicyFile, type PolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, readPcapRecords, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords, type PcapRecord, type ReplayLines, type ReportLine } from './e2e-helpers.js';
import { isRtcp, udp } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());


/** SIP with every RTP/AVP(F) m-line made RTP/SAVP(F) (with `crypto`, an a=crypto line after each), its Content-Length set again. */
function secureSdp(text: string, crypto: string | null = null): string {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0 || !/\r\nm=/.test(text)) return text;
  let body = text.slice(split + 4).replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1');
  if (crypto !== null) body = body.replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${crypto}|2^31`);
  return text.slice(0, split).replace(/(\r\n(?:Content-Length|l):\s*)\d+/i, `$1${Buffer.byteLength(body)}`) + '\r\n\r\n' + body;
}

/**
 * The sample, secured: `keys` 'sdes' puts each side's key in its SDP (a=crypto) and encrypts
 * its RTCP with it; 'wrong' signals other keys than the RTCP's; 'none' signals none (DTLS-SRTP).
 */
async function secureCapture(encryptRtcp: boolean, secureSignaling: boolean, keys: 'none' | 'sdes' | 'wrong' = 'none'): Promise<string> {
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  const sides = new Map<string, { inline: string; signaled: string; srtcp: SrtcpSession }>();
  const side = (ip: string) => {
    let s = sides.get(ip);
    if (s === undefined) {
      const [key, salt] = [randomBytes(16), randomBytes(14)];
      const inline = Buffer.concat([key, salt]).toString('base64');
      const srtcp = new SrtcpSession({ keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt }, profile: 1 });
      s = { inline, signaled: keys === 'wrong' ? randomBytes(30).toString('base64') : inline, srtcp };
      sides.set(ip, s);
    }
    return s;
  };
  const out = records.map((r): PcapRecord => {
    const u = udp(r);
    if (u === null) return r;
    let payload: Uint8Array | null = null;
    if (u.sport === 5060 || u.dport === 5060) {
      const text = Buffer.from(u.payload).toString('latin1');
      const secured = secureSdp(text, keys === 'none' ? null : side(u.src).signaled);
      if (secureSignaling && text !== secured) payload = Buffer.from(secured, 'latin1');
    } else if (encryptRtcp && isRtcp(u.payload)) payload = side(u.src).srtcp.encrypt(Buffer.from(u.payload));
    return payload === null ? r : { ts: r.ts, data: buildEthernetIpv4Udp({ ...u, payload }) };
  });
  const file = await ws.file(`srtcp-${encryptRtcp}-${secureSignaling}-${keys}.pcap`);
  await writePcapRecords(file, header, out);
  return file;
}

describe('SRTCP on secure RTP profiles', () => {
  let policy: PolicyFile;
  /** the sample as it is: plain RTP/AVP and RTCP */
  let plain: ReplayLines;
  beforeAll(async () => {
    policy = await loadPolicyFile(SMALL_POLICY);
    plain = await replayLines({ capture: SMALL_PCAP, policy });
  });

  it('is not read as RTCP: no telemetry, no streams from ciphertext, one encrypted-rtcp report per sending stream', async () => {
    const secure = await replayLines({ capture: await secureCapture(true, true), policy });
    expect(plain.result.summary.telemetry.aggregate + plain.result.summary.telemetry.export).toBeGreaterThan(0);
    expect(secure.result.summary.rtcp).toBe(plain.result.summary.rtcp);
    expect(secure.result.summary.telemetry).toEqual({ export: 0, aggregate: 0, drop: 0 });
    expect(secure.exports).toEqual([]);
    expect(secure.decisions).toEqual([]);
    // the streams are the RTP's and the RTCP senders', as with plain RTCP: none made of ciphertext
    expect(secure.result.summary.streams).toBe(plain.result.summary.streams);
    expect(secure.result.bindings.map((b) => b.ssrc).sort()).toEqual(plain.result.bindings.map((b) => b.ssrc).sort());
    // SDES items travel encrypted: what they bound (sdes-mid, sdes-priv) falls to the transport or the dialog
    expect(plain.result.bindings.some((b) => (b.via ?? '').startsWith('sdes'))).toBe(true);
    expect(secure.result.bindings.filter((b) => (b.via ?? '').startsWith('sdes'))).toEqual([]);
    const reports = parseLines<ReportLine>(secure.reports);
    const encrypted = reports.filter((r) => r.type === 'encrypted-rtcp');
    const senders = new Set(
      (await readPcapRecords(SMALL_PCAP)).records.flatMap((r) => {
        const u = udp(r);
        return u !== null && isRtcp(u.payload) ? [Buffer.from(u.payload).readUInt32BE(4)] : [];
      }),
    );
    expect(encrypted.map((r) => r.ssrc).sort()).toEqual([...senders].sort());
    expect(
      encrypted.every((r) => r.dialog !== null && r.detail === 'SRTCP (secure RTP: RTP/SAVP, SAVPF, or SDES keys the answer accepted) not decrypted, no a=crypto key in the signaling (DTLS-SRTP keys are not seen): none of its telemetry is read, decided or exported'),
    ).toBe(true);
    expect(reports.filter((r) => r.type === 'malformed-input')).toEqual([]);
    // what signaling says is as before
    const signaled = (lines: string[]) => parseLines<ReportLine>(lines).filter((r) => r.type.startsWith('scope-')).map((r) => [r.type, r.frame]);
    expect(signaled(secure.reports)).toEqual(signaled(plain.reports));
  });

  it('SDES-SRTP (each side\'s a=crypto key in its SDP): decrypted, and the replay says what the plain call says', async () => {
    for (const workers of [0, 2]) {
      const run = await replayLines({ capture: await secureCapture(true, true, 'sdes'), policy, workers });
      expect(run.exports).toEqual(plain.exports);
      expect(run.decisions).toEqual(plain.decisions);
      expect(run.reports).toEqual(plain.reports);
      expect(run.result.bindings).toEqual(plain.result.bindings);
      expect(run.result.summary).toEqual(plain.result.summary);
    }
  });

  it('a=crypto keys that do not authenticate the SRTCP: not read, reported so', async () => {
    const run = await replayLines({ capture: await secureCapture(true, true, 'wrong'), policy });
    expect(run.exports).toEqual([]);
    const encrypted = parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp');
    expect(encrypted.length).toBeGreaterThan(0);
    expect(encrypted.every((r) => r.detail === 'SRTCP (secure RTP: RTP/SAVP, SAVPF, or SDES keys the answer accepted) not decrypted, no a=crypto key authenticates it: none of its telemetry is read, decided or exported')).toBe(true);
  });

  it('two shard threads say what one thread says (the profile reaches the shards with the scope)', async () => {
    const capture = await secureCapture(true, true);
    const one = await replayLines({ capture, policy });
    const two = await replayLines({ capture, policy, workers: 2 });
    expect(two.reports).toEqual(one.reports);
    expect(two.exports).toEqual(one.exports);
    expect(two.result.summary).toEqual(one.result.summary);
  });

  it("plain RTCP on a secure profile (a relay's decrypted copy of the call) is read as RTCP: its packets chain to the datagram's end", async () => {
    const run = await replayLines({ capture: await secureCapture(false, true), policy });
    expect(run.exports).toEqual(plain.exports);
    expect(run.decisions).toEqual(plain.decisions);
    expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp')).toEqual([]);
  });

  it('SRTCP where the signaling is plain RTP/AVP (a profile mislabelled, or no SDP) is what it was: malformed RTCP, reported', async () => {
    const run = await replayLines({ capture: await secureCapture(true, false), policy });
    const reports = parseLines<ReportLine>(run.reports);
    expect(reports.filter((r) => r.type === 'encrypted-rtcp')).toEqual([]);
    expect(reports.filter((r) => r.type === 'malformed-input').length).toBeGreaterThan(0);
  });

  it('RTP/AVP with plain RTCP: unchanged (the same capture rewritten without securing anything replays as the sample)', async () => {
    const same = await replayLines({ capture: await secureCapture(false, false), policy });
    expect(same.exports).toEqual(plain.exports);
    expect(same.reports).toEqual(plain.reports);
  });
});
