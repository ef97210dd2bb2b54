/**
 * What the SDP/RTP binding review (SPEC §2 routes: a=ssrc, mid by SDES MID / RTP mid extension,
 * transport address) checked and found right. Each is a regression test.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000 });
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, rtp, sdp, sr, type Pkt } from '../calls-on-any-address.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpExtension } from '../../../src/media/rtp.js';
import { parseSdp } from '../../../src/signaling/sdp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } } });
const enc = new TextEncoder();
const M = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const V = 'v'.charCodeAt(0);
type R = Awaited<ReturnType<typeof replay>>;
const rows = (r: R) => r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via} [${b.apt}]`).sort();

/** An RTP packet with a hand-written header extension block (profile, element bytes; zero-padded to 32 bits). */
function rawRtpBytes(ssrc: number, profile: number, ext: number[]): Uint8Array {
  const block = [...ext];
  while (block.length % 4) block.push(0);
  const b = new Uint8Array(12 + 4 + block.length + 20);
  const dv = new DataView(b.buffer);
  b[0] = 0x90;
  dv.setUint16(2, 1);
  dv.setUint32(4, 1);
  dv.setUint32(8, ssrc);
  dv.setUint16(12, profile);
  dv.setUint16(14, block.length / 4);
  b.set(block, 16);
  return b;
}
const rawRtp = (ssrc: number, profile: number, ext: number[]): Pkt => ({ src: B, dst: A, sport: 5000, dport: 4000, payload: rawRtpBytes(ssrc, profile, ext) });

/** A BUNDLE call (mids a, v on A:4000 / B:5000, rtcp-mux) with `ext` in both m-sections and `session` lines. */
function bundle(ext: string[], session: string[] = []): Pkt[] {
  const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', ...ext, 'a=aipref:mid apt-a'], ['m=video 4000 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux', ...ext, 'a=aipref:mid apt-v']], ['a=group:BUNDLE a v', ...session]);
  const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', ...ext], ['m=video 5000 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux', ...ext]], ['a=group:BUNDLE a v', ...session]);
  return callSetup({ offer, answer });
}

describe('RTP mid header extension (RFC 8285, RFC 8843 §15.1) on a BUNDLE address', () => {
  it('an a=extmap with a direction (`3/sendonly`) still maps the mid: bound via rtp-mid', async () => {
    const r = await replay(ws, [...bundle([`a=extmap:3/sendonly ${M}`]), rtp(B, A, 5000, 4000, 77, [{ id: 3, value: enc.encode('v') }])], POL);
    expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]']);
  });
  it('the two-byte form with application bits (profile 0x1005) and id 20, after padding bytes', async () => {
    const r = await replay(ws, [...bundle([`a=extmap:20 ${M}`]), rawRtp(77, 0x1005, [0, 0, 20, 1, V])], POL);
    expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]']);
  });
  it('the one-byte form: padding (0) bytes between elements are skipped', async () => {
    const r = await replay(ws, [...bundle([`a=extmap:3 ${M}`]), rawRtp(77, 0xbede, [0x10, 9, 0, 0, 0x30, V])], POL);
    expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]']);
  });
  it('the one-byte form: id 15 stops processing (RFC 8285 §4.2), a mid after it is not read', async () => {
    const r = await replay(ws, [...bundle([`a=extmap:3 ${M}`]), rawRtp(77, 0xbede, [0xf0, 0x30, V])], POL);
    expect(rows(r)).toEqual(['77 null dialog []']);
  });
  it('a session-level a=extmap applies to every m-section', async () => {
    const r = await replay(ws, [...bundle([], [`a=extmap:3 ${M}`]), rtp(B, A, 5000, 4000, 77, [{ id: 3, value: enc.encode('v') }])], POL);
    expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]']);
  });
  it("a media-level a=extmap giving the session's mid id to another extension shadows it", async () => {
    const r = await replay(ws, [...bundle(['a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level'], [`a=extmap:3 ${M}`]), rtp(B, A, 5000, 4000, 77, [{ id: 3, value: enc.encode('v') }])], POL);
    expect(rows(r)).toEqual(['77 null dialog []']);
  });
});

describe('readRtpExtension on hand-written blocks', () => {
  const read = (profile: number, ext: number[], id: number) => {
    const bytes = rawRtpBytes(1, profile, ext);
    const view = createRtpHeaderView();
    expect(decodeRtpHeader(bytes, 0, bytes.length, view)).toBeNull();
    return readRtpExtension(bytes, view, id);
  };
  it('one-byte: a 16-byte value (length field 15) is read whole', () => {
    expect(read(0xbede, [0x3f, ...enc.encode('0123456789abcdef')], 3)).toBe('0123456789abcdef');
  });
  it('two-byte: a 0-length element before the mid is stepped over', () => {
    expect(read(0x1000, [7, 0, 3, 2, ...enc.encode('ab')], 3)).toBe('ab');
  });
  it('an element running past the block is not read', () => {
    expect(read(0xbede, [0x33, V], 3)).toBeUndefined();
  });
});

describe('RTCP transport addresses (SPEC §2: port+1, a=rtcp, a=rtcp-mux)', () => {
  it('a=rtcp-mux in the answer only (RFC 5761 §5.1.1): RTCP still goes to port+1', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-a']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('10.0.0.9', B, 7001, 5001, [sr(77)])], POL);
    expect(rows(r)).toEqual(['77 a transport [apt-a]']);
  });
  it('a=rtcp-mux in the offer only: RTCP to the offerer goes to its port+1', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('10.0.0.9', A, 7001, 4001, [sr(77)])], POL);
    expect(rows(r)).toEqual(['77 a transport [apt-a]']);
  });
  it('a multicast c= with a TTL (`224.2.1.1/127`) binds on the group address', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'c=IN IP4 224.2.1.1/127', 'a=mid:a', 'a=aipref:mid apt-a']]);
    const answer = sdp(B, [['m=audio 4000 RTP/AVP 0', 'c=IN IP4 224.2.1.1/127', 'a=mid:a']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('10.0.0.9', '224.2.1.1', 7001, 4001, [sr(77)])], POL);
    expect(rows(r)).toEqual(['77 a transport [apt-a]']);
  });
  it('parseSdp: a=rtcp with an address (RFC 3605) gives the unmuxed RTCP address and port', () => {
    const m = parseSdp(['v=0', 'o=u 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 49170 RTP/AVP 0', 'a=rtcp:53020 IN IP4 126.16.64.4', 'a=extmap:2/recvonly ' + M, ''].join('\r\n')).sdp.media[0]!;
    expect([m.unmuxedRtcpAddress, m.unmuxedRtcpPort, m.rtcpPort, m.midExtId]).toEqual(['126.16.64.4', 53020, 53020, 2]);
  });
});

describe('a=ssrc routes (RFC 5576) from an address no SDP names', () => {
  it('SSRCs with cname and msid attributes, and an a=ssrc-group:FID member described by a=ssrc, bind via a=ssrc', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-a', 'a=ssrc:77 cname:x', 'a=ssrc:77 msid:s t', 'a=ssrc:78 cname:x', 'a=ssrc-group:FID 77 78'], ['m=video 4002 RTP/AVP 96', 'a=mid:v', 'a=aipref:mid apt-v']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a'], ['m=video 5002 RTP/AVP 96', 'a=mid:v']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('10.0.0.9', '10.0.0.8', 7001, 7001, [sr(77)]), rtcp('10.0.0.9', '10.0.0.8', 7001, 7001, [sr(78)])], POL);
    expect(rows(r)).toEqual(['77 a a=ssrc [apt-a]', '78 a a=ssrc [apt-a]']);
  });
});
