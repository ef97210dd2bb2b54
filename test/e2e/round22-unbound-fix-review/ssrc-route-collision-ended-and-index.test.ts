/**
 * Found by a review of the unbound-session fix (fa3cb23), fixed since: retirement follows the a=ssrc route's collision and ended-address rules, at the event that opens the route (src/pipeline/media-core.ts retireUnboundOf / routesAny / unroutedSsrcs, src/binding/stream-table.ts stream / unboundWith / evictOne).
 * Input: one MediaCore (bindings kept), IPv4 RTP of SSRC 1111 (two in sequence: a valid source)
 *   from 192.0.2.7:4000 to 198.51.100.9:5000, addresses no SDP names. (1) Calls X and Y (other
 *   Call-IDs) both declare a=ssrc:1111 (a collision: neither's), the RTP comes, X is refreshed,
 *   then Y ends. (2) Call E names 192.0.2.7:4000 and ends; the RTP comes (an ended dialog's late
 *   media); call Z declares a=ssrc:1111. (3) The RTP comes; call P's re-INVITE is pending, its
 *   offer alone declaring a=ssrc:1111. (4) StreamTable: the unbound sessions by SSRC.
 * Was (before this fix): (1) the unbound session was never retired — only the scope's own
 *   transports were looked at — although from Y's end on the packet path routes 1111 to X;
 *   (3) the offer's a=ssrc was not looked at.
 * Correct: (1) not retired while the SSRC is two calls' (the refresh changes nothing), retired
 *   at Y's end (an ended no-dialog row), the next packet X's; (2) not retired (the packet path
 *   routes an ended dialog's late media by no SSRC: the next packet is the same unbound stream,
 *   reported once); (3) retired at the offer (SPEC §5: an offer's scope applies from the
 *   offer); (4) an unbound session is filed under the SSRC of each sender of its packets when
 *   noted (since the review of bf05e0c: not when a stream is made — a report subject's is not
 *   a sender's, see ../round22-unbound-fix-2-review), unfiled when that stream is evicted or
 *   when its session goes; a dialog's streams are not filed.
 */
import { describe, expect, it } from 'vitest';
import { StreamTable } from '../../../src/binding/stream-table.js';
import type { DialogScope, SectionScope } from '../../../src/binding/types.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';

const n4 = (s: string) => s.split('.').reduce((a, b) => a * 256 + +b, 0);
const at = (src: string, sport: number, dst: string, dport: number): PacketAddress => ({ v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport });
const NAT = at('192.0.2.7', 4000, '198.51.100.9', 5000);
const section = (a: string, ap: number, b: string, bp: number, ssrcs: number[]): SectionScope => ({ index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: a, port: ap }, { address: b, port: bp }], rtcp: [], ssrcs, midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] });
const scopeOf = (call: string, s: SectionScope, pending: SectionScope | null = null): DialogScope => {
  const dialog = { callId: call, fromTag: 'f', toTag: 't' };
  const key = `${call}\nf\nt`;
  return { key, dialog, sections: [s], dialogApts: [], repositoryApts: [], pending: pending === null ? null : { key, dialog, sections: [pending], dialogApts: [], repositoryApts: [], pending: null } };
};
const tableOf = (core: MediaCore) => (core as unknown as { table: StreamTable }).table;

function harness() {
  const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
  let frame = 0;
  let seq = 0;
  return {
    core,
    next: () => ++frame,
    send(ts: number, n = 2) {
      for (let i = 0; i < n; i++) {
        const p = encodeRtpPacket({ pt: 0, seq: ++seq, ts: seq * 160, ssrc: 1111, payload: new Uint8Array(20) });
        core.rtp(++frame, ts, p, 0, p.length, NAT);
      }
    },
    rows: () => [...core.streams()].map((r) => `${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`).sort(),
    unboundReports: () => core.drain().reports.filter((l) => l.text.includes('"unbound-stream"')).map((l) => l.frame),
  };
}

describe('the a=ssrc route as the packet path takes it', () => {
  it('an SSRC two calls declare retires nothing; the end of one of them does', () => {
    const h = harness();
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('X', section('10.1.0.1', 4000, '10.2.0.1', 5000, [1111])) });
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('Y', section('10.3.0.1', 4000, '10.4.0.1', 5000, [1111])) });
    h.send(2);
    expect(h.rows()).toEqual(['false null']);
    h.core.event({ kind: 'scope', frame: h.next(), ts: 3, scope: scopeOf('X', section('10.1.0.1', 4000, '10.2.0.1', 5000, [1111])) });
    expect(h.rows()).toEqual(['false null']);
    h.core.event({ kind: 'dialog-ended', frame: h.next(), ts: 4, key: 'Y\nf\nt' });
    expect(h.rows()).toEqual(['true null']);
    expect(tableOf(h.core).unboundWith(1111)).toBeUndefined();
    h.send(5, 1);
    expect(h.rows()).toEqual(['false X', 'true null']);
  });

  it("an ended dialog's late media is not retired by a call declaring its SSRC", () => {
    const h = harness();
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('E', section('192.0.2.7', 4000, '10.4.0.1', 5000, [])) });
    h.core.event({ kind: 'dialog-ended', frame: h.next(), ts: 2, key: 'E\nf\nt' });
    h.send(3);
    const first = h.unboundReports();
    expect(first).toHaveLength(1);
    h.core.event({ kind: 'scope', frame: h.next(), ts: 4, scope: scopeOf('Z', section('10.1.0.1', 4000, '10.2.0.1', 5000, [1111])) });
    h.send(5, 1);
    expect(h.unboundReports()).toEqual([]);
    expect(h.rows()).toEqual(['false null']);
  });

  it("a pending offer's a=ssrc retires the session at the offer", () => {
    const h = harness();
    h.send(1);
    h.core.event({ kind: 'scope', frame: h.next(), ts: 2, scope: scopeOf('P', section('10.1.0.1', 4000, '10.2.0.1', 5000, []), section('10.1.0.1', 4000, '10.2.0.1', 5000, [1111])) });
    expect(h.rows()).toEqual(['true null']);
    h.send(3, 1);
    expect(h.rows()).toEqual(['false P', 'true null']);
  });

  it('StreamTable: unbound sessions by sender SSRC, filed when noted, unfiled when evicted or dropped', () => {
    const t = new StreamTable({ maxStreams: 3 });
    const keys = (ssrc: number) => [...(t.unboundWith(ssrc) ?? [])].map((s) => s.key);
    const u = t.unboundSession('u');
    const v = t.unboundSession('v');
    t.noteDatagram(u, NAT, 7);
    t.stream(u, 7, 0);
    t.noteDatagram(v, NAT, 7);
    t.stream(v, 7, 1);
    t.stream(t.session('dialog', null), 8, 2);
    expect(keys(7)).toEqual(['u', 'v']);
    expect(t.unboundWith(8)).toBeUndefined();
    t.noteDatagram(v, NAT, 9);
    t.stream(v, 9, 3);
    // full: u's stream 7 (least recently seen, unbound first) evicted, u emptied and gone
    expect(keys(7)).toEqual(['v']);
    expect(keys(9)).toEqual(['v']);
    t.dropSession('v');
    t.dropSession('dialog');
    expect(t.unboundWith(7)).toBeUndefined();
    expect(t.unboundWith(9)).toBeUndefined();
  });
});
