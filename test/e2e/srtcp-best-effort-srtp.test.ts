/**
 * Found by a review of the SRTCP work, fixed since: SDES-SRTP negotiated on an RTP/AVP(F) m-line — "best-effort SRTP": both
 * sides' SDP carry a=crypto on RTP/AVP (Asterisk/FreeSWITCH optional SRTP, [MS-SDPEXT]'s a=crypto section
 * "use of this field is extended to the case when the transport is RTP/AVP"). The RTCP is SRTCP
 * then (both sides keyed it), but NegotiatedSection.srtp looks only at the profile, so the
 * compound goes the plain way: its first packet (clear length, ciphertext body) is decoded and
 * its "report blocks" of ciphertext are decided and exported/aggregated — telemetry read from
 * noise, the very thing 27bf1da set out to stop — and a malformed-input report per compound.
 *
 * Now: an m-section whose answer (or both sides) carries a=crypto keys is SRTCP-capable;
 * a compound that does not chain is tried against those keys first (an HMAC-SHA1-80 that
 * verifies cannot be a coincidence, RFC 3711 §3.4), so the call replays as the plain call does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, type ReportLine } from './e2e-helpers.js';
import { keyedSample } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('best-effort SRTP (a=crypto on RTP/AVP)', () => {
  it('SRTCP keyed by a=crypto on RTP/AVP(F) m-lines is decrypted, never read as plain RTCP noise', async () => {
    const capture = await keyedSample(ws, 'best-effort.pcap', (body, _start, key) => body.replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`));
    const policy = await loadPolicyFile(SMALL_POLICY);
    const plain = await replayLines({ capture: SMALL_PCAP, policy });
    const run = await replayLines({ capture, policy });
    // was: the ciphertext judged, decisions on "report blocks" that were noise
    expect(run.decisions).toEqual(plain.decisions);
    expect(run.exports).toEqual(plain.exports);
    expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'malformed-input')).toEqual([]);
  });
});
