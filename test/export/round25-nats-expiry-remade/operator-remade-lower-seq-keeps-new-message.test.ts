/**
 * Found by a review of the NATS stored-copy lookup (noticed by its fixer), fixed since: a stream made again drops the old stream's expiry schedule — StreamExpiry.forgetAll, called from newSeqEpoch (src/export/nats-expiry.ts forgetAll; src/export/nats-exporter.ts newSeqEpoch).
 * Input: the exporter stores a line of 1.5 s retention at sequence 4; an operator deletes the stream and adds it again (jsm, same config); the exporter's next PubAck shows sequence 1 (going backwards: a new epoch); another client's messages take sequences 2–4 of the new stream; the old line's expiresAt passes.
 * Was: the delete scheduled for the old stream's sequence 4 removes the new stream's message 4 (another client's) at the old line's expiresAt. Correct: it is still there; nothing the exporter noted before the stream was made again is deleted after (SPEC §3/§4 concern the enforcer's own lines only).
 */
import { afterEach, describe, it } from 'vitest';
import { NATS_SERVER, natsServerEachTest } from '../nats-server-process.js';
import { wait } from '../nats-review/helpers.js';
import { newStreamKeepsItsMessages } from './remade.js';

const nats = natsServerEachTest('aipref-r25-expiry-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS expiry: the stream deleted and added again by an operator', () => {
  it("keeps the new stream's message at the old line's sequence past the old line's expiresAt", async () => {
    // deleted and added again: the exporter's next PubAck shows sequence 1, going backwards
    await newStreamKeepsItsMessages(nats.server, cleanups, async (jsm) => {
      const config = (await jsm.streams.info('AIPREF')).config;
      await jsm.streams.delete('AIPREF');
      await wait(20); // another `created`
      await jsm.streams.add(config);
    });
  }, 20_000);
});
