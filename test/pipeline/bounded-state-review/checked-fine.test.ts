/**
 * Checks of the review of state that grows with input (bounded-state) that came out fine: each
 * structure driven directly with many distinct, traffic-controlled keys, its documented bound
 * asserted exactly.
 *
 * - TransportMap.endedV4 (an ended dialog's addresses; e2c3e49, count-bounded only since
 *   7250ca6): 200 000 dialogs, each on its own addresses, registered and ended: at most
 *   MAX_ENDED (16 384) remembered, each end past it naming the two it pushed out (forgottenV4),
 *   nothing left in the live maps.
 * - DialogTracker.failedInvites (69212c4): 1000 INVITEs refused (486) within 10 s with
 *   maxDialogs 100: at most 100 held; a refusal 40 s later (past the 32 s INVITE transaction)
 *   leaves only itself.
 * - DialogTracker.forksDue without clock outliers: covered by the control run of
 *   forks-due-after-outlier.test.ts (32 held after 2000 answered forked calls 1 s apart).
 * - RtcpCopies: 100 000 distinct compounds within 10 ms of capture time on distinct transports:
 *   at most 16 384 remembered.
 * - StreamExpiry (0bbdefa), a steady feed of one retention: 100 000 PubAck sequences in order,
 *   expiresAt spread over 1 s (10 tenths): 10 runs held, as its comment says ("a run per tenth
 *   of a second of its retention, not a note per line").
 */
import { describe, expect, it } from 'vitest';
import type { DialogScope } from '../../../src/binding/types.js';
import { TransportMap } from '../../../src/binding/transport-map.js';
import { StreamExpiry } from '../../../src/export/nats-expiry.js';
import { RtcpCopies } from '../../../src/pipeline/rtcp-copies.js';
import type { SipContext } from '../../../src/signaling/dialog-events.js';
import { DialogTracker } from '../../../src/signaling/dialogs.js';
import { audioSdp, callMessage } from '../../signaling/sip-fixtures.js';

type Any = Record<string, any>;

function scopeOf(i: number): DialogScope {
  const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return {
    key: `d${i}`,
    dialog: { callId: `c${i}`, fromTag: 'f', toTag: 't' },
    sections: [
      { index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: a, port: 30000 }], rtcp: [{ address: a, port: 30001 }], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] },
    ],
    dialogApts: [],
    repositoryApts: [],
    pending: null,
  };
}

describe('bounded state that came out fine', () => {
  it('TransportMap: ended addresses at most 16 384', () => {
    const map = new TransportMap();
    for (let i = 0; i < 200_000; i++) {
      map.set(scopeOf(i));
      map.end(`d${i}`);
    }
    const m = map as unknown as Any;
    expect(m.endedV4.size).toBe(16_384);
    expect(map.forgottenV4.length).toBe(2);
    expect(m.v4.size).toBe(0);
    expect(m.byDialog.size).toBe(0);
    expect(m.bySsrc.size).toBe(0);
  });

  it('DialogTracker: failed INVITEs at most maxDialogs, gone after the 32 s transaction', () => {
    const tracker = new DialogTracker({ maxDialogs: 100 });
    let frame = 0;
    const ctx = (ts: number): SipContext => ({ frame: ++frame, ts, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' });
    const refuse = (callId: string, ts: number) => {
      tracker.handle(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: '1 INVITE', sdp: audioSdp() }), ctx(ts));
      tracker.handle(callMessage('SIP/2.0 486 Busy Here', { callId, cseq: '1 INVITE', toTag: 'x' }), ctx(ts));
    };
    for (let i = 0; i < 1000; i++) refuse(`r${i}`, 1000 + i / 100);
    const t = tracker as unknown as Any;
    expect(t.failedInvites.size).toBe(100);
    expect(t.dialogs.size).toBe(0);
    refuse('late', 1050);
    expect(t.failedInvites.size).toBe(1);
  });

  it('RtcpCopies: at most 16 384 compounds remembered', () => {
    const copies = new RtcpCopies();
    const bytes = new Uint8Array(8);
    for (let i = 0; i < 100_000; i++) {
      new DataView(bytes.buffer).setUint32(4, i);
      expect(copies.isCopy(1000 + i / 1e7, bytes, 0, 8, `t${i}`)).toBe(false);
    }
    expect((copies as unknown as Any).seen.size).toBe(16_384);
  });

  it('StreamExpiry: a steady feed of one retention holds a run per tenth of a second', async () => {
    const jsm = { streams: { deleteMessage: async () => true } } as unknown as ConstructorParameters<typeof StreamExpiry>[0];
    const now = 1_800_000_000;
    const expiry = new StreamExpiry(jsm, 's', 7 * 86400, () => now, () => {});
    for (let seq = 1; seq <= 100_000; seq++) expiry.note(seq, now + 3600 + Math.floor((seq - 1) / 10_000) / 10 + 0.01);
    expect((expiry as unknown as Any).heap.length).toBe(10);
    await expiry.close();
  });
});
