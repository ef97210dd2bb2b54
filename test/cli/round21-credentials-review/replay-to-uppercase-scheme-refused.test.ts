/**
 * Found by a review of the credentials fixes (round 21), fixed since: the scheme matched case-insensitively and lower-cased (src/sources/replay-sender.ts parseReplayTarget).
 *
 * Input: `aipref-enforcer replay samples/call-small.pcap --to HEP://127.0.0.1:<port> --speed 0`
 *   (and UDP://…), a UDP socket bound there.
 * Was (observed): exit 2, `replay target "HEP://127.0.0.1:9060" is not udp://host:port or
 *   hep://host:port` — parseReplayTarget's /^(udp|hep):\/\// is case-sensitive; while `live --to
 *   HTTPS://…` / `WSS://…` and `--nats NATS://…` are taken.
 * Correct: a URI scheme is case-insensitive (RFC 3986 §3.1: "implementations should accept
 *   uppercase letters as equivalent to lowercase"), and the CLI's other URL options accept it;
 *   the line claims the target is not hep://host:port when it is.
 * Fix: src/sources/replay-sender.ts parseReplayTarget: the pattern with /i (and the scheme
 *   lower-cased before it is compared or used).
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, SMALL_PCAP } from './helpers.js';

let sock: dgram.Socket;
let port = 0;
beforeAll(async () => {
  sock = dgram.createSocket('udp4');
  sock.on('message', () => {});
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  port = sock.address().port;
});
afterAll(() => sock.close());

it.each(['HEP', 'UDP', 'Hep'])('%s://127.0.0.1:port is taken as its lower-case form', (scheme) => {
  const lower = cli(['replay', SMALL_PCAP, '--to', `${scheme.toLowerCase()}://127.0.0.1:${port}`, '--speed', '0'], { timeout: 60_000 });
  expect(lower.status).toBe(0);
  const r = cli(['replay', SMALL_PCAP, '--to', `${scheme}://127.0.0.1:${port}`, '--speed', '0'], { timeout: 60_000 });
  expect(r.stderr).not.toContain('is not udp://host:port');
  expect(r.status).toBe(0);
}, 150_000);
