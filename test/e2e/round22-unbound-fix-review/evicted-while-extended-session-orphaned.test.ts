/**
 * Found by a review of the unbound-session fix (fa3cb23), fixed since: the session a new stream joins stays in the table when eviction takes its only other stream (src/binding/stream-table.ts stream / evictOne).
 * Input: one MediaCore (maxStreams 2, bindings kept; the option test/pipeline/stream-limit.test.ts
 *   uses — the default is 200 000, a relay's table past it), no signaling yet. RTP of SSRC 1111
 *   10.0.0.1:4000 → 10.0.0.2:5000 at t=100 (two in sequence: a valid source), of SSRC 3333 on
 *   another pair at t=100.5, then of SSRC 2222 on the first pair at t=101. The table is full:
 *   2222's stream evicts the least recently seen unbound one, 1111 — the only stream of the very
 *   session 2222 is being added to. Then c1's scope names 10.0.0.1:4000 and 10.0.0.2:5000, and
 *   2222 sends again. The same at StreamTable level (maxStreams 1).
 * Was (observed): evictOne empties the session and deletes it from the table (and, since
 *   fa3cb23, unfiles it from the unbound index), then stream() adds 2222 to that orphan object:
 *   before the scope the binding table lists 3333 alone although streamCount is 2 (2222, being
 *   decided unbound, has no row); at the scope retireUnboundOf finds nothing at the pair's ends
 *   (unboundAt: undefined), so 2222's unbound stream is never retired (no ended no-dialog row)
 *   and streamCount counts it for ever (after the scope: rows [2222 c1], streamCount 2 — the
 *   orphan keeps a slot of the table full, and the next new stream, c1's 2222, evicted 3333).
 *   StreamTable: after t.stream(U, 2) U is in neither allSessions() nor unboundAt(), size 1.
 * Correct: a session that holds a stream is in the table: a full table may evict 1111, not the
 *   session 2222 joins. The binding table lists every stream the core holds (SPEC §8: bindings
 *   at the end of the capture), and the scope that routes the pair retires the unbound session
 *   that saw its datagrams (an ended no-dialog row for 2222, fa3cb23's rule), freeing its slot.
 *   An evicted-then-recreated session is what "the index is cleaned" must mean: recreated and
 *   filed again, not left holding packets outside the table.
 * Fix: src/binding/stream-table.ts stream(): after evictOne, when the victim's removal emptied
 *   `session` itself (it is no longer in `sessions`), put it back — sessions.set, and for an
 *   unbound one unbound.set and file its seen datagrams again (or: evictOne skips a victim whose
 *   session is the one being extended when that would empty it). The same holds for a dialog's
 *   session (its only stream evicted as it gains a second).
 */
import { describe, expect, it } from 'vitest';
import { StreamTable } from '../../../src/binding/stream-table.js';
import type { DialogScope } from '../../../src/binding/types.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';

const n4 = (s: string) => s.split('.').reduce((a, b) => a * 256 + +b, 0);
const at = (src: string, sport: number, dst: string, dport: number): PacketAddress => ({ v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport });
const scope: DialogScope = {
  key: 'c1\nf\nt',
  dialog: { callId: 'c1', fromTag: 'f', toTag: 't' },
  sections: [{ index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: '10.0.0.1', port: 4000 }, { address: '10.0.0.2', port: 5000 }], rtcp: [], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] }],
  dialogApts: [],
  repositoryApts: [],
  pending: null,
};

describe('a full stream table evicting the only stream of the session a new stream joins', () => {
  it('MediaCore: the joining stream has a binding row, and the scope retires its session', () => {
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, maxStreams: 2, bindings: true });
    let frame = 0;
    const send = (ts: number, ssrc: number, a: PacketAddress, seqs = [1, 2]) => {
      for (const seq of seqs) {
        const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc, payload: new Uint8Array(20) });
        core.rtp(++frame, ts, p, 0, p.length, a);
      }
    };
    const rows = () => [...core.streams()].map((r) => `${r.stream.ssrc} ${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`).sort();
    send(100, 1111, at('10.0.0.1', 4000, '10.0.0.2', 5000));
    send(100.5, 3333, at('10.9.0.1', 4000, '10.9.0.2', 5000));
    send(101, 2222, at('10.0.0.1', 4000, '10.0.0.2', 5000));
    expect(core.drain().reports.map((l) => (JSON.parse(l.text) as { type: string; ssrc: number }).ssrc)).toEqual([1111, 3333, 1111, 2222]);
    expect(core.streamCount).toBe(2);
    // every stream the core holds has a row
    expect(rows()).toEqual(['2222 false null', '3333 false null']);
    core.event({ kind: 'scope', frame: ++frame, ts: 102, scope });
    send(102.5, 2222, at('10.0.0.1', 4000, '10.0.0.2', 5000), [3]);
    // 2222's unbound stream retired at the scope (ended row), c1's own 2222 live
    expect(rows().filter((r) => r.startsWith('2222'))).toEqual(['2222 false c1', '2222 true null']);
  });

  it('StreamTable: the session stays in the table and in the unbound index', () => {
    const t = new StreamTable({ maxStreams: 1 });
    const u = t.unboundSession('10.0.0.1:4000|10.0.0.2:5000');
    t.noteDatagram(u, { v6: false, src4: n4('10.0.0.1'), dst4: n4('10.0.0.2'), src: '10.0.0.1', dst: '10.0.0.2', sport: 4000, dport: 5000 });
    t.stream(u, 1, 0);
    t.stream(u, 2, 1);
    expect([...u.streams.keys()]).toEqual([2]);
    expect(t.size).toBe(1);
    expect([...t.allSessions()]).toContain(u);
    expect([...(t.unboundAt(n4('10.0.0.1') * 65536 + 4000) ?? [])]).toEqual([u]);
  });
});
