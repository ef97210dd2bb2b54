/**
 * Checked by a review of the media demux, held here end to end:
 * - RTP header extensions read for the mid through the whole pipeline (with 0 workers and with
 *   2, where the main thread hands the extension block to the shard): the two-byte form (0x1000
 *   and 0x100X app bits, RFC 8285 §4.3) with an empty element and padding before the mid, the
 *   one-byte form after CSRCs and with RTP padding, padding bytes and another element before the
 *   mid, a zero-length payload; an extension length running past the packet is malformed.
 * - A capture that begins mid-call (the initial INVITE transactions of calls 0 and 1 left out):
 *   media before any SDP is unbound, the re-INVITEs' SDP binds what follows, and 0, 2 and 3
 *   workers agree line for line.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, type ReportLine, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { editSample } from './sample-edits.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);

function rtp(o: { ssrc: number; pt: number; csrcs?: number; ext?: Buffer; pad?: number; payload?: number }): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80 | (o.pad ? 0x20 : 0) | (o.ext ? 0x10 : 0) | (o.csrcs ?? 0);
  h[1] = o.pt;
  h.writeUInt16BE(100, 2);
  h.writeUInt32BE(1000, 4);
  h.writeUInt32BE(o.ssrc >>> 0, 8);
  const parts: Buffer[] = [h, Buffer.alloc(4 * (o.csrcs ?? 0), 7)];
  if (o.ext) parts.push(o.ext);
  parts.push(Buffer.alloc(o.payload ?? 20, 0x55));
  if (o.pad) {
    const p = Buffer.alloc(o.pad);
    p[o.pad - 1] = o.pad;
    parts.push(p);
  }
  return Buffer.concat(parts);
}
function ext(profile: number, body: Buffer, words?: number): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const h = Buffer.alloc(4);
  h.writeUInt16BE(profile, 0);
  h.writeUInt16BE(words ?? padded.length / 4, 2);
  return Buffer.concat([h, padded]);
}
const one = (id: number, v: string) => Buffer.concat([Buffer.from([(id << 4) | (v.length - 1)]), Buffer.from(v)]);
const two = (id: number, v: string) => Buffer.concat([Buffer.from([id, v.length]), Buffer.from(v)]);

describe('fine: RTP mid header extension forms, end to end (call 0: BUNDLE, extmap id 9)', () => {
  it('binds by rtp-mid in every form, with 0 and 2 workers', async () => {
    const pkts = [
      rtp({ ssrc: 0x11111111, pt: 96, ext: ext(0x1000, two(9, 'v')) }),
      rtp({ ssrc: 0x22222222, pt: 96, csrcs: 2, pad: 4, ext: ext(0xbede, one(9, 'v')) }),
      rtp({ ssrc: 0x33333333, pt: 111, ext: ext(0xbede, Buffer.concat([Buffer.from([0, 0]), one(9, 'a')])) }),
      rtp({ ssrc: 0x44444444, pt: 96, ext: ext(0xbede, one(9, 'v'), 40) }),
      rtp({ ssrc: 0x55555555, pt: 96, ext: ext(0x1005, Buffer.concat([two(3, ''), Buffer.from([0]), two(9, 'v')])) }),
      rtp({ ssrc: 0x66666666, pt: 96, ext: ext(0xbede, Buffer.concat([one(1, 'xy'), one(9, 'v')])), payload: 0 }),
      rtp({ ssrc: 0x77777777, pt: 96, ext: ext(0xbede, one(9, 'v')), pad: 8, payload: 0 }),
    ];
    const capture = await editSample(ws, 'ext.pcap', { after: (f) => (f === 11 ? pkts.map((payload) => ({ src: '10.1.0.1', dst: '10.2.0.1', sport: 21106, dport: 10694, payload })) : []) });
    for (const workers of [0, 2]) {
      const r = await replayLines({ capture, policy, workers });
      const rows = r.result.bindings.filter((b) => b.ssrc % 0x11111111 === 0).map((b) => `${(b.ssrc / 0x11111111) | 0} ${b.mid} ${b.via}`);
      expect(rows.sort(), `workers ${workers}`).toEqual(['1 v rtp-mid', '2 v rtp-mid', '3 a rtp-mid', '5 v rtp-mid', '6 v rtp-mid', '7 v rtp-mid']);
      expect(parseLines<ReportLine>(r.reports).filter((x) => x.frame === 15).map((x) => x.type)).toEqual(['malformed-input']);
    }
  });
});

describe('fine: a capture that begins mid-call, bound from the re-INVITE on', () => {
  it('0, 2 and 3 workers agree', async () => {
    const drop = new Set([1, 2, 3, 4, 5, 6, 10, 13, 16, 20]);
    const capture = await editSample(ws, 'mid-call.pcap', { map: (f) => (drop.has(f) ? null : undefined) });
    const a = await replayLines({ capture, policy, workers: 0 });
    expect(a.result.summary.reports['unbound-stream']).toBe(8);
    expect(a.result.summary.telemetry.aggregate).toBeGreaterThan(0);
    for (const workers of [2, 3]) {
      const b = await replayLines({ capture, policy, workers });
      expect(b.result.summary).toEqual(a.result.summary);
      expect(b.exports).toEqual(a.exports);
      expect(b.reports).toEqual(a.reports);
      expect(b.decisions).toEqual(a.decisions);
    }
  });
});
