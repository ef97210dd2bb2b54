/** Helpers for the round-25 review of the NATS stored-copy lookup. */
import type { NatsConnection } from 'nats';

/** The proxy with `blackhole` and an `onClient` hook (nats-review's BlackholeProxy). */
export { BlackholeProxy as WatchProxy } from '../nats-review/helpers.js';

/** Counts the exporter's message-get requests (its lookup's reads); `drop(n)` says whether the n-th read is lost. */
export function countReads(exporter: object, drop: (n: number) => boolean = () => false): { reads: number; published: string[] } {
  const counter = { reads: 0, published: [] as string[] };
  const nc = (exporter as unknown as { nc: NatsConnection & { publish: (s: string, ...rest: unknown[]) => void } }).nc;
  const publish = nc.publish.bind(nc);
  nc.publish = (s: string, ...rest: unknown[]) => {
    if (s.includes('.STREAM.MSG.GET.')) {
      counter.reads++;
      if (drop(counter.reads)) return;
    } else if (!s.startsWith('$JS.API.')) counter.published.push(s);
    return (publish as (s: string, ...rest: unknown[]) => void)(s, ...rest);
  };
  return counter;
}

/** Publishes `n` messages of another enforcer on `subject` (ids `${tag}-i`), 200 at a time. */
export async function othersPublish(nc: NatsConnection, subject: string, n: number, tag: string): Promise<void> {
  const js = nc.jetstream();
  const body = new TextEncoder().encode('{"other":true}');
  for (let i = 0; i < n; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => js.publish(subject, body, { msgID: `${tag}-${i + k}` })));
  }
}
