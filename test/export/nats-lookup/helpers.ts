/** Helpers for the lost-PubAck lookup tests (test/export/nats-lookup): a proxy that cuts both ways, the exporter's lookup queue. */
import type { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { wait } from '../nats-review/helpers.js';

/** The proxy whose `cut` throws away what goes either way (nats-review's BlackholeProxy). */
export { BlackholeProxy as CutProxy } from '../nats-review/helpers.js';

/** The exporter's lookup queue (private): lines waiting to be looked for, and whether a lookup runs. */
export function lookupQueue(exporter: NatsJetStreamExporter): { waiting: number; running: boolean } {
  const lookup = (exporter as unknown as { lookup: { waiting: readonly unknown[]; running: Promise<void> | undefined } }).lookup;
  return { waiting: lookup.waiting.length, running: lookup.running !== undefined };
}

/** Polls `check` every 50 ms until it holds or `ms` pass; its last value. */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await wait(50);
  }
}
