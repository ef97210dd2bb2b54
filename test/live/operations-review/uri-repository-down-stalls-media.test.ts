/**
 * Found by a review of live operations, fixed since: a failed fetch of a handle is remembered for 30 s (src/policy/uri-resolver.ts fetchRemembering): asked for again meanwhile it is unresolved at once, so a repository that is down costs one timeout per handle, not one per INVITE.
 *
 * A live service whose `uri=` repository is down (accepts connections, never answers).
 *
 * Input: `live --udp` (plain mirror, resolve-uri on, the repository's CA given) receives four
 *   INVITEs of four calls whose AI-Pref names the same https handle on that repository, then an
 *   RTCP sender report of an unrelated stream.
 * Was: the SR is decided only after ~8 s: every INVITE waits the resolver's full 2 s timeout in
 *   turn (SignalingFront awaits the fetch inside the batch, and a failed fetch is not remembered,
 *   so the next INVITE naming the same handle waits again). While the repository is down the
 *   whole media plane advances at 0.5 INVITE/s; at a relay's call rate the packet queue
 *   overflows and every call's telemetry is thrown away (queue-overflow), not only the calls
 *   naming the handle.
 * Correct: an unreachable repository costs at most one timeout for a handle, not one per INVITE,
 *   and does not hold up other calls' packets — SPEC §2 item 6 (live, an HTTP endpoint is a
 *   policy repository), seed 000 §7.2 (cache fetched statements); the failure is already made
 *   most restrictive and reported (unresolved-apt), which needs no wait per call. The bound
 *   asserted: the SR decided within 4 s (one timeout plus slack).
 * Fix: src/policy/uri-resolver.ts: remember a failed fetch per URI for a short time (negative
 *   cache, e.g. 30 s or Retry-After) and answer `unresolved` from it at once; or have
 *   src/pipeline/signaling-front.ts not hold the batch on the fetch.
 */
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localhostCertificate, opensslAvailable } from '../../policy/test-certificate.js';
import { decided, liveService, sendAll, senderReport, sleep, tempDir } from './ops-helpers.js';

let server: Server;
let certDir: string;
let cert: string;
let port: number;

beforeAll(async () => {
  if (!opensslAvailable) return;
  const made = localhostCertificate('aipref-ops-down-');
  certDir = made.dir;
  cert = made.cert;
  // TLS is accepted, the request is read, no answer ever comes
  server = createServer({ key: made.key, cert }, () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

it.skipIf(!opensslAvailable)('four INVITEs naming one unreachable handle do not hold up an unrelated SR for four timeouts', async () => {
  const out = await tempDir('aipref-ops-down-out-');
  const { service } = await liveService({ outDir: out, uriCa: cert, uriAllow: ['127.0.0.1'] });
  try {
    const text = await readFile('samples/sip/invite-bundle.sip', 'utf8');
    const invites = [0, 1, 2, 3].map((i) =>
      new TextEncoder().encode(text.replace('https://prefs.example.com/apt/call-1', `https://127.0.0.1:${port}/apt/x`).replace('ffd04841f5f3b3dc-0', `ffd04841f5f3b3dc-${i}`)),
    );
    const t0 = Date.now();
    await sendAll(service.addresses.udp!.port, [...invites, senderReport(0x1234)]);
    let at = Infinity;
    while (Date.now() - t0 < 4000) {
      if ((await decided(service)) >= 1) {
        at = Date.now() - t0;
        break;
      }
      await sleep(50);
    }
    expect(at, 'ms until the unrelated SR was decided').toBeLessThan(4000);
  } finally {
    await service.stop();
    await rm(out, { recursive: true, force: true });
  }
}, 30_000);
