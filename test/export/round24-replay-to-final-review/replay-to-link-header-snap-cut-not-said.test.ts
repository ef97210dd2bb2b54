/**
 * Found by a review of 448282a (replay --to's rewrite), fixed since: a record the snap length cut inside its link header goes to snapCutRecord in both modes (src/sources/replay-sender.ts replayCapture sendIpPacket, linkHeaderCut).
 * Input: an Ethernet capture: a UDP SIP datagram; a frame the snap length cut inside its Ethernet
 *   header (10 of its 252 bytes captured); an 802.1Q frame cut inside its VLAN tag (16 of 256
 *   captured); a second SIP datagram. `replay --to udp://… --udp-mode ip-packet` to a UDP socket
 *   (and `replay --to udp://…` in payload mode: the same).
 * Was (observed): {sent 2, skipped 2}, stderr empty. decodeLinkLayer answers MALFORMED ("Ethernet
 *   header cut short: 10 of 14 bytes", "VLAN tag cut short: 2 of 4 bytes") and sendIpPacket counts
 *   the records as "no IP packet", like an ARP frame; the payload path takes them for malformed
 *   records (the link layer's words lack SNAPLEN_CUT). The offline replay reports both
 *   (malformed-input); nothing tells the operator that the live side will not see them.
 * Correct: README "replay --to": "so are datagrams, TCP segments and headers (in --udp-mode
 *   ip-packet, IP packets) the capture's snap length cut — the first said, their count at the
 *   end"; ReplayOptions.onWarning: "of the first datagram its snap length cut (with their count at
 *   the end)". These records' original length says the capture cut them (origLen > capLen).
 * Fix: src/sources/replay-sender.ts replayCapture: in sendIpPacket, a MALFORMED link layer with
 *   origLen > capLen goes to snapCutRecord (linkError's words); in the payload/HEP path, a
 *   'malformed' record whose origLen > capLen and whose error lies in the link header likewise
 *   (or native-free/link.ts shortHeader/afterEtherType: say SNAPLEN_CUT when told bytes are missing).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { setup } from '../round24-replay-to-review/harness.js';
import { C4, ipv4, S4, udp } from '../round24-replay-to-review/pkt.js';
import { receiver, until } from '../round24-replay-to-review/frames.js';
import { link, offsetOf, writeLinkCap, type LinkRec } from './linkcap.js';

const t = setup('bu-linkcut-');

for (const mode of ['ip-packet', 'payload'] as const) {
  it(`${mode}: a record the snap length cut inside its link header is said on stderr`, async () => {
    const full = link.ethernet(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2))));
    const tagged = link.vlan(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(3))));
    const recs: LinkRec[] = [
      { ts: 1.0, data: link.ethernet(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1)))) },
      { ts: 1.1, data: full.subarray(0, 10), origLen: full.length },
      { ts: 1.2, data: tagged.subarray(0, 16), origLen: tagged.length },
      { ts: 1.3, data: link.ethernet(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(4)))) },
    ];
    const cap = await writeLinkCap(path.join(t.dir(), `linkcut-${mode}.pcap`), 1, recs);
    const r = await receiver();
    try {
      const res = await cli(['replay', cap, '--to', `udp://127.0.0.1:${r.port}`, '--speed', '0', ...(mode === 'ip-packet' ? ['--udp-mode', 'ip-packet'] : [])]);
      await until(r.got, 2);
      expect(JSON.parse(res.stdout)).toEqual({ sent: 2, skipped: 2 });
      const lines = res.stderr.trim().split('\n');
      expect(lines[0]).toMatch(new RegExp(`linkcut-${mode}\\.pcap: at byte ${offsetOf(recs, 1)}: frame 2: .*not sent, nor any other record the snap length cut`));
      expect(lines.at(-1)).toMatch(/: 2 records cut by the capture's snap length were not sent \(counted in skipped\)$/);
    } finally {
      r.close();
    }
  }, 60_000);
}
