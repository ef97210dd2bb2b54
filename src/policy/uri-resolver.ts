/**
 * Live resolution of `uri=<https://…>` APT handles (seed §7.1: HTTPS, conditional requests
 * and caching so validated APTs are reused across dialogs). Replay never uses this: offline,
 * handles resolve only through the policy file, so results do not depend on the network.
 *
 * Any failure — not https, timeout, TLS error, non-2xx, a body that is not a JSON object —
 * yields `unresolved`, which the caller counts as the most restrictive statement. A stale
 * cached statement is never served when revalidation fails: the handle's owner may have
 * tightened it.
 *
 * The handles come from callers the operator does not control, and the enforcer runs inside the
 * operator's network: only public addresses are fetched from (nonPublicAddress), judged on the
 * address connected to — an IP literal before the request, a name through the connection's own
 * lookup, whose checked addresses are the ones connected to (no second resolution to rebind) —
 * unless the host is allowed (`allowHosts`, `--uri-allow`). Redirects are never followed.
 */
import { Agent, request } from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { StatementPart } from './statement.js';

export interface UriResolverOptions {
  /** extra trusted CA certificates (PEM), e.g. a private repository's CA: trusted beside the default store */
  ca?: string | Buffer | (string | Buffer)[];
  /** whole-request budget, connect to last byte */
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** clock in milliseconds, for tests */
  now?: () => number;
  maxEntries?: number;
  /**
   * how long a failed fetch is remembered (ms; default 30 s): a handle asked for again meanwhile
   * is unresolved at once, not fetched again. A repository that is down cost every INVITE
   * naming its handle a whole timeout, and held the live service's packets meanwhile.
   */
  failureTtlMs?: number;
  /**
   * hosts fetched from whatever they resolve to (a private repository): names as the URI writes
   * them or IP literals, case-insensitive, `[::1]` or `::1`. Any other host is fetched from only
   * at public addresses.
   */
  allowHosts?: readonly string[];
  /** name resolution, for tests (default dns.lookup) */
  lookup?: LookupFunction;
}

export type UriResolution =
  | { status: 'resolved'; uri: string; part: StatementPart; from: 'network' | 'cache' | 'revalidated' }
  | { status: 'unresolved'; uri: string; reason: string };

interface CacheEntry {
  params: Record<string, unknown>;
  etag: string | null;
  lastModified: string | null;
  /** ms timestamp after which the entry must be revalidated */
  freshUntil: number;
}

interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_MAX_BODY = 64 * 1024;
const DEFAULT_MAX_ENTRIES = 1024;
const DEFAULT_FAILURE_TTL_MS = 30_000;

export class UriResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<UriResolution>>();
  /** by URI, a fetch that failed lately: why, and until when it is not tried again */
  private readonly failed = new Map<string, { reason: string; until: number; refused: boolean }>();
  /** connections trusting the default store with `ca` added (trustingAgent), made at the first fetch */
  private agent: Agent | undefined;
  private readonly now: () => number;
  /** allowHosts as uriAllowHost keys */
  private readonly allowed: ReadonlySet<string>;

  constructor(private readonly options: UriResolverOptions = {}) {
    this.now = options.now ?? Date.now;
    this.allowed = new Set((options.allowHosts ?? []).map((h) => uriAllowHost(h) ?? h.toLowerCase()));
  }

  /** Resolves a handle to a statement part for `prefId`. Concurrent calls for one URI share a request. */
  resolve(uri: string, prefId: string): Promise<UriResolution> {
    const pending = this.inFlight.get(uri);
    const resolution = pending ?? this.fetchRemembering(uri).finally(() => this.inFlight.delete(uri));
    if (pending === undefined) this.inFlight.set(uri, resolution);
    return resolution.then((r) => (r.status === 'resolved' ? { ...r, part: { ...r.part, prefId } } : r));
  }

  /** fetchOrReuse, a failure remembered for failureTtlMs (the oldest let go past maxEntries). */
  private async fetchRemembering(uri: string): Promise<UriResolution> {
    const failed = this.failed.get(uri);
    if (failed !== undefined && this.now() < failed.until) return { status: 'unresolved', uri, reason: failed.refused ? failed.reason : `${failed.reason} (a fetch failed lately: not tried again yet)` };
    this.failed.delete(uri);
    const result = await this.fetchOrReuse(uri);
    if (result.status === 'unresolved') {
      this.failed.set(uri, { reason: result.reason, until: this.now() + (this.options.failureTtlMs ?? DEFAULT_FAILURE_TTL_MS), refused: REFUSALS.has(result) });
      keepNewest(this.failed, this.options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    }
    return result;
  }

  private async fetchOrReuse(uri: string): Promise<UriResolution> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return { status: 'unresolved', uri, reason: 'not a URI' };
    }
    if (url.protocol !== 'https:') return { status: 'unresolved', uri, reason: 'only https handles are resolved' };
    // an IP literal is connected to without a lookup: judged here, before any request
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    // (`repo.internal.` and `repo.internal` alike: allowHosts are kept without the root dot)
    const allowed = this.allowed.has(host.replace(/\.$/, ''));
    if (!allowed && isIP(host) !== 0) {
      const why = nonPublicAddress(host);
      if (why !== null) return refused(uri, new RefusedAddress(`${host} is ${why}`, host));
    }

    const cached = this.cache.get(uri);
    if (cached !== undefined && this.now() < cached.freshUntil) return resolved(uri, cached, 'cache');

    const headers: Record<string, string> = { accept: 'application/aipref+json, application/json' };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;

    let response: HttpResult;
    try {
      response = await this.get(url, headers, allowed);
    } catch (error) {
      if (error instanceof RefusedAddress) return refused(uri, error);
      return { status: 'unresolved', uri, reason: error instanceof Error ? error.message : String(error) };
    }

    const freshness = freshnessOf(response.headers);
    if (response.status === 304 && cached !== undefined) {
      cached.freshUntil = this.now() + freshness.maxAgeSec * 1000;
      if (!freshness.store) this.cache.delete(uri);
      return resolved(uri, cached, 'revalidated');
    }
    if (response.status !== 200) return { status: 'unresolved', uri, reason: `HTTP ${response.status}` };

    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return { status: 'unresolved', uri, reason: 'response is not JSON' };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { status: 'unresolved', uri, reason: 'response is not a JSON object' };
    }
    const entry: CacheEntry = {
      params: body as Record<string, unknown>,
      etag: headerValue(response.headers.etag),
      lastModified: headerValue(response.headers['last-modified']),
      freshUntil: this.now() + freshness.maxAgeSec * 1000,
    };
    if (freshness.store) this.remember(uri, entry);
    else this.cache.delete(uri);
    return resolved(uri, entry, 'network');
  }

  /**
   * An agent whose connections trust the default store (the bundled roots and NODE_EXTRA_CA_CERTS)
   * with the extra CAs added, made once: node:https's `ca` option replaces the defaults, so once
   * an operator named a private repository's CA every publicly served handle failed. Without
   * extra CAs, an agent of the defaults: never the global one, whose pooled connections another
   * part of the process may have opened to any address, unchecked.
   */
  private trustingAgent(): Agent {
    if (this.agent === undefined && this.options.ca === undefined) this.agent = new Agent({ keepAlive: true });
    if (this.agent === undefined) {
      const extra = this.options.ca;
      // the defaults spelled out (Node 20 has no other way to keep them beside a `ca`): the
      // bundled roots and the file NODE_EXTRA_CA_CERTS names, as Node reads it at start
      const fromEnv = process.env.NODE_EXTRA_CA_CERTS ? readIfAny(process.env.NODE_EXTRA_CA_CERTS) : undefined;
      const ca = [...rootCertificates, ...(fromEnv !== undefined ? [fromEnv] : []), ...(Array.isArray(extra) ? extra : extra === undefined ? [] : [extra])];
      // an agent of its own: the global one pools connections without telling trust stores
      // apart, so one made trusting the extra CA would serve a request that does not
      this.agent = new Agent({ keepAlive: true, ca });
    }
    return this.agent;
  }

  private remember(uri: string, entry: CacheEntry): void {
    this.cache.delete(uri);
    this.cache.set(uri, entry);
    keepNewest(this.cache, this.options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  /**
   * dns.lookup, refusing when any address it gave is not public: the connection is made to the
   * addresses checked here (net connects to what its lookup answers), so a name that resolves
   * to a public address now and to an internal one a moment later cannot slip past the check.
   */
  private readonly checkedLookup: LookupFunction = (hostname, options, callback) => {
    const lookup = this.options.lookup ?? (dnsLookup as LookupFunction);
    lookup(hostname, { ...options, all: true }, (err, found) => {
      const addresses = found as unknown as LookupAddress[];
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '', 0);
      for (const a of addresses) {
        const why = nonPublicAddress(a.address);
        if (why !== null) return callback(new RefusedAddress(`${hostname} resolves to ${a.address}, ${why}`, hostname), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };

  private get(url: URL, headers: Record<string, string>, allowed: boolean): Promise<HttpResult> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBody = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    return new Promise<HttpResult>((resolve, reject) => {
      // an allowed host is looked up as usual (or through the test's lookup); any other through checkedLookup
      const lookup = allowed ? this.options.lookup : this.checkedLookup;
      const req = request(url, { method: 'GET', headers, agent: this.trustingAgent(), ...(lookup !== undefined && { lookup }) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBody) req.destroy(new Error(`response larger than ${maxBody} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end();
    });
  }
}

/** A handle's host is, or resolves to, an address that is not public: `<what>: not fetched (--uri-allow <host> fetches from it)`. */
class RefusedAddress extends Error {
  constructor(what: string, host: string) {
    super(`${what}: not fetched (--uri-allow ${host} fetches from it)`);
    this.name = 'RefusedAddress';
  }
}

/** Results that are refusals, not failed fetches: remembered without "a fetch failed lately". */
const REFUSALS = new WeakSet<UriResolution>();

function refused(uri: string, error: RefusedAddress): UriResolution {
  const result: UriResolution = { status: 'unresolved', uri, reason: error.message };
  REFUSALS.add(result);
  return result;
}

/**
 * A host as `allowHosts` and the URI's hostname are compared: lowercase, an IPv6 literal without
 * brackets, every spelling of an address in the canonical form the URL parser gives (`::FFFF:127.0.0.1`
 * → `::ffff:7f00:1`, `0x7f.1` → `127.0.0.1`); null for text that is not a host alone (a port, a path, a scheme).
 */
export function uriAllowHost(text: string): string | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare === '' || /[\/\s@?#[\]]/.test(bare) || (bare.includes(':') && isIP(bare) !== 6)) return null;
  let url: URL;
  try {
    url = new URL(`https://${isIP(bare) === 6 ? `[${bare}]` : bare}/`);
  } catch {
    return null;
  }
  if (url.port !== '' || url.username !== '' || url.pathname !== '/') return null;
  // a fully qualified name's root dot (`repo.internal.`) names the same host
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname.replace(/\.$/, '');
  // a host name, label by label: no wildcard (`*.corp.example`), no leading dot (NO_PROXY's
  // suffix form), no empty label — none of them matches a host, and the operator meant one
  if (isIP(host) === 0 && !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)) return null;
  return host;
}

/** Address blocks that are not public, in the order they are judged, with what they are. */
const NOT_PUBLIC: { why: string; list: BlockList }[] = (
  [
    ['an unspecified ("this network") address', [['0.0.0.0', 8]], [['::', 128]]],
    ['a loopback address', [['127.0.0.0', 8]], [['::1', 128]]],
    ['a private address', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]], [['fc00::', 7]]],
    ['a shared (carrier-grade NAT) address', [['100.64.0.0', 10]], []],
    ['a link-local address', [['169.254.0.0', 16]], [['fe80::', 10]]],
    ['an IETF protocol assignment address', [['192.0.0.0', 24]], []],
    ['a documentation address', [['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24]], [['2001:db8::', 32]]],
    ['a benchmarking address', [['198.18.0.0', 15]], [['2001:2::', 48]]],
    ['a multicast address', [['224.0.0.0', 4]], [['ff00::', 8]]],
    ['the broadcast address', [['255.255.255.255', 32]], []],
    ['a reserved address', [['240.0.0.0', 4]], []],
    ['a discard-only address', [], [['100::', 64]]],
    // RFC 9780's dummy prefix, next to it (IANA: not globally reachable)
    ['a dummy-prefix address', [], [['100:0:0:1::', 64]]],
    // IANA's special-purpose IPv6 blocks that are not globally reachable (2001::/23 holds Teredo
    // and the benchmarking 2001:2::/48), the documentation 3fff::/20, SRv6 SIDs, NAT64's local use
    ['an IETF protocol assignment address', [], [['2001::', 23]]],
    ['a documentation address', [], [['3fff::', 20]]],
    ['a segment-routing (SRv6) address', [], [['5f00::', 16]]],
    ['a local-use NAT64 address', [], [['64:ff9b:1::', 48]]],
    ['a site-local address', [], [['fec0::', 10]]],
  ] as [string, [string, number][], [string, number][]][]
).map(([why, v4, v6]) => {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return { why, list };
});

/**
 * Inside the blocks above, what IANA's special-purpose registries list as globally reachable
 * (anycast services: PCP and TURN anycast, AMT, AS112, ORCHIDv2, the DNS-SD SRP anycast): public.
 */
const GLOBAL_EXCEPTIONS = (() => {
  const list = new BlockList();
  list.addAddress('192.0.0.9', 'ipv4');
  list.addAddress('192.0.0.10', 'ipv4');
  for (const a of ['2001:1::1', '2001:1::2', '2001:1::3']) list.addAddress(a, 'ipv6');
  for (const [net, prefix] of [['2001:3::', 32], ['2001:4:112::', 48], ['2001:20::', 28], ['2001:30::', 28]] as [string, number][]) list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/**
 * IPv6 prefixes that carry an IPv4 address, judged as that address (a NAT64 or 6to4 gateway, a
 * SIIT translator of the operator's would take them there): by the 16-bit groups that hold it.
 */
const EMBEDDING_V4 = [
  { what: 'an IPv4-mapped address', list: oneSubnet('::ffff:0:0', 96), groups: 6 },
  { what: 'an IPv4-translated (SIIT) address', list: oneSubnet('::ffff:0:0:0', 96), groups: 6 },
  { what: 'a NAT64 address', list: oneSubnet('64:ff9b::', 96), groups: 6 },
  { what: 'a 6to4 address', list: oneSubnet('2002::', 16), groups: 1 },
  // (::/128 and ::1 among them: 0.0.0.0 and 0.0.0.1, "this network")
  { what: 'an IPv4-compatible address', list: oneSubnet('::', 96), groups: 6 },
];

function oneSubnet(net: string, prefix: number): BlockList {
  const list = new BlockList();
  list.addSubnet(net, prefix, 'ipv6');
  return list;
}

/**
 * Why an IP address is not a public one (`a loopback address`, `a private address`, …), or null
 * when it is. An IPv6 zone (`fe80::1%eth0`) is ignored; an IPv4-mapped or NAT64 address is judged
 * by the IPv4 address inside.
 */
export function nonPublicAddress(address: string): string | null {
  const ip = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  if (GLOBAL_EXCEPTIONS.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return null;
  if (family === 6) {
    for (const { what, list, groups } of EMBEDDING_V4) {
      if (!list.check(ip, 'ipv6')) continue;
      const v4 = embeddedIpv4(ip, groups);
      if (ip === '::' || ip === '::1') break; // said as what they are, below
      const why = nonPublicAddress(v4);
      return why === null ? null : `${what} of ${v4}, ${why}`;
    }
  }
  for (const { why, list } of NOT_PUBLIC) if (list.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return why;
  return null;
}

/** The IPv4 address in an IPv6 address's 16-bit groups `at` and `at + 1`. */
function embeddedIpv4(ipv6: string, at: number): string {
  // the URL parser's canonical form: lowercase hex groups, one `::` at most, never a dotted quad
  const canonical = new URL(`https://[${ipv6}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const front = head === '' ? [] : head!.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  const hi = parseInt(groups[at] ?? '0', 16);
  const lo = parseInt(groups[at + 1] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function resolved(uri: string, entry: CacheEntry, from: 'network' | 'cache' | 'revalidated'): UriResolution {
  return { status: 'resolved', uri, from, part: { prefId: '', source: 'uri-fetched', origin: uri, params: entry.params } };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Cache-Control as far as a private cache needs it: max-age (less Age), no-cache, no-store. */
function freshnessOf(headers: IncomingHttpHeaders): { maxAgeSec: number; store: boolean } {
  const directives = (headerValue(headers['cache-control']) ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== '');
  if (directives.includes('no-store')) return { maxAgeSec: 0, store: false };
  if (directives.includes('no-cache')) return { maxAgeSec: 0, store: true };
  let maxAgeSec = 0;
  for (const directive of directives) {
    const match = /^max-age=(\d+)$/.exec(directive);
    if (match !== null) maxAgeSec = Number(match[1]);
  }
  const age = Number(headerValue(headers.age) ?? '0');
  if (Number.isFinite(age) && age > 0) maxAgeSec = Math.max(0, maxAgeSec - age);
  return { maxAgeSec, store: true };
}

/** A file's text, or undefined when it cannot be read (Node itself only warns of a bad NODE_EXTRA_CA_CERTS). */
function readIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Lets go of a map's oldest entries past `limit` (Map order is insertion order: the first key is the least recently stored). */
function keepNewest(map: Map<string, unknown>, limit: number): void {
  while (map.size > limit) map.delete(map.keys().next().value!);
}
