/**
 * Checks of the carried SDES tags at 1b72836 that came out fine (each replayed with 0 and 2
 * workers; the helper compares exports, decisions and reports):
 *  - BUNDLE with rtcp-mux (audio and video m-sections on one port pair, each declaring its SSRC):
 *    the audio SSRC's apt-none is carried to the audio stream only; the video SSRC, noted on the
 *    same pair with no tag, stays exported raw;
 *  - a mirror carrying both legs of a B2BUA (same SSRC 1111 relayed on leg 1 A↔S and leg 2 S↔B,
 *    tagged apt-none on both before signaling; only leg 2 declares a=ssrc:1111; leg 1's INVITE
 *    first, as an SBC sees them): each leg gets its own pair's tag, both rows [apt-raw, apt-none];
 *  - plain RTCP sent after the SIP BYE with a tag, then a new call reusing the addresses (a
 *    transfer): carried into the new call (the SRTCP version of this is a finding);
 *  - the `bindings` command (dist CLI) shows the carried identifier in the call's row.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, Workspace, writePolicy } from '../../e2e/e2e-helpers.js';
import { A, B, bye, type Pkt, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn, writeCapture } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const at = (o: Awaited<ReturnType<typeof replay>>, frame: number) => o.d.filter((d) => d.startsWith(`${frame} `));

describe('carried SDES tags at 1b72836: checked fine', () => {
  it('BUNDLE + rtcp-mux: the audio SSRC takes its tag; the video SSRC on the same pair is untouched', async () => {
    const bundle = (ip: string, port: number, audio: number, video: number) =>
      [
        'v=0',
        `o=- 1 1 IN IP4 ${ip}`,
        's=-',
        `c=IN IP4 ${ip}`,
        't=0 0',
        'a=group:BUNDLE a v',
        'a=aipref:session apt-raw',
        `m=audio ${port} RTP/AVP 0`,
        'a=mid:a',
        'a=rtcp-mux',
        'a=rtpmap:0 PCMU/8000',
        `a=ssrc:${audio} cname:x`,
        'a=sendrecv',
        `m=video ${port} RTP/AVP 96`,
        'a=mid:v',
        'a=rtcp-mux',
        'a=rtpmap:96 VP8/90000',
        `a=ssrc:${video} cname:x`,
        'a=sendrecv',
        '',
      ].join('\r\n');
    const o = await replay(ws, 'bundle-mux', [
      rtcpPkt(0, A, 4000, B, 5000, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      rtcpPkt(0.1, A, 4000, B, 5000, [srIn(3333), sdesTag(3333)]), // frame 2
      ...setup('bun', 1, bundle(A, 4000, 1111, 3333), bundle(B, 5000, 2222, 4444)), // frames 3-5
      rtcpPkt(2, A, 4000, B, 5000, [srIn(3333)]), // frame 6
      rtcpPkt(2.1, A, 4000, B, 5000, [srIn(1111)]), // frame 7
    ]);
    expect(at(o, 6)).toEqual(['6 3333 export raw-allowed apt-raw']);
    expect(at(o, 7)).toEqual(['7 1111 drop export-none apt-none']);
    const row = (ssrc: number) => o.bindings.find((b) => b.ssrc === ssrc && (b.dialog as { callId?: string } | null)?.callId === 'bun');
    expect(row(1111)?.apt).toEqual(['apt-raw', 'apt-none']);
    expect(row(1111)?.mid).toBe('a');
    expect(row(3333)?.apt).toEqual(['apt-raw']);
  });

  it("B2BUA mirror, same SSRC on both legs: each leg takes its own pair's tag", async () => {
    const S = '10.0.0.5';
    const o = await replay(ws, 'b2bua-legs', [
      rtcpPkt(0, A, 4001, S, 6001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1: leg 1
      rtcpPkt(0.01, S, 6003, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 2: leg 2 (relayed)
      // A's INVITE to the SBC (leg 1), the SBC's to B (leg 2, restating A's SSRC), answers
      { ...setup('leg1', 1, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(S, 6000, null, ['a=aipref:session apt-raw']))[0]! }, // frame 3
      ...setup('leg2', 1.1, sdpAt(S, 6002, 1111, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])), // frames 4-6
      ...setup('leg1', 1.2, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(S, 6000, null, ['a=aipref:session apt-raw'])).slice(1), // frames 7-8
      rtcpPkt(2, S, 6003, B, 5001, [srIn(1111)]), // frame 9: leg 2
      rtcpPkt(2.01, A, 4001, S, 6001, [srIn(1111)]), // frame 10: leg 1
    ]);
    expect(at(o, 9)).toEqual(['9 1111 drop export-none apt-none']);
    expect(at(o, 10)).toEqual(['10 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
    const rows = o.bindings.filter((b) => b.ssrc === 1111 && b.dialog !== null).map((b) => [(b.dialog as { callId: string }).callId, b.apt]);
    expect(rows.sort()).toEqual([
      ['leg1', ['apt-raw', 'apt-none']],
      ['leg2', ['apt-raw', 'apt-none']],
    ]);
  });

  it('plain RTCP with a tag after the SIP BYE is carried into a call reusing the addresses', async () => {
    const o = await replay(ws, 'plain-transfer', [
      ...rawCall('c1', 0), // frames 1-3
      rtcpPkt(1, A, 4001, B, 5001, [srIn(1111)]), // frame 4
      ...bye('c1', 10, 2), // frames 5-6
      rtcpPkt(11, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 7
      ...rawCall('c2', 12), // frames 8-10
      rtcpPkt(13, A, 4001, B, 5001, [srIn(1111)]), // frame 11
    ]);
    expect(at(o, 4)).toEqual(['4 1111 export raw-allowed apt-raw']);
    expect(at(o, 11)).toEqual(['11 1111 drop export-none apt-none']);
    expect(o.exports.map((e) => e.dialog?.callId)).toEqual(['c1']);
  });

  it('the bindings command shows the carried identifier', async () => {
    const file = await ws.file('bindings-carry.pcap');
    await writeCapture(file, [rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), ...rawCall('c1', 1), rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)])]);
    const policy = await writePolicy(ws, 'three.json', {
      apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' } },
    });
    const out = await cli('bindings', file, '--policy', policy, '--json');
    expect(out.code, out.stderr).toBe(0);
    const table = JSON.parse(out.stdout) as { ssrc: number; dialog: { callId: string } | null; apt: string[] }[];
    expect(table.find((r) => r.ssrc === 1111 && r.dialog?.callId === 'c1')?.apt).toEqual(['apt-raw', 'apt-none']);
  });
});
