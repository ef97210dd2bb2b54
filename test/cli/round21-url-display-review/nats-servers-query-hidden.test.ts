/**
 * Found by a review of the URL display rewrite (round 21), fixed since: each --nats server is shown
 * through urlForDisplay once its credentials are taken out (src/export/nats-exporter.ts natsServersForDisplay).
 * Input: `live --nats 'nats://h:4222?token=S3CRET'` (or `#S3CRET`) failing to connect; here
 *   natsServersForDisplay, which names the server in that one line.
 * Was: the server shown whole, query and fragment with it (`--nats nats://h:4222?token=S3CRET: …`):
 *   natsServersForDisplay took out only `user:pass@`, while url-for-display.ts's header said --nats
 *   used urlForDisplay, which shows a query's values and a fragment as `…`.
 * Correct: one way of hiding for every URL shown: the credentials out as the connection takes them
 *   out (splitUserinfo), then the query's values and fragment as urlForDisplay shows them.
 */
import { expect, it } from 'vitest';
import { natsServersForDisplay } from '../../../src/export/nats-exporter.js';

it.each([
  ['nats://h:4222?token=S3CRET', 'nats://h:4222?token=…'],
  ['nats://u:p@h:4222/?S3CRET', 'nats://h:4222/?…'],
  ['tls://h:4222#S3CRET', 'tls://h:4222#…'],
  [['nats://u:S3CRET@h1:4222?k=S3CRET', 'h2:4222'], 'nats://h1:4222?k=…,h2:4222'],
  // as before: the credentials out as the connection takes them out, the host kept
  ['NATS://enf:S3C?RET@127.0.0.1:4222', 'NATS://127.0.0.1:4222'],
  ['nats:enf:S3CRET@127.0.0.1:4222', '127.0.0.1:4222'],
  ['nats://us%40er:p%3Aa@ss@127.0.0.1:4222', 'nats://127.0.0.1:4222'],
])('%j → %j', (servers, shown) => {
  expect(natsServersForDisplay(servers)).toBe(shown);
});
