/**
 * Found by a review of replay --to's link-layer corners, fixed since: the records of a link type not read are said at the end in the offline replay's line (src/sources/replay-sender.ts replayCapture; unsupportedLinkTypeWarnings moved from src/pipeline/packet-feed.ts to native-free/capture.ts, below both).
 * Input: a pcap of link type 105 (IEEE 802.11, which native-free does not read) holding two
 *   records. `replay --to udp://…` in payload and in --udp-mode ip-packet (and `hep://…`).
 * Was (observed): stdout {"sent":0,"skipped":2}, stderr empty, in every mode. The offline
 *   `replay` of the same file says "aipref-enforcer replay: <file>: 2 records of link type 105
 *   were not read (unsupported link type)" (replay-engine via packet-feed
 *   unsupportedLinkTypeWarnings; `inspect` says it too). replay --to drops the reason: an operator
 *   replaying a Wi-Fi or USB capture onto a live enforcer sees nothing sent and is not told why.
 * Correct: the brief / README "replay --to": where the live side cannot read what the offline
 *   replay reads, that is said on stderr; the offline replay's own warning for these records is
 *   the least that should be said (the same line, once per link type, at the end).
 * Fix: src/sources/replay-sender.ts replayCapture: at the end, warn
 *   unsupportedLinkTypeWarnings(path, …) (src/pipeline/packet-feed.ts) — from decoder.stats /
 *   counters.unsupportedLinkTypes in the payload/HEP path; in sendIpPacket, count
 *   LinkResult.UNSUPPORTED by batch.linkType[i] the same way.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { setup } from '../round24-replay-to-review/harness.js';
import { link, writeLinkCap } from '../round24-replay-to-final-review/linkcap.js';
import { sip4, toSocket } from './local.js';

const t = setup('r25-lt105-');

it('an unsupported link type: replay --to says what the offline replay says', async () => {
  const cap = await writeLinkCap(path.join(t.dir(), 'wifi.pcap'), 105, [
    { ts: 1, data: link.ethernet(sip4(1)) },
    { ts: 2, data: link.ethernet(sip4(2)) },
  ]);
  const off = await cli(['replay', cap, '--out', path.join(t.dir(), 'off'), '--json']);
  const said = 'wifi.pcap: 2 records of link type 105 were not read (unsupported link type)';
  expect(off.stderr).toContain(said);
  for (const mode of ['payload', 'ip-packet'] as const) {
    const r = await toSocket(cap, mode, 0);
    expect(r.result).toEqual({ sent: 0, skipped: 2 });
    expect(r.stderr, mode).toContain(said);
  }
}, 60_000);
