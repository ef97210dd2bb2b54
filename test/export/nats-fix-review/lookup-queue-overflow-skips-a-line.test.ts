/**
 * Found by a review of today's NATS changes, fixed since: a lookup's answer removes its own line from the queue, never the next one (src/export/nats-exporter.ts dropLookedFor).
 */
// Input: NatsJetStreamExporter (maxInFlight 1) on a real nats-server; two lines whose PubAck was lost
//   (A, then B) are queued for the stored-copy lookup (private findStored). While A's lookup publish is
//   still waiting for its answer, B arrives: the queue is over maxInFlight and its oldest entry (A, the
//   one being looked up) is dropped to make room. A's lookup is then answered (duplicate, seq 7).
// Was: findEachStored holds A but, on the answer, does `this.maybeStored.shift()`, which removes B (the
//   new head, never looked for); the loop ends with B neither looked up nor told (no "may keep … past its
//   expiresAt" failure for B): B's stored copy stays in the stream to max_age, silently.
// Correct: SPEC §4 (the enforcer keeps nothing past retention) and the exporter's own contract (every line
//   left to max_age is said through onFailure). Each queued line is either looked up or told.
// Fix: src/export/nats-exporter.ts findEachStored(): remove the entry it looked for by identity
//   (`if (this.maybeStored[0] === line) this.maybeStored.shift()`), not blindly the head; same in the
//   refused branch. (Since the lookup reads the stream instead of publishing — test/export/nats-lookup —
//   the lookup stubbed here is the private scanFor, not js.publish; dropLookedFor takes the lines a scan
//   answered for out of the queue by identity.)
import { afterEach, describe, expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { NATS_SERVER, natsServerEachTest, quickNatsOptions } from '../nats-server-process.js';
import { wait } from '../nats-review/helpers.js';

const nats = natsServerEachTest('aipref-nats-fix-review-');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!NATS_SERVER)('NATS: the lost-PubAck lookup queue, full', () => {
  it('looks for (or tells) every queued line when the head is dropped during its lookup', async () => {
    const reasons: string[] = [];
    const exporter = await NatsJetStreamExporter.open(quickNatsOptions(nats.server, { maxInFlight: 1, onFailure: (r) => reasons.push(r) }));
    cleanups.push(() => exporter.close(200));
    const looked: string[] = [];
    let answerA!: (found: Map<string, number>) => void;
    // the exporter's lost-PubAck lookup (private; src/export/nats-lookup.ts StoredCopyLookup): its read of the stream stubbed
    const internals = (exporter as unknown as { lookup: { scanFor: (subject: string, lines: { id: string }[]) => Promise<Map<string, number>>; findStored(l: unknown): void } }).lookup;
    internals.scanFor = (_s, lines) => {
      looked.push(...lines.map((l) => l.id));
      if (lines.some((l) => l.id === 'line-A')) return new Promise((r) => (answerA = r));
      return Promise.resolve(new Map(lines.map((l) => [l.id, 8])));
    };
    const now = Date.now() / 1000;
    internals.findStored({ subject: 'aipref.telemetry', id: 'line-A', expiresAt: now + 3600, floor: 0, epoch: 0 });
    await wait(20);
    internals.findStored({ subject: 'aipref.telemetry', id: 'line-B', expiresAt: now + 3600, floor: 0, epoch: 0 });
    answerA(new Map([['line-A', 7]]));
    await wait(100);
    const toldB = reasons.some((r) => r.includes('line-B'));
    expect({ lookedForB: looked.includes('line-B'), toldB }, 'B neither looked for nor told').not.toEqual({ lookedForB: false, toldB: false });
  }, 10_000);
});
