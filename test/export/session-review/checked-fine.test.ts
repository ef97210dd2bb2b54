/**
 * Checks of today's changes that came out FINE (kept as regression tests):
 *  - nats-expiry.ts StreamExpiry: 40 notes of mixed due times (0.1–0.6 s on, interleaved
 *    sequences, a run broken by a gap) are all deleted, each not before its own expiresAt, in
 *    due order (heap push/pop); a delete answered "no message found" is not counted as failed; a
 *    delete that fails once is tried again ~1 s later and then succeeds; close() stops it.
 *  - compound.ts: an IJ packet (PT 195) with RC=0 (4 bytes) after an RR takes the RR's SSRC, and
 *    one with two jitter values after an SR takes the SR's SSRC (not its first jitter value).
 */
import { describe, expect, it } from 'vitest';
import type { JetStreamManager } from 'nats';
import { StreamExpiry } from '../../../src/export/nats-expiry.js';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';

describe('StreamExpiry: heap order, runs, retries', () => {
  it('deletes each noted sequence at or after its own due time, in due order', async () => {
    const deleted: { seq: number; at: number }[] = [];
    let failOnce = true;
    const jsm = {
      streams: {
        deleteMessage: async (_s: string, seq: number) => {
          if (seq === 7 && failOnce) {
            failOnce = false;
            throw new Error('TIMEOUT');
          }
          if (seq === 9) throw new Error('no message found');
          deleted.push({ seq, at: Date.now() / 1000 });
          return true;
        },
      },
    } as unknown as JetStreamManager;
    const failures: string[] = [];
    const clock = () => Date.now() / 1000;
    const expiry = new StreamExpiry(jsm, 'S', 3600, clock, (r) => failures.push(r));
    const t0 = clock();
    const due = new Map<number, number>();
    const offsets = [0.5, 0.1, 0.3, 0.3, 0.3, 0.6, 0.2, 0.4, 0.1, 0.2];
    for (let seq = 1; seq <= 40; seq++) {
      const at = t0 + offsets[seq % offsets.length]!;
      due.set(seq, at);
      expiry.note(seq, at);
    }
    await new Promise((r) => setTimeout(r, 1900));
    await expiry.close();
    const seqs = deleted.map((d) => d.seq).sort((a, b) => a - b);
    expect(seqs).toEqual([...Array(40).keys()].map((i) => i + 1).filter((s) => s !== 9));
    for (const d of deleted) expect(d.at).toBeGreaterThanOrEqual(Math.ceil(due.get(d.seq)! * 10) / 10 - 0.005);
    // seq 7 retried about a second after its first try
    const seven = deleted.find((d) => d.seq === 7)!;
    expect(seven.at - due.get(7)!).toBeGreaterThan(0.9);
    const firstTry = deleted.filter((d) => d.seq !== 7);
    for (let i = 1; i < firstTry.length; i++) expect(Math.ceil(due.get(firstTry[i]!.seq)! * 10)).toBeGreaterThanOrEqual(Math.ceil(due.get(firstTry[i - 1]!.seq)! * 10));
    expect(expiry.stats).toEqual({ deleted: 39, failed: 1 });
    expect(failures).toHaveLength(1);
  });
});

describe('IJ (RFC 5450) takes the SSRC of the SR/RR it follows', () => {
  it('RC=0 after an RR, and two values after an SR', () => {
    const rr = [0x80, 201, 0, 1, 0, 0, 0, 0x2a]; // RR, RC 0, SSRC 42
    const ij0 = [0x80, 195, 0, 0];
    let c = decodeRtcpCompound(new Uint8Array([...rr, ...ij0]));
    expect(c.errors).toEqual([]);
    expect(c.packets.map((p) => [p.pt, p.ssrc])).toEqual([[201, 42], [195, 42]]);
    const srPkt = [0x80, 200, 0, 6, 0, 0, 0, 7, ...new Array(20).fill(0)]; // SR, RC 0, SSRC 7
    const ij2 = [0x82, 195, 0, 2, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78];
    c = decodeRtcpCompound(new Uint8Array([...srPkt, ...ij2]));
    expect(c.errors).toEqual([]);
    expect(c.packets.map((p) => [p.pt, p.ssrc])).toEqual([[200, 7], [195, 7]]);
  });
});
