/**
 * Found by a review of the uri= address check, fixed since: a lookup that gives no address is ENOTFOUND on both of its paths (src/policy/uri-resolver.ts checkedLookup).
 */
/**
 * Input: a name whose lookup answers no address and no error (`all: true` → `[]`) — what the resolver's `lookup`
 *   option (a test's DNS, or any resolver wired in) may answer; net calls the lookup with all: true (autoSelectFamily,
 *   Node 20's default), and checkedLookup passes the empty list on.
 * Was: net reads addresses[0].address: a TypeError, "Cannot destructure property 'address' of 'addresses[0]' as it is
 *   undefined.", becomes the unresolved reason when the lookup answers synchronously; when it answers later (as a DNS
 *   client does) the TypeError is thrown from the lookup callback — an uncaught exception that ends the process
 *   (observed: `node` with the built dist/src UriResolver and a setImmediate lookup exits through uncaughtException).
 *   checkedLookup guards the empty answer on the `all: false` path only (`${hostname}: no address`).
 * Correct: unresolved with the reason `<name>: no address` on both paths, the service unharmed (the brief: "a name
 *   resolving to no address"). dns.lookup itself reports ENOTFOUND instead, so this is reached through `lookup` only.
 * Fix: src/policy/uri-resolver.ts UriResolver.checkedLookup: check `addresses.length === 0` (and `found` not an
 *   array) before the `options.all` branch and call back with the `no address` error. (The second test runs the
 *   built dist/src module, as the CLI does: it passes once the fix is built.)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { UriResolver, type UriResolverOptions } from '../../../src/policy/uri-resolver.js';

const REPO = path.resolve(import.meta.dirname, '../../..');

describe('a name the lookup finds no address for', () => {
  it('all: true (net\'s happy-eyeballs path): unresolved, "<name>: no address"', async () => {
    const lookup = ((_h: string, options: { all?: boolean }, callback: (e: Error | null, a: LookupAddress[] | string, f?: number) => void) => {
      if (options.all) callback(null, []);
      else callback(null, '', 0);
    }) as unknown as UriResolverOptions['lookup'];
    const r = await new UriResolver({ timeoutMs: 500, lookup }).resolve('https://nothing.example/apt', 'a');
    expect(r).toEqual({ status: 'unresolved', uri: 'https://nothing.example/apt', reason: 'nothing.example: no address' });
  });

  it('answered asynchronously, it does not throw out of the callback (the process lives on)', () => {
    // the built module (dist/src, what the CLI runs), in a child: an uncaught exception there must not take vitest down
    const script = `
      import { UriResolver } from ${JSON.stringify(path.join(REPO, 'dist/src/policy/uri-resolver.js'))};
      process.on('uncaughtException', (e) => { console.log('uncaught: ' + e.message); process.exit(3); });
      const lookup = (h, o, cb) => setImmediate(() => (o.all ? cb(null, []) : cb(null, '', 0)));
      const r = await new UriResolver({ timeoutMs: 500, lookup }).resolve('https://nothing.example/apt', 'a');
      console.log(JSON.stringify(r));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stdout).not.toContain('uncaught');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ status: 'unresolved', reason: 'nothing.example: no address' });
  });
});
