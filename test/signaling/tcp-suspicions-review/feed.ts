/**
 * The packet feed's SIP per frame, named by start line (lab.ts's oursSip names a message by its
 * CSeq, which a start line that lost its first byte keeps): "METHOD callId" for a request,
 * "status callId" for a response, "reason: detail" for an error.
 */
import { LinkType } from '../../../native-free/types.js';
import { PacketFeed } from '../../../src/pipeline/packet-feed.js';
import { batchOf } from '../../native-free/packet-helpers.js';
import { timed, type Rec } from '../tcp-reassembly-review/lab.js';

export async function startLines(recs: Rec[]): Promise<[number, string[]][]> {
  const out: [number, string[]][] = [];
  const feed = new PacketFeed({
    media() {},
    other() {},
    malformed() {},
    sip(messages, ctx) {
      out.push([ctx.frame, messages.map((m) => (m.message ? `${m.message.method || m.message.status} ${m.message.callId}` : `${m.errors[0]?.reason}: ${m.errors[0]?.detail}`))]);
    },
  });
  const batch = batchOf(timed(recs).map((r) => ({ data: r.data, linkType: LinkType.ETHERNET, ts: r.ts })));
  await feed.runBatches(
    (async function* () {
      yield batch;
    })(),
  );
  return out;
}
