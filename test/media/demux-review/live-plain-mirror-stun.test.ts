/**
 * Found by a review of media-port demultiplexing, fixed since: a plain UDP mirror passes over STUN, ZRTP, DTLS, TURN ChannelData and 0-byte keep-alives whose headers hold, counting them as media-port-protocol (src/media/demux.ts carriesMediaPortProtocol; src/cli/live.ts).
 */
// Input: `live --udp 127.0.0.1:0` (default --udp-mode plain: each datagram is a relay's mirrored
//   media-port payload) receives, as a relay mirroring everything that arrives on a WebRTC
//   media port forwards it: an RFC 5389 Binding request (first byte 0x00, magic cookie
//   0x2112A442), a DTLS 1.2 handshake record (0x16), a TURN ChannelData message (0x40) and a
//   0-byte keep-alive; then two RTP packets in sequence (an unrouted source counts from its
//   second, RFC 3550 A.1), so the run is known to have read them all.
// Was: each of the four counted as malformed and reported, summary `malformed: 4` and four
//   `malformed-input` reports "datagram of N bytes is neither RTP, RTCP nor SIP". The same
//   datagrams in a capture on a negotiated media transport are not (replay-engine other(),
//   test/e2e/webrtc-port-traffic.test.ts), so live and replay count a WebRTC call differently.
// Correct: RFC 7983 §7 / RFC 9443 §3 put STUN (0–3), ZRTP (16–19), DTLS (20–63) and TURN
//   ChannelData (64–79) on the RTP port by design (ICE consent every ~5 s, RFC 7675), RFC 6263
//   §4.1 the 0-byte keep-alive; SPEC §6/§8: `malformed-input`/`malformed` are broken packets.
//   Expected: summary.malformed 0, no malformed-input report, rtp 2.
// Fix: src/cli/live.ts, the UDP listener's onPacket (plain mode): before counting a datagram
//   malformed, skip those sharesMediaPort() (src/media/demux.ts) accepts — e.g. STUN with its
//   magic cookie, so that the 5-byte junk of test/live/live.test.ts stays malformed.
import { mkdtemp, rm } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, LiveChild, readLines } from '../../live/live-helpers.js';
import { rtp } from './harness.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const STUN_REQ = hex('0001 0000 2112a442 0102030405060708090a0b0c');
const DTLS = hex('16 fefd 0000 0000 0000 0000 0010 01 00000c 0000 000000 00000c fefd 0000 0000');
const CHANNEL = hex('4000 0004 deadbeef');
const EMPTY = new Uint8Array(0);

let dir = '';
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'demux-review-live-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('live plain UDP mirror: what RFC 7983 puts on a media port beside RTP', () => {
  it('is not counted or reported as malformed', async () => {
    const out = path.join(dir, 'out');
    const { live, addresses } = await LiveChild.start(['--udp', '127.0.0.1:0', '--out', out, '--workers', '0', '--batch-ms', '5']);
    const sock = createSocket('udp4');
    for (const d of [STUN_REQ, DTLS, CHANNEL, EMPTY, rtp({ pt: 111, seq: 1, ssrc: 0x1234 }), rtp({ pt: 111, seq: 2, ssrc: 0x1234 })]) {
      await new Promise<void>((resolve, reject) => sock.send(d, addresses.udp!.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
    sock.close();
    await new Promise((r) => setTimeout(r, 400));
    expect(await live.terminate()).toBe(0);
    const stop = await live.waitFor((l) => l.event === 'stop', 1000);
    const summary = stop.summary as { rtp: number; malformed: number };
    const reports = (await readLines(out, 'reports')).filter((r) => r.type === 'malformed-input').map((r) => r.detail);
    expect.soft(reports).toEqual([]);
    expect({ rtp: summary.rtp, malformed: summary.malformed }).toEqual({ rtp: 2, malformed: 0 });
  });
});
