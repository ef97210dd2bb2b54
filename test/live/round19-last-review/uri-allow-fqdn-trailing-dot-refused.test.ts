/**
 * Found by a review of the round's last fixes, fixed since: a fully qualified name's root dot is dropped from --uri-allow entries and from the handle's host when they are compared (src/policy/uri-resolver.ts uriAllowHost, fetchOrReuse).
 */
/**
 * Input: `live --udp 127.0.0.1:0 --uri-allow repo.internal.` — the fully qualified spelling of a
 *   private repository's name (trailing root dot), as DNS-minded operators write it and as a
 *   policy's handle may name it (`uri=https://repo.internal./aipref`).
 * Was (observed, since 2d8d48e): bad usage, exit 2: "--uri-allow takes host names or IP
 *   addresses separated by commas …" — uriAllowHost's new label regex takes the root dot for an
 *   empty label. Before 2d8d48e it was accepted, and a handle spelled `https://repo.internal./…`
 *   was fetched from the allowed host. Now such a handle cannot be allowed at all (`repo.internal`
 *   does not match the URL host `repo.internal.`).
 * Correct: a trailing dot is the absolute form of a host name (RFC 1034 §3.1, RFC 3986 §3.2.2),
 *   not an empty label nor a pattern: accepted, and a handle with that host is fetched as an
 *   allowed one (the regex's purpose, per its comment, is to refuse wildcards and suffix
 *   entries "none of [which] matches a host" — this one does).
 * Fix: src/policy/uri-resolver.ts uriAllowHost: allow one trailing '.' after the last label
 *   (best: strip it, and strip it from the URL host in fetchOrReuse before `allowed.has`, so
 *   `repo.internal` and `repo.internal.` name the same host).
 */
import { expect, it } from 'vitest';
import type { LookupFunction } from 'node:net';
import { liveOptionsFromArgs } from '../../../src/cli/live-options.js';
import { UriResolver, uriAllowHost } from '../../../src/policy/uri-resolver.js';

it('--uri-allow takes a fully qualified name with its trailing dot', async () => {
  expect(uriAllowHost('repo.internal.')).not.toBeNull();
  const err = await liveOptionsFromArgs(['--udp', '127.0.0.1:0', '--uri-allow', 'repo.internal.']).then(() => undefined, (e: unknown) => e as Error);
  expect(err?.message).toBeUndefined();
});

it('a handle on that host is fetched as an allowed one, not refused as internal', async () => {
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  const host = uriAllowHost('repo.internal.') ?? 'refused-by-uriAllowHost';
  const resolver = new UriResolver({ allowHosts: [host], lookup, timeoutMs: 2000 });
  // port 1 on loopback: nothing listens, the fetch fails at once — but it is tried
  const r = await resolver.resolve('https://repo.internal.:1/aipref', 'p1');
  expect(r.status).toBe('unresolved');
  expect((r as { reason: string }).reason).not.toMatch(/not fetched \(--uri-allow/);
});
