/**
 * Found by a review of the NATS changes of round 21, fixed since: one --nats server is split, trimmed
 * and checked as a list of one (src/cli/live-options.ts optionsFrom, natsServerList: a bad single
 * URL is bad usage, exit 2, as a list's entry is), and the exporter trims each server before reading
 * its scheme and userinfo (src/export/nats-exporter.ts NatsJetStreamExporter.open).
 * Input: `live --nats " tls://u:s3cret@127.0.0.1:<p>"` — one server, written with a leading space
 *   (a quoted shell variable, a config file's `"nats": " tls://…"`), to a plain stand-in that
 *   offers no TLS and records what it reads.
 * Was (observed): live starts; the stand-in reads `CONNECT {… "user":" tls","pass":"//u:s3cret" …}`
 *   — the password in clear, to a server offering no TLS, under tls://. refuseOtherSchemes allows
 *   the space (`^\s*`), a list's entries are trimmed (natsServerList), but a single value is handed
 *   to the exporter as written: TLS_SCHEME (`^tls://`) misses it, so TLS is not required, and
 *   splitUserinfo finds no scheme and takes ` tls://u:s3cret` as the userinfo; nats.js trims and
 *   drops the scheme itself (hostPort) and connects in clear.
 * Correct: a tls:// server requires TLS (README's NATS bullet, ba52e1a): the value is read as the
 *   same server with the space trimmed, as each entry of a list is — refused before anything is
 *   sent: exit 1, one line `… the server offers no TLS, which tls:// requires (no credentials sent)`,
 *   no CONNECT read by the stand-in, no password on stderr.
 * Fix: src/cli/live-options.ts optionsFrom: trim the --nats value (or run natsServerList for one
 *   server too — it trims, and would also give a single bad entry such as `tls://h:99999` the
 *   usage refusal, exit 2, a list's entry gets); and in src/export/nats-exporter.ts
 *   NatsJetStreamExporter.open trim each server before splitUserinfo and TLS_SCHEME, so the
 *   exporter never reads a server otherwise than the client does.
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { plainStandIn, sleep, startLive, tempDir, plainLines } from './helpers.js';

const { dir, remove } = tempDir('r22-space-');
afterAll(remove);

it('" tls://u:s3cret@127.0.0.1:<p>" to a server offering no TLS: refused, nothing sent', async () => {
  const standIn = await plainStandIn();
  const live = startLive(path.join(dir, 'out'), ['--nats', ` tls://u:s3cret@127.0.0.1:${standIn.port}`]);
  try {
    await Promise.race([live.exited, sleep(20_000)]); // (live ends on its own, exit 1: the wait is only a bound; 4 s was short on a loaded machine)
    expect(standIn.seen()).not.toContain('s3cret');
    expect(standIn.seen()).not.toContain('CONNECT');
    expect(live.child.exitCode, live.stderr()).toBe(1);
    expect(plainLines(live.stderr())).toEqual([expect.stringContaining('offers no TLS, which tls:// requires (no credentials sent)')]);
    expect(live.stderr()).not.toContain('s3cret');
  } finally {
    await live.stop();
    await standIn.close();
  }
}, 30_000);
