/**
 * Found by a review of the NATS stored-copy lookup (noticed by its fixer), fixed since: a stream the exporter makes again (remakeStream) drops the old stream's expiry schedule — StreamExpiry.forgetAll, called from newSeqEpoch (src/export/nats-expiry.ts forgetAll; src/export/nats-exporter.ts newSeqEpoch, remakeStream).
 * Input: the exporter stores a line of 1.5 s retention at sequence 4; an operator deletes the stream (jsm); the exporter's next publish finds no stream and makes it again (that line stored at 1); another client's messages take sequences 2–4 of the new stream; the old line's expiresAt passes.
 * Was: the delete scheduled for the old stream's sequence 4 removes the new stream's message 4 (another client's). Correct: it is still there.
 */
import { afterEach, describe, it } from 'vitest';
import { NATS_SERVER, natsServerEachTest } from '../nats-server-process.js';
import { newStreamKeepsItsMessages } from './remade.js';

const nats = natsServerEachTest('aipref-r25-expiry-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS expiry: the stream deleted, the exporter makes it again', () => {
  it("keeps the new stream's message at the old line's sequence past the old line's expiresAt", async () => {
    // deleted: the exporter's next publish finds no stream and makes it again
    await newStreamKeepsItsMessages(nats.server, cleanups, (jsm) => jsm.streams.delete('AIPREF').then(() => undefined));
  }, 20_000);
});
