/**
 * Found by a review of the unbound-session fix (bf05e0c), fixed since: TransportMap.end() keeps forgottenV6 as it does forgottenV4, and dialog-ended re-checks the unbound sessions at both (src/binding/transport-map.ts end, src/pipeline/media-core.ts applyEvent).
 * Input: one MediaCore (bindings kept). Dialog E names [2001:db8::7]:4000 and ends; dialog L
 *   names [2001:db8::9]:5000 and stays. RTP of SSRC 2222 (two in sequence) from E's address to
 *   L's: E's late media, unbound (lookupDatagramV6: its source an ended dialog's, named by none).
 *   Then 16 384 more dialogs with IPv6 addresses start and end, so the map's memory of ended
 *   IPv6 addresses (MAX_ENDED) lets go of E's. Then one more RTP packet of 2222.
 *   The same with IPv4 addresses (192.0.2.7 → 198.51.100.9) is in PASSING.test.ts: retired.
 * Was (observed): IPv6 — the unbound session is never retired: once E's address is forgotten
 *   the packet path routes 2222 to L (a live 'L' row) while the unbound session stays a live
 *   no-dialog row beside it: two live rows for one stream, its unbound windows never closed.
 * Correct: as for IPv4 (bf05e0c (c): "sessions at ended addresses the map let go of" are
 *   re-checked at the dialog-ended that forgets them): retired there — an ended no-dialog row,
 *   then the live 'L' row (README: the first scope or event under which a datagram the unbound
 *   session saw is routed retires it).
 * Fix: src/binding/transport-map.ts end(): keep a forgottenV6 as forgottenV4 (remember()'s
 *   return for endedV6 is dropped), and MediaCore dialog-ended (applyEvent) pass both to
 *   retireUnboundOf (and count them in its `length > 0` guard).
 */
import { expect, it } from 'vitest';
import type { DialogScope, SectionScope } from '../../../src/binding/types.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore } from '../../../src/pipeline/media-core.js';

const sectionAt = (a: string, ap: number, b: string, bp: number): SectionScope => ({ index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: a, port: ap }, { address: b, port: bp }], rtcp: [], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] });
const scopeOf = (call: string, s: SectionScope): DialogScope => ({ key: `${call}\nf\nt`, dialog: { callId: call, fromTag: 'f', toTag: 't' }, sections: [s], dialogApts: [], repositoryApts: [], pending: null });

it('IPv6: an unbound session blocked by an ended address is retired when the map forgets it', () => {
  const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
  let f = 0;
  const E = '2001:db8::7';
  const L = '2001:db8::9';
  const other = (i: number) => `2001:db8:1::${i.toString(16)}`;
  const send = (ts: number, seq: number) => {
    const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 2222, payload: new Uint8Array(20) });
    core.rtp(++f, ts, p, 0, p.length, { v6: true, src4: 0, dst4: 0, src: E, dst: L, sport: 4000, dport: 5000 });
  };
  const rows = () => [...core.streams()].filter((r) => r.stream.ssrc === 2222).map((r) => `${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`).sort();
  core.event({ kind: 'scope', frame: ++f, ts: 1, scope: scopeOf('E', sectionAt(E, 4000, other(0), 4000)) });
  core.event({ kind: 'dialog-ended', frame: ++f, ts: 1, key: 'E\nf\nt' });
  core.event({ kind: 'scope', frame: ++f, ts: 1, scope: scopeOf('L', sectionAt(L, 5000, other(1), 5000)) });
  send(2, 1);
  send(2, 2);
  expect(rows()).toEqual(['false null']);
  for (let i = 2; i < 2 + 16_384; i++) {
    core.event({ kind: 'scope', frame: ++f, ts: 2, scope: scopeOf(`D${i}`, sectionAt(other(i), 6000, other(i), 6002)) });
    core.event({ kind: 'dialog-ended', frame: ++f, ts: 2, key: `D${i}\nf\nt` });
  }
  expect(rows()).toEqual(['true null']);
  send(3, 3);
  expect(rows()).toEqual(['false L', 'true null']);
});
