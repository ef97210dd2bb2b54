import { describe, expect, it } from 'vitest';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { MediaCore, type PacketAddress } from '../../src/pipeline/media-core.js';
import { SignalingFront } from '../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../src/policy/policy-file.js';

/** A transport pair; streams sent on the same pair share an RTP session (no dialog binds them). */
const pair = (n: number): PacketAddress => ({ v6: false, src4: 0x0a000001 + n, dst4: 0x0a000101, src: `10.0.0.${1 + n}`, dst: '10.0.1.1', sport: 40001, dport: 50001 });

const block = (ssrc: number) => ({ ssrc, fractionLost: 0, cumulativeLost: 0, highestSeq: 100, jitter: 5, lsr: 0, dlsr: 0 });

describe("a BYE closes its stream's windows", () => {
  it('and only those: not the windows of another stream of its session, nor of another session', () => {
    const policy = parsePolicy(JSON.stringify({ apts: { agg: { type: 'domain', export: 'aggregated-only', features: ['media-metrics'] } }, default: 'agg' }), 'policy.json');
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: policy.defaultApt });
    for (const ev of new SignalingFront(policy, null).initialEvents()) core.event(ev);
    const rtcp = (frame: number, addr: PacketAddress, packets: RtcpPacketInput[]) => {
      const bytes = encodeRtcpCompound(packets);
      core.rtcp(frame, 1000 + frame / 100, bytes, 0, bytes.length, addr);
    };
    // streams 1 and 2 share a session (pair 0), stream 3 has its own (pair 1); one RR each
    rtcp(1, pair(0), [{ pt: 201, ssrc: 1, reports: [block(2)] }]);
    rtcp(2, pair(0), [{ pt: 201, ssrc: 2, reports: [block(1)] }]);
    rtcp(3, pair(1), [{ pt: 201, ssrc: 3, reports: [block(4)] }]);
    expect(core.drain().exports).toEqual([]); // everything folded into windows
    rtcp(4, pair(0), [
      { pt: 201, ssrc: 1, reports: [] },
      { pt: 203, ssrc: 1, ssrcs: [1] },
    ]);
    const closedByBye = core.drain().exports.map((l) => ({ frame: l.frame, ...(JSON.parse(l.text) as { type: string; stream: { ssrc: number } }) }));
    expect(closedByBye.map((x) => [x.frame, x.type, x.stream.ssrc])).toEqual([[4, 'aggregate', 1]]);
    core.finish(10, 1000.1);
    const atEnd = core.drain().exports.map((l) => (JSON.parse(l.text) as { stream: { ssrc: number } }).stream.ssrc);
    expect(atEnd.sort()).toEqual([2, 3]);
  });
});
