/**
 * Found by a review of the NATS stored-copy lookup (noticed by its fixer), fixed since: forgetAll also stops the sweep under way (its deletes not yet sent) and the retries of deletes that failed; only requests already sent go on (src/export/nats-expiry.ts forgetAll, sweep, deleteOne).
 * Input: 100 expired sequences noted; the sweep sends its first 32 deletes (32 at once) and the stream is made again (forgetAll) before they are answered; half of them fail (server away), half succeed; then sequence 500 is noted for the new stream, already expired.
 * Was (no forgetAll; dropping only the heap): the sweep goes on with sequences 33–100 of the old stream, and the failed 16 are tried again a second on — each deleting the new stream's message of that number. Correct: no delete is sent for an old sequence after forgetAll (32 sent in all), and the new stream's own 500 is deleted.
 */
import { describe, expect, it } from 'vitest';
import type { JetStreamManager } from 'nats';
import { StreamExpiry } from '../../../src/export/nats-expiry.js';
import { wait } from '../nats-review/helpers.js';

describe('StreamExpiry.forgetAll with a sweep under way', () => {
  it('sends no delete of an old sequence after it, retries included; what is noted after is deleted', async () => {
    const sent: number[] = [];
    const answers: { seq: number; answer: (ok: boolean) => void }[] = [];
    const jsm = {
      streams: {
        deleteMessage: (_stream: string, seq: number) => {
          sent.push(seq);
          return new Promise<boolean>((resolve, reject) => answers.push({ seq, answer: (ok) => (ok ? resolve(true) : reject(new Error('TIMEOUT'))) }));
        },
      },
    } as unknown as JetStreamManager;
    const failures: string[] = [];
    const expiry = new StreamExpiry(jsm, 'AIPREF', 3600, () => Date.now() / 1000, (reason) => failures.push(reason));
    const past = Date.now() / 1000 - 1;
    for (let seq = 1; seq <= 100; seq++) expiry.note(seq, past);
    for (let i = 0; i < 50 && sent.length < 32; i++) await wait(10);
    expect(sent).toHaveLength(32);

    expiry.forgetAll();
    for (const { seq, answer } of answers.splice(0)) answer(seq % 2 === 0);
    await wait(50);
    expiry.note(500, past);
    for (let i = 0; i < 100 && !sent.includes(500); i++) {
      for (const { answer } of answers.splice(0)) answer(true);
      await wait(10);
    }
    await wait(1300); // past a failed delete's retry (a second on)
    for (const { answer } of answers.splice(0)) answer(true);
    await expiry.close();
    expect(sent.filter((seq) => seq !== 500)).toHaveLength(32);
    expect(sent.filter((seq) => seq === 500)).toEqual([500]);
    expect(expiry.stats).toEqual({ deleted: 17, failed: 16 });
  }, 10_000);
});
