/**
 * Found by a review of the unbound-session fix (fa3cb23), fixed since: a scope event looks only at the unbound sessions filed at the transports it made live (src/binding/transport-map.ts set, src/pipeline/media-core.ts retireUnboundOf).
 * Input: one MediaCore (a count check, not a timed one). A single-port media server
 *   M = 10.20.0.1:10000 (every call to it names that port; TransportMap's claims) has one long
 *   call `live` (M and 10.30.0.1:20000). K other calls come and go through M: each a scope
 *   naming M:10000 and its caller R_i:20000 (10.40.x.y), then its end (BYE); after the end,
 *   two RTP packets of the caller's late media R_i:20000 → M:10000 (a valid source): unbound,
 *   since R_i is an ended dialog's address no live dialog names (TransportMap.lookupDatagramV4,
 *   README "an ended dialog's late media … unbound, even when a live dialog names its
 *   destination"). Then 20 session refreshes of `live` (the same scope again: nothing about
 *   any route changes). Calls to TransportMap.lookupDatagramV4 during those 20 events are
 *   counted, for K = 100 and K = 2000.
 * Was (observed): 2 000 lookups for K = 100 and 40 000 for K = 2000: every scope naming M
 *   looks up every late-media session filed at M (StreamTable.unboundAt(M) holds them all), one
 *   per session per event, none of them retired (their route stays "none"). They live until
 *   sweepUnbound forgets them, 300 s after their last packet: at a steady call rate the work
 *   per scope event grows with the rate, and the total with its square.
 * Correct: a scope event's work is proportional to what it changes (the commit's own claim:
 *   "a datagram's route changes only at the transports the event registers … a shared relay
 *   address's other unbound sessions are not looked at"): a route goes from none to some dialog
 *   only when one of the datagram's ends becomes live (the ended sets do not change at a scope
 *   event), so a transport that was already live before the event — M, named by `live` and
 *   every call before — cannot route anything new. The count for K = 2000 stays within twice
 *   K = 100's (here it would be 0 for both).
 * Fix: src/pipeline/media-core.ts applyEvent 'scope' / retireUnboundOf (with
 *   src/binding/transport-map.ts set): look only at the transports the event made live — keys
 *   no live entry held before transports.set (e.g. set() returns the keys it added where
 *   v4Index.lookup / the v6 map had nothing) — instead of every key of ownedEntries(scope.key).
 */
import { describe, expect, it, vi } from 'vitest';
import { TransportMap } from '../../../src/binding/transport-map.js';
import type { DialogScope } from '../../../src/binding/types.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';

const n4 = (s: string) => s.split('.').reduce((a, b) => a * 256 + +b, 0);
const at = (src: string, sport: number, dst: string, dport: number): PacketAddress => ({ v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport });
const scopeOf = (key: string, a: string, ap: number, b: string, bp: number): DialogScope => ({
  key,
  dialog: { callId: key, fromTag: 'f', toTag: 't' },
  sections: [{ index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: a, port: ap }, { address: b, port: bp }], rtcp: [{ address: a, port: ap + 1 }, { address: b, port: bp + 1 }], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] }],
  dialogApts: [],
  repositoryApts: [],
  pending: null,
});
const M = '10.20.0.1';

/** lookupDatagramV4 calls made by 20 refreshes of `live` after K calls' late media at M. */
function lookupsPerRefreshes(k: number): number {
  const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null });
  let frame = 0;
  core.event({ kind: 'scope', frame: ++frame, ts: 100, scope: scopeOf('live', M, 10000, '10.30.0.1', 20000) });
  for (let i = 0; i < k; i++) {
    const r = `10.40.${(i >> 8) & 255}.${i & 255}`;
    core.event({ kind: 'scope', frame: ++frame, ts: 100, scope: scopeOf(`c${i}`, M, 10000, r, 20000) });
    core.event({ kind: 'dialog-ended', frame: ++frame, ts: 100, key: `c${i}` });
    for (const seq of [1, 2]) {
      const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 100000 + i, payload: new Uint8Array(20) });
      core.rtp(++frame, 100, p, 0, p.length, at(r, 20000, M, 10000));
    }
  }
  const spy = vi.spyOn(TransportMap.prototype, 'lookupDatagramV4');
  try {
    for (let j = 0; j < 20; j++) core.event({ kind: 'scope', frame: ++frame, ts: 101, scope: scopeOf('live', M, 10000, '10.30.0.1', 20000) });
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('scope events at a shared media port', () => {
  it('do not look up every unbound session there that no scope routes', () => {
    const small = lookupsPerRefreshes(100);
    const large = lookupsPerRefreshes(2000);
    expect({ small, large, boundedBy: 2 * small + 20 }).toEqual({ small, large: expect.toSatisfy((n: number) => n <= 2 * small + 20), boundedBy: 2 * small + 20 });
  });
});
