/**
 * Found by a review of SDES media-plane tags, fixed since: the items an SDES packet held before
 * it broke come with its decoding error (RtcpDecodeError.sdesRead, src/media/rtcp/sdes.ts
 * brokenSdes), and their PRIV aipref tags bind where signaling governs the session
 * (src/pipeline/media-core.ts learnFromSdes / learnFromChunk): there a tag only restricts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type DecisionLine, parseLines, type ReportLine, Workspace } from '../e2e-helpers.js';
import { replayCall, request, response } from '../hand-built-calls.js';
import { bundleSdp, cname, compound, item, mid, POLICY, priv, run, sdesPacket, srOf } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const SIGNALED_RAW = { offerLines: ['a=aipref:mid apt-raw'] };

describe('a tag before a malformed item', () => {
  // Input: A's audio signals apt-raw; frame 4: SR 1111 + SDES chunk [CNAME, PRIV aipref apt-none, PRIV item of length 0 (no prefix length byte)].
  // Was: the whole SDES packet is discarded (sdes-item-overrun), the well-formed apt-none tag before the broken item is lost, and the
  //   SR is exported raw under apt-raw alone. tshark decodes the CNAME and the aipref/apt-none item of the same packet
  //   (`tshark -d udp.port==4001,rtcp -e rtcp.sdes.prefix.string -e rtcp.sdes.text`: aipref, apt-none).
  // Correct: SPEC §2 "Media-plane tags never relax signaling" and §3 (most restrictive): a restriction the sender stated must not be
  //   dropped because a later item is malformed; the items read before the break (RFC 3550 §6.5: self-delimiting TLVs) still bind;
  //   the SR is dropped (export-none), and the malformed item is reported.
  // Fix: src/media/rtcp/sdes.ts decodeSourceDescription (keep the items read before the break, or hand them to the caller with the
  //   error) and src/pipeline/media-core.ts learnFromSdes/readRtcp (learn binding items from a partly decoded SDES).
  it('still binds: the SR is dropped by apt-none', async () => {
    const x = await run(ws, 'tag-then-broken', SIGNALED_RAW, [compound(1111, [{ ssrc: 1111, items: [cname(), priv('aipref', 'apt-none'), item(8, new Uint8Array(0))] }])]);
    expect(x.reports.filter((r) => r.type === 'malformed-input').map((r) => r.frame)).toEqual([4]);
    expect(x.decisions.filter((d) => d.pt === 200).map((d) => `${d.decision} ${d.reason}`)).toEqual(['drop export-none']);
    expect(x.exports).toEqual([]);
  });
});

describe('what a broken SDES packet does not bind', () => {
  it('its MID does not bind the stream to an m-section', async () => {
    // the BUNDLE call of checked-fine (mid a apt-raw, mid v apt-none, no a=ssrc): 9999 sends a broken SDES naming mid a, then a whole one
    const r = await replayCall(ws, 'mid-then-broken', (at) => {
      at(0, request('INVITE', 1, bundleSdp('a'), [], ''), true);
      at(0.1, response('200 OK', 1, bundleSdp('b')), false);
      at(0.2, request('ACK', 1, null), true);
      at(1, compound(9999, [{ ssrc: 9999, items: [cname(), mid('a'), item(8, new Uint8Array(0))] }]), true, 4000, 5000);
      at(2, compound(9999, [{ ssrc: 9999, items: [cname(), mid('a')] }]), true, 4000, 5000);
    }, POLICY);
    // bound to no m-section (no preference: dropped) until the whole packet's mid binds it to a
    expect(parseLines<DecisionLine>(r.decisions).filter((l) => l.pt === 200).map((l) => `${l.frame} ${l.decision} ${l.apt.join(',')}`)).toEqual(['4 drop ', '5 export apt-raw']);
    expect(parseLines<ReportLine>(r.reports).map((l) => `${l.type} ${l.frame}`)).toEqual(['malformed-input 4']);
  });

  it('its tag does not govern a stream no signaling binds (there a tag is the only word, and could relax)', async () => {
    const x = await run(ws, 'unsignaled-tag-then-broken', {}, [], undefined, (at) => {
      at(1, compound(7777, [{ ssrc: 7777, items: [cname(), priv('aipref', 'apt-raw'), item(8, new Uint8Array(0))] }]), true, 7001, 8001);
      at(2, compound(7777, [{ ssrc: 7777, items: [cname(), priv('aipref', 'apt-raw')] }]), true, 7001, 8001);
    });
    // the broken packet's SR: no preference; the next, whole packet's tag binds
    expect(x.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['4 drop no-preference', '5 export raw-allowed']);
  });
});
