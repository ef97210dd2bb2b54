import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import type { GenerationTruth, StreamTruth } from '../../samples/generator/truth.js';
import { readDatagrams, type Datagram } from './capture-datagrams.js';
import { MEDIUM_CAPTURE, TempCaptures } from './generated-capture.js';

const temp = new TempCaptures();
let truth: GenerationTruth;
let datagrams: Datagram[];
let notUdp: number[];
const text = new TextDecoder();

beforeAll(async () => {
  const generated = await temp.generate(MEDIUM_CAPTURE);
  truth = generated.truth;
  ({ datagrams, notUdp } = await readDatagrams(generated.path));
});
afterAll(() => temp.cleanup());

function streams(): StreamTruth[] {
  return truth.calls.flatMap((c) => c.streams);
}

function rtpSsrc(d: Datagram): number {
  return new DataView(d.payload.buffer, d.payload.byteOffset).getUint32(8);
}

describe('truth manifest against the capture', () => {
  it('counts every record, all of them UDP', () => {
    expect(notUdp).toEqual([]);
    expect(datagrams.length).toBe(truth.packets.total);
    expect(truth.packets.sip + truth.packets.rtp + truth.packets.rtcp).toBe(truth.packets.total);
    expect(truth.calls.reduce((n, c) => n + c.sip.length, 0)).toBe(truth.packets.sip);
    expect(truth.rtcp.length).toBe(truth.packets.rtcp);
    expect(streams().reduce((n, s) => n + s.rtpPackets, 0)).toBe(truth.packets.rtp);
    expect(streams().reduce((n, s) => n + s.rtcpCompounds, 0)).toBe(truth.packets.rtcp);
  });

  it('lists SIP messages at the frames that carry them', () => {
    for (const call of truth.calls) {
      for (const m of call.sip) {
        const d = datagrams[m.frame - 1]!;
        expect(d.sport).toBe(5060);
        const message = text.decode(d.payload);
        const firstLine = message.slice(0, message.indexOf('\r\n'));
        expect(/^\d+$/.test(m.message) ? firstLine.startsWith(`SIP/2.0 ${m.message} `) : firstLine.startsWith(`${m.message} `)).toBe(true);
        expect(message).toContain(`Call-ID: ${call.callId}\r\n`);
        expect(message).toMatch(new RegExp(`\\r\\nCSeq: ${m.cseq} `));
      }
    }
  });

  it('lists RTCP compounds with their sender SSRC, and every other record is RTP of a listed stream', () => {
    const rtcpFrames = new Map(truth.rtcp.map((r) => [r.frame, r]));
    const sipFrames = new Set(truth.calls.flatMap((c) => c.sip.map((m) => m.frame)));
    const rtpCount = new Map<number, number>();
    const bySsrc = new Map(streams().map((s) => [s.ssrc, s]));
    for (const d of datagrams) {
      if (sipFrames.has(d.frame)) continue;
      const rtcp = rtcpFrames.get(d.frame);
      if (rtcp) {
        const decoded = decodeRtcpCompound(d.payload);
        expect(decoded.errors).toEqual([]);
        expect(decoded.packets.map((p) => p.pt)).toEqual(rtcp.pts);
        expect(decoded.packets[0]!.ssrc).toBe(rtcp.ssrc);
        const stream = bySsrc.get(rtcp.ssrc)!;
        expect([d.sport, d.dport]).toEqual([stream.src.rtcpPort, stream.dst.rtcpPort]);
        continue;
      }
      expect(d.payload[0]! >> 6).toBe(2);
      const stream = bySsrc.get(rtpSsrc(d));
      expect(stream, `frame ${d.frame}`).toBeDefined();
      expect([d.src, d.sport, d.dst, d.dport]).toEqual([stream!.src.address, stream!.src.rtpPort, stream!.dst.address, stream!.dst.rtpPort]);
      expect(d.payload[1]! & 0x7f).toBe(stream!.pt);
      rtpCount.set(stream!.ssrc, (rtpCount.get(stream!.ssrc) ?? 0) + 1);
      if (rtpCount.get(stream!.ssrc) === 1) expect(d.frame).toBe(stream!.firstFrame);
    }
    for (const s of streams()) expect(rtpCount.get(s.ssrc) ?? 0).toBe(s.rtpPackets);
  });

  it('covers every binding route and every renegotiation kind', () => {
    expect(new Set(streams().map((s) => s.via))).toEqual(new Set(['a=ssrc', 'sdes-mid', 'rtp-mid', 'transport', 'sdes-priv', 'dialog']));
    const kinds = truth.calls.flatMap((c) => c.renegotiations.map((r) => r.kind));
    expect(new Set(kinds)).toEqual(new Set(['remove-aipref', 'disable-video', 'refused']));
    expect(truth.calls.some((c) => c.renegotiations.some((r) => r.retransmitFrames.length > 0))).toBe(true);
    expect(new Set(truth.calls.map((c) => c.flavour))).toEqual(new Set(['bundle', 'plain']));
  });

  it('carries the mid where the truth says: RTP extension in the first packets, SDES MID item', () => {
    expect(streams().filter((s) => s.sendsRtpMid).length).toBeGreaterThan(3);
    expect(streams().filter((s) => s.sdesPriv !== null).length).toBeGreaterThan(1);
    for (const call of truth.calls) {
      for (const s of call.streams) {
        const first = datagrams[s.firstFrame - 1]!.payload;
        expect((first[0]! & 0x10) !== 0, `stream ${s.ssrc} X bit`).toBe(s.sendsRtpMid);
        if (s.sendsRtpMid) {
          // one-byte header: 0xBEDE, then id<<4 | (len-1), then the mid
          const id = call.sections.find((x) => x.mid === s.mid)!.midExtensionId!;
          expect([first[12], first[13], first[16]]).toEqual([0xbe, 0xde, (id << 4) | (s.mid.length - 1)]);
          expect(text.decode(first.subarray(17, 17 + s.mid.length))).toBe(s.mid);
        }
        const compounds = truth.rtcp.filter((r) => r.ssrc === s.ssrc);
        for (const r of compounds) {
          const sdes = decodeRtcpCompound(datagrams[r.frame - 1]!.payload).packets.find((p) => p.pt === 202);
          const items = sdes && 'chunks' in sdes ? sdes.chunks[0]!.items : [];
          expect(items.some((i) => i.type === 12 && 'text' in i && i.text === s.mid)).toBe(s.sendsSdesMid);
          const priv = items.find((i) => 'prefix' in i && i.prefix === 'aipref');
          expect(priv && 'value' in priv ? priv.value : null).toBe(s.sdesPriv);
        }
      }
    }
  });

  it('describes renegotiations the capture really contains', () => {
    for (const call of truth.calls) {
      for (const r of call.renegotiations) {
        expect(r.offerFrame).toBeLessThan(r.answerFrame);
        expect(r.answerFrame).toBeLessThan(r.ackFrame);
        const offer = text.decode(datagrams[r.offerFrame - 1]!.payload);
        const initialOffer = text.decode(datagrams[call.sip[0]!.frame - 1]!.payload);
        expect(offer).toContain(`CSeq: ${r.cseq} INVITE`);
        expect(offer).toMatch(/\r\no=\S+ \d+ 2 IN IP4/);
        const answer = text.decode(datagrams[r.answerFrame - 1]!.payload);
        if (r.kind === 'refused') {
          expect(answer).toMatch(/^SIP\/2\.0 488 /);
          expect(answer).toContain('\r\nWarning: 399 aipref "Preference unsupported"\r\n');
          expect(offer).not.toContain(`a=aipref:mid ${r.removed.apt}`);
          expect(r.fallback).toContain(r.removed.apt);
        } else {
          expect(answer).toMatch(/^SIP\/2\.0 200 /);
          expect(answer).toMatch(/\r\no=\S+ \d+ 2 IN IP4/);
        }
        if (r.kind === 'remove-aipref') {
          expect(initialOffer).toContain(`a=aipref:mid ${r.removed.apt}`);
          expect(offer).not.toContain(`a=aipref:mid ${r.removed.apt}`);
          expect(r.fallback.length).toBeGreaterThan(0);
        } else if (r.kind === 'disable-video') {
          expect(offer).toContain('m=video 0 ');
          // disabled video stops once the answer is in
          for (const ssrc of r.affectedSsrcs) {
            expect(call.streams.find((s) => s.ssrc === ssrc)!.lastFrame).toBeLessThan(r.answerFrame + 50);
          }
        }
        // retransmissions are byte-identical copies of the offer and its answer
        const copies = r.retransmitFrames.map((f) => datagrams[f - 1]!.payload);
        if (copies.length > 0) {
          expect(copies[0]).toEqual(datagrams[r.offerFrame - 1]!.payload);
          expect(copies[1]).toEqual(datagrams[r.answerFrame - 1]!.payload);
        }
      }
    }
  });

  it('interleaves calls: capture time never goes backwards and calls overlap', () => {
    for (let i = 1; i < datagrams.length; i++) expect(datagrams[i]!.ts).toBeGreaterThanOrEqual(datagrams[i - 1]!.ts);
    const [a, b] = truth.calls;
    expect(b!.inviteTs).toBeLessThan(a!.byeTs);
  });
});

describe('renegotiation targets', () => {
  it('no stream of a section whose a=aipref line is removed repeats that identifier in SDES PRIV', () => {
    for (const call of truth.calls) {
      for (const r of call.renegotiations) {
        for (const s of call.streams.filter((x) => r.affectedSsrcs.includes(x.ssrc))) expect(s.sdesPriv).not.toBe(r.removed.apt);
      }
    }
  });
});
