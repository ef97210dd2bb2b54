/**
 * Checked and fine (review of bf05e0c: TransportMap.set's newly live keys, the unbound index by
 * SSRC, dialog-ended's collision / forgottenV4 re-check, StreamTable.stream's `joining`):
 * - (a) is complete for the address route: lookupDatagramV4/V6 only gains a route when an end
 *   goes live or leaves the ended set (liveness is monotone: a removed key never opens one; a
 *   claimed key answers whoever claims it). A re-INVITE moving a call's port back to one it
 *   held two scopes earlier makes it fresh again: the stray sent there between is retired at
 *   that re-INVITE, not at the refresh before it.
 * - (c) IPv4: an unbound session whose source is an ended dialog's address (late media to a live
 *   call) is retired at the dialog-ended that makes the map forget that address (16 384 ends
 *   later), its next packet the live call's; forgottenV4 is emptied by the next end() that
 *   forgets nothing (no stale keys: that end looks at no unbound session).
 * - (b) three calls declaring one SSRC: not retired when the first of the other two ends (still
 *   a collision), retired when the second does.
 * - The SSRC index is unfiled on every path that takes a stream or session of an unbound
 *   session: retirement, sweepUnbound, eviction of one stream (the session kept), eviction
 *   emptying a session; and a stream joining a session whose only stream eviction took is in
 *   the index and the table.
 * - The report-subject capture of report-subject-ssrc-retires-unbound-sender.test.ts gives
 *   byte-identical outputs under workers 0/1/2 and batches of 1–3 (asserted there too).
 * - No crash in any of the above.
 */
import { describe, expect, it } from 'vitest';
import type { StreamTable } from '../../../src/binding/stream-table.js';
import type { TransportMap } from '../../../src/binding/transport-map.js';
import type { DialogScope, SectionScope } from '../../../src/binding/types.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';

const n4 = (s: string) => s.split('.').reduce((a, b) => a * 256 + +b, 0);
const at = (src: string, sport: number, dst: string, dport: number): PacketAddress => ({ v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport });
const sectionAt = (a: string, ap: number, b: string, bp: number, ssrcs: number[] = []): SectionScope => ({ index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: a, port: ap }, { address: b, port: bp }], rtcp: [], ssrcs, midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] });
const scopeOf = (call: string, s: SectionScope): DialogScope => ({ key: `${call}\nf\nt`, dialog: { callId: call, fromTag: 'f', toTag: 't' }, sections: [s], dialogApts: [], repositoryApts: [], pending: null });
const tableOf = (core: MediaCore) => (core as unknown as { table: StreamTable }).table;
const mapOf = (core: MediaCore) => (core as unknown as { transports: TransportMap }).transports;

function harness(maxStreams?: number) {
  const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true, ...(maxStreams !== undefined ? { maxStreams } : {}) });
  let f = 0;
  return {
    core,
    next: () => ++f,
    send(ts: number, ssrc: number, a: PacketAddress, seqs = [1, 2]) {
      for (const seq of seqs) {
        const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc, payload: new Uint8Array(20) });
        core.rtp(++f, ts, p, 0, p.length, a);
      }
    },
    rows: (ssrc: number) => [...core.streams()].filter((r) => r.stream.ssrc === ssrc).map((r) => `${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`).sort(),
  };
}

describe('bf05e0c: checked fine', () => {
  it('a re-INVITE moving the port back to one held earlier retires the stray sent there', () => {
    const h = harness();
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('X', sectionAt('10.1.0.1', 4000, '10.2.0.1', 5000)) });
    h.core.event({ kind: 'scope', frame: h.next(), ts: 2, scope: scopeOf('X', sectionAt('10.1.0.1', 4100, '10.2.0.1', 5100)) });
    h.send(3, 3333, at('192.0.2.7', 7000, '10.1.0.1', 4000));
    expect(h.rows(3333)).toEqual(['false null']);
    h.core.event({ kind: 'scope', frame: h.next(), ts: 4, scope: scopeOf('X', sectionAt('10.1.0.1', 4100, '10.2.0.1', 5100)) });
    expect(h.rows(3333)).toEqual(['false null']);
    h.core.event({ kind: 'scope', frame: h.next(), ts: 5, scope: scopeOf('X', sectionAt('10.1.0.1', 4000, '10.2.0.1', 5000)) });
    expect(h.rows(3333)).toEqual(['true null']);
    h.send(6, 3333, at('192.0.2.7', 7000, '10.1.0.1', 4000), [3]);
    expect(h.rows(3333)).toEqual(['false X', 'true null']);
  });

  it('IPv4: retired when the map forgets the ended address; forgottenV4 not stale', () => {
    const h = harness();
    const other = (i: number) => `10.9.${i >> 8}.${i & 255}`;
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('E', sectionAt('192.0.2.7', 4000, other(0), 4000)) });
    h.core.event({ kind: 'dialog-ended', frame: h.next(), ts: 1, key: 'E\nf\nt' });
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('L', sectionAt('198.51.100.9', 5000, other(1), 5000)) });
    h.send(2, 2222, at('192.0.2.7', 4000, '198.51.100.9', 5000));
    expect(h.rows(2222)).toEqual(['false null']);
    for (let i = 2; i < 2 + 16_384; i++) {
      h.core.event({ kind: 'scope', frame: h.next(), ts: 2, scope: scopeOf(`D${i}`, sectionAt(other(i), 6000, other(i), 6002)) });
      h.core.event({ kind: 'dialog-ended', frame: h.next(), ts: 2, key: `D${i}\nf\nt` });
    }
    expect(h.rows(2222)).toEqual(['true null']);
    h.send(3, 2222, at('192.0.2.7', 4000, '198.51.100.9', 5000), [3]);
    expect(h.rows(2222)).toEqual(['false L', 'true null']);
    // an end of a dialog never registered forgets nothing: nothing stale left behind
    h.core.event({ kind: 'dialog-ended', frame: h.next(), ts: 3, key: 'nobody\nf\nt' });
    expect(mapOf(h.core).forgottenV4).toEqual([]);
  });

  it('three calls declaring one SSRC: retired at the end of the second other call only', () => {
    const h = harness();
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('X', sectionAt('10.1.0.1', 4000, '10.2.0.1', 5000, [1111])) });
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('Y', sectionAt('10.3.0.1', 4000, '10.4.0.1', 5000, [1111])) });
    h.core.event({ kind: 'scope', frame: h.next(), ts: 1, scope: scopeOf('W', sectionAt('10.5.0.1', 4000, '10.6.0.1', 5000, [1111])) });
    h.send(2, 1111, at('192.0.2.7', 4000, '198.51.100.9', 5000));
    h.core.event({ kind: 'dialog-ended', frame: h.next(), ts: 3, key: 'Y\nf\nt' });
    expect(h.rows(1111)).toEqual(['false null']);
    h.core.event({ kind: 'dialog-ended', frame: h.next(), ts: 4, key: 'W\nf\nt' });
    expect(h.rows(1111)).toEqual(['true null']);
    expect(tableOf(h.core).unboundWith(1111)).toBeUndefined();
  });

  it('the SSRC index is unfiled on retirement, sweep and eviction', () => {
    // sweep
    const h = harness();
    h.send(1, 1111, at('192.0.2.7', 4000, '198.51.100.9', 5000));
    // (an event first: one further than the idle bound from the one before sweeps nothing)
    h.core.event({ kind: 'scope', frame: h.next(), ts: 150, scope: scopeOf('P', sectionAt('10.7.0.1', 4000, '10.8.0.1', 5000)) });
    expect(tableOf(h.core).unboundWith(1111)?.size).toBe(1);
    h.core.event({ kind: 'scope', frame: h.next(), ts: 400, scope: scopeOf('Q', sectionAt('10.1.0.1', 4000, '10.2.0.1', 5000)) });
    expect(tableOf(h.core).unboundWith(1111)).toBeUndefined();
    expect(tableOf(h.core).unboundCount).toBe(0);
    // eviction: of one stream (session kept), then emptying a session
    const e = harness(3);
    const t = tableOf(e.core);
    e.send(1, 1, at('192.0.2.1', 4000, '198.51.100.9', 5000));
    e.send(2, 2, at('192.0.2.1', 4000, '198.51.100.9', 5000));
    e.send(3, 3, at('192.0.2.3', 4000, '198.51.100.9', 5000));
    e.send(4, 4, at('192.0.2.4', 4000, '198.51.100.9', 5000));
    expect(t.unboundWith(1)).toBeUndefined();
    expect([...(t.unboundWith(2) ?? [])].map((s) => s.streams.has(2))).toEqual([true]);
    e.send(5, 5, at('192.0.2.5', 4000, '198.51.100.9', 5000));
    expect(t.unboundWith(2)).toBeUndefined();
    expect(t.unboundAt(n4('192.0.2.1') * 65536 + 4000)).toBeUndefined();
    // a stream joining the session whose only stream was evicted: filed, in the table
    e.send(6, 33, at('192.0.2.3', 4000, '198.51.100.9', 5000));
    const u = [...(t.unboundWith(33) ?? [])];
    expect(u.map((s) => [...s.streams.keys()])).toEqual([[33]]);
    expect(t.existingSession(u[0]!.key)).toBe(u[0]);
    expect(t.unboundWith(3)).toBeUndefined();
    // retirement
    e.core.event({ kind: 'scope', frame: e.next(), ts: 7, scope: scopeOf('R', sectionAt('192.0.2.3', 4000, '10.2.0.1', 5000)) });
    expect(t.unboundWith(33)).toBeUndefined();
  });
});
