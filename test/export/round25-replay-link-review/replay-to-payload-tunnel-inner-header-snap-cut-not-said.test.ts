/**
 * Found by a review of replay --to's link-layer corners, fixed since: a header cut short where the snap length cut the record (a tunnel's, its inner link layer's) is a snap cut, said (src/sources/replay-sender.ts replayCapture, cutShortAtEnd).
 * Input: an Ethernet capture (tunnels as a traffic mirror delivers them): a UDP SIP datagram; a
 *   GRE/TEB (0x6558) packet the snap length cut 8 bytes into its inner Ethernet header; a VXLAN
 *   (UDP 4789) packet cut 8 bytes into its inner Ethernet header; a GRE packet cut inside its own
 *   4-byte header (each origLen > capLen); then the same GRE/TEB and VXLAN packets whole (a SIP
 *   datagram inside each). `replay --to udp://…` (payload mode) and `replay --to hep://…`.
 * Was (observed): {sent 3, skipped 3}, stderr empty, in both. The offline replay reports the three
 *   (malformed-input: "Ethernet header cut short: 8 of 14 bytes" twice, "GRE header cut short: 2
 *   of 4 bytes"); a live enforcer fed over HEP reports none and nothing says why. The payload path
 *   only knows a snap cut by SNAPLEN_CUT in the decoder's words or by linkHeaderCut of the *outer*
 *   link layer; the tunnel's inner link layer (decodeLinkLayer from decodeIp) and openGre's
 *   cutShort say "cut short", so these fall to `kind !== 'udp'` — skipped without a word.
 *   (In --udp-mode ip-packet the same records are said: "IP packet cut by the capture's snap
 *   length", and their count.)
 * Correct: README "replay --to": "so are datagrams, TCP segments and headers … the capture's snap
 *   length cut — the first said, their count at the end — which are not sent". These are headers
 *   the snap length cut (origLen > capLen, the error at the captured end).
 * Fix: native-free/packet-decoder.ts decodeIp: hand `cut` to the tunnel layers — openGre /
 *   openUdpTunnel (tunnels.ts cutShort) and the inner decodeLinkLayer (link.ts shortHeader,
 *   afterEtherType's VLAN/PPPoE/MPLS words) — so that with bytes missing they say SNAPLEN_CUT, as
 *   decodeIpv4Header does; then replay-sender.ts's payload path sends them to snapCutRecord.
 *   (Or in replay-sender.ts: a 'malformed' record with origLen > capLen whose error lies at the
 *   captured end goes to snapCutRecord.)
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { setup } from '../round24-replay-to-review/harness.js';
import { gre, ipv4, udp } from '../round24-replay-to-review/pkt.js';
import { cat, link, offsetOf, writeLinkCap, type LinkRec } from '../round24-replay-to-final-review/linkcap.js';
import { sip4, toSocket } from './local.js';

const t = setup('r25-tuncut-');
const O1 = [192, 168, 0, 1], O2 = [192, 168, 0, 2];

for (const mode of ['payload', 'hep'] as const) {
  it(`${mode}: a snap length cut inside a tunnel's inner Ethernet header (or its GRE header) is said`, async () => {
    const teb = link.ethernet(ipv4(O1, O2, 47, gre(link.ethernet(sip4(2)), 0x6558)));
    const vxlan = link.ethernet(ipv4(O1, O2, 17, udp(50000, 4789, cat([0x08, 0, 0, 0, 0, 0, 1, 0], link.ethernet(sip4(3))))));
    const greIp = link.ethernet(ipv4(O1, O2, 47, gre(sip4(4), 0x0800)));
    const recs: LinkRec[] = [
      { ts: 1.0, data: link.ethernet(sip4(1)) },
      { ts: 1.1, data: teb.subarray(0, 14 + 20 + 4 + 8), origLen: teb.length },
      { ts: 1.2, data: vxlan.subarray(0, 14 + 20 + 8 + 8 + 8), origLen: vxlan.length },
      { ts: 1.3, data: greIp.subarray(0, 14 + 20 + 2), origLen: greIp.length },
      { ts: 1.4, data: teb },
      { ts: 1.5, data: vxlan },
    ];
    const cap = await writeLinkCap(path.join(t.dir(), `tuncut-${mode}.pcap`), 1, recs);
    const r = await toSocket(cap, mode, 3);
    expect(r.result).toEqual({ sent: 3, skipped: 3 });
    expect(r.lines[0] ?? r.stderr).toMatch(new RegExp(`tuncut-${mode}\\.pcap: at byte ${offsetOf(recs, 1)}: frame 2: .*not sent, nor any other record the snap length cut`));
    expect(r.lines.at(-1)).toMatch(/: 3 records cut by the capture's snap length were not sent \(counted in skipped\)$/);
  }, 60_000);
}
