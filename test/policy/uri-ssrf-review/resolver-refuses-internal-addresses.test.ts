/**
 * Found by a review of uri= handle resolution, fixed since: only public addresses are fetched from unless the host is allowed — an IP literal is judged before the request, a name through the connection's own lookup, whose checked addresses are the ones connected to (src/policy/uri-resolver.ts UriResolver fetchOrReuse, checkedLookup, nonPublicAddress; allowHosts).
 * Input: a SIP caller's `uri=<https://127.0.0.1:<port>/…>` (likewise localhost, [::1], [::ffff:127.0.0.1], a name
 *   resolving to loopback, 10.x, 169.254.169.254, fe80::…) handed to the live resolver.
 * Was: any https address was fetched, whoever signaled it: the enforcer, inside the operator's network, sent HTTPS
 *   GETs wherever a caller pointed it (blind SSRF: admin panels, local services, cloud metadata).
 * Correct: refused without a connection (the server sees no request), unresolved like a failed fetch, the reason naming
 *   the host, the address, why, and `--uri-allow <host>`; remembered for the failure TTL; a host in allowHosts is
 *   fetched whatever it resolves to; a redirect is never followed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonPublicAddress, UriResolver, uriAllowHost, type UriResolverOptions } from '../../../src/policy/uri-resolver.js';
import { countingServer, opensslAvailable, type CountingServer } from './ssrf-helpers.js';

describe('nonPublicAddress', () => {
  it.each([
    ['0.0.0.0', /unspecified/],
    ['0.255.255.255', /unspecified/],
    ['10.1.2.3', /private/],
    ['100.64.0.1', /shared/],
    ['100.127.255.255', /shared/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['169.254.169.254', /link-local/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.0.0.8', /IETF/],
    ['192.0.2.1', /documentation/],
    ['192.168.1.1', /private/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.255', /benchmarking/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.9', /documentation/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.255', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /IPv4-mapped address of 127\.0\.0\.1, a loopback/],
    ['::ffff:a00:1', /IPv4-mapped address of 10\.0\.0\.1, a private/],
    ['64:ff9b::a9fe:a9fe', /NAT64 address of 169\.254\.169\.254, a link-local/],
    ['100::1', /discard/],
    ['100::ffff:ffff:ffff:ffff', /discard/],
    ['2001:db8::1', /documentation/],
    ['fc00::1', /private/],
    ['fdff:ffff::1', /private/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['ff02::1', /multicast/],
    ['FE80::1', /link-local/],
  ])('%s is not public', (address, why) => {
    expect(nonPublicAddress(address)).toMatch(why);
  });

  it.each([
    '1.1.1.1', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0',
    '172.15.255.255', '172.32.0.0', '192.0.1.0', '192.0.3.0', '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '198.51.99.255',
    '198.51.101.0', '203.0.112.255', '203.0.114.0', '223.255.255.255',
    '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '100:0:0:2::', '2001:db9::1', '2001:db7:ffff::1', 'fbff::1',
  ])('%s is public', (address) => {
    expect(nonPublicAddress(address)).toBeNull();
  });
});

describe('uriAllowHost', () => {
  it.each([
    ['LOCALHOST', 'localhost'],
    ['Repo.Example.COM', 'repo.example.com'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['::1', '::1'],
    ['::FFFF:127.0.0.1', '::ffff:7f00:1'],
    ['[::ffff:7f00:1]', '::ffff:7f00:1'],
  ])('%s → %s', (text, key) => {
    expect(uriAllowHost(text)).toBe(key);
  });

  it.each(['', 'repo.example:443', 'https://repo.example', 'repo.example/apt', 'a b', '[::1', 'user@host'])('%j is not a host', (text) => {
    expect(uriAllowHost(text)).toBeNull();
  });
});

if (!opensslAvailable) console.warn('uri-ssrf-review resolver tests skipped: openssl is not on this machine, so no test certificate can be made');

describe.skipIf(!opensslAvailable)('UriResolver refuses internal addresses unless allowed (a local HTTPS server counts requests)', () => {
  let srv: CountingServer;

  beforeAll(async () => {
    srv = await countingServer();
  });
  afterAll(async () => {
    await srv.close();
    rmSync(srv.dir, { recursive: true, force: true });
  });

  const resolver = (extra: UriResolverOptions = {}) => new UriResolver({ ca: srv.cert, timeoutMs: 2000, ...extra });

  async function refused(uri: string, reason: RegExp, extra: UriResolverOptions = {}): Promise<void> {
    const before = srv.total();
    const r = await resolver(extra).resolve(uri, 'apt-x');
    expect(r).toMatchObject({ status: 'unresolved', uri });
    if (r.status === 'unresolved') expect(r.reason).toMatch(reason);
    expect(srv.total(), 'requests the server saw').toBe(before);
  }

  async function fetched(uri: string, extra: UriResolverOptions): Promise<void> {
    const before = srv.total();
    const r = await resolver(extra).resolve(uri, 'apt-x');
    expect(r).toMatchObject({ status: 'resolved', from: 'network', part: { prefId: 'apt-x', source: 'uri-fetched', params: { export: 'raw' } } });
    expect(srv.total(), 'requests the server saw').toBe(before + 1);
  }

  it('https://127.0.0.1:<port>/… is refused, no request made; the reason names the address, why and the flag', async () => {
    const uri = `https://127.0.0.1:${srv.port}/apt/a`;
    await refused(uri, /^127\.0\.0\.1 is a loopback address: not fetched \(--uri-allow 127\.0\.0\.1 fetches from it\)$/);
  });

  it('https://localhost:<port>/… is refused (the name resolves to loopback)', async () => {
    await refused(`https://localhost:${srv.port}/apt/b`, /^localhost resolves to (127\.0\.0\.1|::1), a loopback address: not fetched \(--uri-allow localhost fetches from it\)$/);
  });

  it('https://[::1]:<port>/… is refused', async (ctx) => {
    if (!srv.ipv6) ctx.skip();
    await refused(`https://[::1]:${srv.port}/apt/c`, /^::1 is a loopback address: not fetched \(--uri-allow ::1 fetches from it\)$/);
  });

  it('https://[::ffff:127.0.0.1]:<port>/… is refused (judged by the IPv4 address inside)', async () => {
    await refused(`https://[::ffff:127.0.0.1]:${srv.port}/apt/d`, /^::ffff:7f00:1 is an IPv4-mapped address of 127\.0\.0\.1, a loopback address: not fetched \(--uri-allow ::ffff:7f00:1 fetches from it\)$/);
  });

  it('private, link-local and metadata literals are refused before any connection', async () => {
    // nothing listens there: a connection attempt would say ECONNREFUSED or time out, not this
    await refused('https://10.1.2.3/apt', /^10\.1\.2\.3 is a private address: not fetched \(--uri-allow 10\.1\.2\.3 fetches from it\)$/);
    await refused('https://169.254.169.254/latest/meta-data/', /^169\.254\.169\.254 is a link-local address/);
    await refused('https://[fe80::1]/apt', /^fe80::1 is a link-local address/);
    await refused('https://0x7f.1/apt', /^127\.0\.0\.1 is a loopback address/);
  });

  it.each([
    ['127.0.0.1', (p: number) => `https://127.0.0.1:${p}/apt/1`],
    ['LocalHost', (p: number) => `https://localhost:${p}/apt/2`],
    ['[::1]', (p: number) => `https://[::1]:${p}/apt/3`],
    ['::1', (p: number) => `https://[::1]:${p}/apt/4`],
    ['::ffff:127.0.0.1', (p: number) => `https://[::ffff:127.0.0.1]:${p}/apt/5`],
    ['[::FFFF:7f00:1]', (p: number) => `https://[::ffff:127.0.0.1]:${p}/apt/6`],
  ])('allowHosts [%s] fetches from that host', async (host, uri) => {
    if (host.includes('::1') && !srv.ipv6) return; // no IPv6 loopback here
    await fetched(uri(srv.port), { allowHosts: ['other.example', host] });
  });

  it('a name resolving to loopback (a custom lookup) is refused, and connected to when allowed: the address checked is the one used', async () => {
    const calls: string[] = [];
    const lookup = ((hostname: string, options: { all?: boolean }, callback: (err: Error | null, a: LookupAddress[] | string, f?: number) => void) => {
      calls.push(hostname);
      if (hostname !== 'repo.test') return dnsLookup(hostname, options as never, callback as never);
      const addresses = [{ address: '127.0.0.1', family: 4 }];
      if (options.all) callback(null, addresses);
      else callback(null, '127.0.0.1', 4);
    }) as unknown as UriResolverOptions['lookup'];
    await refused(`https://repo.test:${srv.port}/apt/name`, /^repo\.test resolves to 127\.0\.0\.1, a loopback address: not fetched \(--uri-allow repo\.test fetches from it\)$/, { lookup });
    expect(calls).toEqual(['repo.test']);
    await fetched(`https://repo.test:${srv.port}/apt/name`, { lookup, allowHosts: ['REPO.test'] });
  });

  it('a name with one public and one private address is refused (any address not public)', async () => {
    const lookup = ((_h: string, options: { all?: boolean }, callback: (err: Error | null, a: LookupAddress[] | string, f?: number) => void) => {
      const addresses = [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.7', family: 4 }];
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, 4);
    }) as unknown as UriResolverOptions['lookup'];
    await refused('https://mixed.example/apt', /^mixed\.example resolves to 10\.0\.0\.7, a private address: not fetched \(--uri-allow mixed\.example fetches from it\)$/, { lookup });
  });

  it('a refused handle is remembered like a failed fetch (failureTtlMs): not looked up again meanwhile', async () => {
    let lookups = 0;
    const lookup = ((_h: string, options: { all?: boolean }, callback: (err: Error | null, a: LookupAddress[] | string, f?: number) => void) => {
      lookups++;
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as unknown as UriResolverOptions['lookup'];
    const clock = { now: 0 };
    const r = resolver({ lookup, now: () => clock.now, failureTtlMs: 30_000 });
    const uri = `https://again.example:${srv.port}/apt`;
    const first = await r.resolve(uri, 'a');
    clock.now = 10_000;
    const second = await r.resolve(uri, 'a');
    expect(second).toEqual(first);
    expect(lookups).toBe(1);
    clock.now = 31_000;
    expect(await r.resolve(uri, 'a')).toMatchObject({ status: 'unresolved' });
    expect(lookups).toBe(2);
  });

  it('a redirect is not followed (even from an allowed host)', async () => {
    const before = srv.hits['/apt/target'] ?? 0;
    const r = await resolver({ allowHosts: ['127.0.0.1'] }).resolve(`https://127.0.0.1:${srv.port}/redirect`, 'a');
    expect(r).toEqual({ status: 'unresolved', uri: `https://127.0.0.1:${srv.port}/redirect`, reason: 'HTTP 302' });
    expect(srv.hits['/apt/target'] ?? 0).toBe(before);
  });
});
