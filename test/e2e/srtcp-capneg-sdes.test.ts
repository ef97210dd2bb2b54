/**
 * Found by a review of the SRTCP work, fixed since: SDES-SRTP negotiated with SDP capability negotiation (RFC 5939 — the
 * standard way to offer SRTP "optionally"; RFC 5939 §3.12 / §5 example): the offer keeps
 * RTP/AVP(F) and carries its key as a potential configuration, `a=acap:1 crypto:1
 * AES_CM_128_HMAC_SHA1_80 inline:…` with `a=tcap:1 RTP/SAVP(F)` and `a=pcfg:1 t=1 a=1`; the
 * answer picks it: RTP/SAVP(F), its own `a=crypto:1 …` and `a=acfg:1 t=1 a=1`. The answer's key
 * is read, the offerer's is not (only a=crypto lines are), so every compound the OFFERER sends is
 * refused ("no a=crypto key authenticates it") and half the call's telemetry is lost though the
 * signaling holds its key in clear.
 *
 * Now: a=acap crypto keys are candidates as a=crypto keys are (the offer's of the tag the answer
 * chose; the tag check takes the sender's), so both directions decrypt and the call replays as
 * the plain call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, type ReportLine } from './e2e-helpers.js';
import { keyedSample } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('SDES under RFC 5939 capability negotiation', () => {
  it("the offerer's key in a=acap:N crypto (accepted by the answer's a=acfg) decrypts the offerer's SRTCP", async () => {
    const capture = await keyedSample(ws, 'capneg.pcap', (body, start, key) =>
      start.startsWith('INVITE')
        ? body.replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=tcap:1 RTP/SAVPF RTP/SAVP\r\na=acap:1 crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31\r\na=pcfg:1 t=1 a=1`)
        : body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31\r\na=acfg:1 t=1 a=1`),
    );
    const policy = await loadPolicyFile(SMALL_POLICY);
    const plain = await replayLines({ capture: SMALL_PCAP, policy });
    const run = await replayLines({ capture, policy });
    expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp').map((r) => r.detail)).toEqual([]);
    expect(run.exports).toEqual(plain.exports);
    expect(run.decisions).toEqual(plain.decisions);
  });
});
