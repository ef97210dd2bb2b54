/**
 * Found by a review of the NATS fixes (ee4d134), fixed since: the `tls` refusal is translated
 * whatever asked for TLS: `… offers no TLS, which the connection's tls option requires (no
 * credentials sent)` (src/export/nats-exporter.ts NatsJetStreamExporter.open).
 * Input: NatsJetStreamExporter.open with `servers: nats://u:s3cret@127.0.0.1:<p>` and the caller's
 *   own `connection.tls` (`{}`, or `{ ca }`: the API's way to trust a private CA), against a server
 *   whose INFO offers no TLS (a plain stand-in; a nats-server without --tls answers the same).
 * Was (observed): rejected with a bare NatsError whose message is `tls` (code SERVER_OPT_NA) — no
 *   credentials sent, rightly, but nothing says what happened; the same server written tls:// gets
 *   `the server offers no TLS, which tls:// requires (no credentials sent)`. ee4d134 made the
 *   caller's tls stand for "TLS required" like tls:// (its comment: "any object: nats.js then requires
 *   TLS too", the address check merged in), yet open's catch translates the refusal only for tls://
 *   (`if (tlsRequired && …)`).
 * Correct: the same one-line refusal whatever asked for TLS — e.g. `the server offers no TLS, which
 *   the connection's tls option requires (no credentials sent)` — so an API user (or a log) can tell
 *   a missing TLS listener from any other failure; the cause kept.
 * Fix: src/export/nats-exporter.ts NatsJetStreamExporter.open, its catch around connect: translate
 *   ServerOptionNotAvailable when `tlsRequired || callerTls` (naming tls:// or the tls option).
 */
import { expect, it } from 'vitest';
import { NatsJetStreamExporter } from '../../../src/export/nats-exporter.js';
import { plainStandIn } from '../round22-nats-review/helpers.js';

it.each([[{}], [{ ca: '-----BEGIN CERTIFICATE-----' }]])("caller's tls %j, nats:// server offering no TLS: the one-line refusal, nothing sent", async (tls) => {
  const stand = await plainStandIn();
  try {
    const err = await NatsJetStreamExporter.open({ servers: `nats://u:s3cret@127.0.0.1:${stand.port}`, maxRetentionSec: 60, connection: { tls: tls as never, timeout: 1500, maxReconnectAttempts: 0 } }).then(
      async (e) => (await e.close(100), undefined),
      (e: Error) => e,
    );
    expect(stand.seen()).toBe(''); // no CONNECT, no password (fine today)
    expect(err?.message).toMatch(/offers no TLS, which .*requires \(no credentials sent\)/);
  } finally {
    await stand.close();
  }
}, 30_000);
